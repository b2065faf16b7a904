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


def test_an_object_store_with_host_local_services_is_a_deploy_warning(settings, monkeypatch):
    from cineloops.checks import hosts_share_more_than_the_object_store as check

    for name in ("DJANGO_SECRET_KEY", "CINE_DEID_SECRET", "CERT_SIGNING_SECRET"):
        monkeypatch.setenv(name, "from the environment")
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    settings.CEUS_S3_BUCKET = ""
    assert check() == []
    settings.CEUS_S3_BUCKET = "ceus"
    assert check() == []  # everything shared

    monkeypatch.delenv("CINE_DEID_SECRET")
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    [warning] = check()
    assert warning.id == "cineloops.W001"
    assert "CELERY_BROKER_URL, CINE_DEID_SECRET" in warning.msg
