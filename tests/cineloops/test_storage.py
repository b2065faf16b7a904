"""The storage seam (``cineloops.storage``) on the embedded default: folders of this host.

Files are moved into a folder storage rather than copied, patient data stays owner-only, a
run's outputs are stored together or not at all, and deleting leaves no folder behind. The
same functions on an object store: ``test_storage_s3``.
"""

import json
import os

import pytest
from django.core.files.base import ContentFile

from cineloops import storage
from tests.cineloops.stored import original_file, outputs_of


@pytest.fixture(autouse=True)
def _folders(cine_dirs):
    return cine_dirs


def test_an_original_is_streamed_into_the_private_folder():
    name, size = storage.write_original([b"DICM", b" and the rest"], limit=100)

    assert size == 17
    assert original_file(name).read_bytes() == b"DICM and the rest"
    assert original_file(name).stat().st_mode & 0o777 == 0o600
    assert os.stat(storage.upload_dir()).st_mode & 0o077 == 0
    assert not any(storage.incoming_dir().iterdir())  # the partial file was moved, not copied
    assert storage.original_names() == [name]


def test_an_original_over_the_limit_leaves_nothing():
    with pytest.raises(storage.LimitExceeded):
        storage.write_original([b"x" * 60, b"y" * 60], limit=100)

    assert storage.original_names() == []
    assert not any(storage.incoming_dir().iterdir())


def test_a_local_file_is_moved_into_place_not_copied():
    path, _size = storage.write_incoming([b"DICM received"], limit=100)
    inode = path.stat().st_ino

    name, size = storage.adopt_original(path)

    assert (size, path.exists()) == (13, False)
    assert original_file(name).stat().st_ino == inode  # renamed: the same file


def test_a_folder_storage_follows_its_setting(settings, tmp_path):
    name, _size = storage.write_original([b"DICM"], limit=100)
    settings.CINE_UPLOAD_DIR = tmp_path / "elsewhere"

    assert not storage.original_exists(name)
    assert storage.originals().path("x") == str(tmp_path / "elsewhere" / "x")


def test_the_original_is_read_in_place_from_a_folder(tmp_path):
    name, _size = storage.write_original([b"DICM"], limit=100)
    work = tmp_path / "work"
    work.mkdir()

    assert storage.original_on_disk(name, work) == original_file(name)
    assert not any(work.iterdir())  # no copy
    with pytest.raises(FileNotFoundError):
        storage.original_on_disk("0" * 32, work)


def outputs(folder, files: dict[str, bytes]):
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_outputs_are_stored_as_a_new_run_and_moved(tmp_path):
    made = outputs(tmp_path / "made", {"video.mp4": b"video", "metadata.json": b"{}"})

    run = storage.store_outputs(7, made)

    assert outputs_of(7) == [f"loops/7/{run}/metadata.json", f"loops/7/{run}/video.mp4"]
    assert not any(made.iterdir())  # moved
    served = storage.local_path(storage.media(), storage.output_name(7, run, "video.mp4"))
    assert served.read_bytes() == b"video"
    assert served.stat().st_mode & 0o777 == 0o644  # nginx reads it (X-Accel-Redirect)
    assert storage.store_outputs(7, outputs(tmp_path / "again", {"video.mp4": b"v2"})) != run


def test_a_run_stopped_while_storing_leaves_none_of_its_files(tmp_path):
    made = outputs(tmp_path / "made", {"a.jpg": b"a", "b.jpg": b"b", "c.jpg": b"c"})
    stored = []

    def taken_over():
        stored.append(1)
        if len(stored) == 2:
            raise RuntimeError("the claim was taken over")

    with pytest.raises(RuntimeError):
        storage.store_outputs(7, made, after_each=taken_over)

    assert outputs_of(7) == []


def test_deleting_outputs_keeps_one_run_or_none(tmp_path):
    old = storage.store_outputs(7, outputs(tmp_path / "old", {"video.mp4": b"old"}))
    new = storage.store_outputs(7, outputs(tmp_path / "new", {"video.mp4": b"new"}))
    other = storage.store_outputs(8, outputs(tmp_path / "other", {"video.mp4": b"8"}))

    storage.delete_outputs(7, keep=new)
    assert outputs_of(7) == [f"loops/7/{new}/video.mp4"]
    assert old

    storage.delete_outputs(7)
    assert outputs_of(7) == []
    assert not storage.local_path(storage.media(), "loops/7").exists()  # no empty folder left
    assert outputs_of(8) == [f"loops/8/{other}/video.mp4"]


def test_stored_json_is_read_once_and_a_failure_is_not_kept():
    name = storage.output_name(7, storage.new_run_name(), "metadata.json")
    with pytest.raises(FileNotFoundError):
        storage.read_json(name)

    storage.media().save(name, ContentFile(json.dumps({"frames": 6}).encode()))
    assert storage.read_json(name) == {"frames": 6}
    storage.media().delete(name)
    assert storage.read_json(name) == {"frames": 6}  # outputs never change: cached


def test_a_copy_for_a_reader_that_needs_a_path_is_the_stored_file_itself():
    name = storage.output_name(7, "run", "intensity.npy")
    storage.media().save(name, ContentFile(b"stack"))

    with storage.local_file(storage.media(), name) as path:
        assert path == storage.local_path(storage.media(), name)
        assert path.read_bytes() == b"stack"
    assert path.exists()  # not a copy: nothing to delete
    assert not any(storage.work_dir().iterdir())
