"""Configuration: the development secret, and the check that keeps patient files unserved."""

import os


def test_the_secret_file_is_shared_and_private(tmp_path):
    from training.env import local_secret

    first = local_secret(tmp_path / "s")
    assert local_secret(tmp_path / "s") == first
    assert len(first) >= 16
    assert os.stat(tmp_path / "s").st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_a_cine_folder_under_media_root_is_a_system_check_error(settings, tmp_path):
    from cineloops.checks import cine_folders_are_private

    assert cine_folders_are_private() == []
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CINE_MEDIA_DIR = tmp_path / "media" / "cine"
    assert [error.id for error in cine_folders_are_private()] == ["cineloops.E001"]
