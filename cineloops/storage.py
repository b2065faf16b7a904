"""Where cine files are stored: two Django storages, never MEDIA_ROOT or any served folder.

* ``cine_originals`` — originals as received (patient data) under a random name, deleted once
  de-identification succeeds (unless ``CINE_KEEP_ORIGINALS``).
* ``cine_media`` — the pipeline's de-identified outputs, ``loops/<pk>/<run>/<file>``: each
  processing run stores a new folder (``CineLoop.output_run``), the row points at it only once
  every file is stored, and the older folders are deleted after that commit — a half-stored
  set is never served, and leftovers of a killed run go with the next run.

Both are folders of this host by default (``CINE_UPLOAD_DIR``, ``CINE_MEDIA_DIR``; web and
workers then share them) or an S3-compatible object store (``CEUS_S3_BUCKET``, see
``training.storages``). Either way everything here goes through the storage API, streamed:
files are saved from open files (multipart uploads to S3) and read back into files.

Each host also keeps its own files in progress, in the private ``CINE_UPLOAD_DIR``:
``incoming/`` (uploads streaming in, so a finished one is moved, not copied, to a folder
storage) and ``work/`` (a worker's copy of the original and the outputs it is making).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

CHUNK = 1 << 20
ORIGINALS, MEDIA = "cine_originals", "cine_media"
# What a store that is down or refuses raises, besides FileNotFoundError for a missing file.
STORE_ERRORS = (OSError, BotoCoreError, ClientError)


class SettingFolderStorage(FileSystemStorage):
    """A folder storage whose folder is a setting read at each use, so that pointing the
    setting elsewhere (tests, ``manage.py`` options) moves the storage with it."""

    def __init__(self, *, folder_setting: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder_setting = folder_setting

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return os.fspath(getattr(settings, self.folder_setting))

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


class LimitExceeded(Exception):
    """More bytes than allowed arrived; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def originals() -> Storage:
    return storages[ORIGINALS]


def media() -> Storage:
    return storages[MEDIA]


def local_path(store: Storage, name: str) -> Path | None:
    """The file's path when ``store`` is a folder of this host; None for an object store."""
    try:
        return Path(store.path(name))
    except NotImplementedError:
        return None


# --- This host's files in progress ------------------------------------------------------------


def upload_dir() -> Path:
    path = Path(settings.CINE_UPLOAD_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def incoming_dir() -> Path:
    path = upload_dir() / "incoming"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def work_dir() -> Path:
    path = upload_dir() / "work"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A private folder for one processing run, removed with everything in it afterwards."""
    with tempfile.TemporaryDirectory(prefix="run-", dir=work_dir()) as folder:
        yield Path(folder)


def write_incoming(chunks: Iterable[bytes], *, limit: int) -> tuple[Path, int]:
    """Streamed bytes into a new private file in ``incoming/``; returns (path, size).

    Raises ``LimitExceeded`` as soon as more than ``limit`` bytes arrive (nothing is kept).
    """
    fd, name = tempfile.mkstemp(prefix=".part-", dir=incoming_dir())  # mode 0600
    path, size = Path(name), 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise LimitExceeded(limit)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, size


class _LocalFile(File):
    """A file on this host: a folder storage moves it into place instead of copying it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _save_local(store: Storage, name: str, path: Path) -> str:
    """Store the local file ``path`` as ``name`` (moved into a folder storage, streamed to
    an object store); the local file is gone afterwards either way."""
    try:
        with open(path, "rb") as src:
            return store.save(name, _LocalFile(src, name=name))
    finally:
        path.unlink(missing_ok=True)


# --- Originals ---------------------------------------------------------------------------------


def new_original_name() -> str:
    """A random file name that says nothing about the file."""
    return secrets.token_hex(16)


def write_original(chunks: Iterable[bytes], *, limit: int) -> tuple[str, int]:
    """Store streamed bytes as a new original; returns (name, size).

    Raises ``LimitExceeded`` as soon as more than ``limit`` bytes arrive (nothing is kept).
    """
    path, _size = write_incoming(chunks, limit=limit)
    return adopt_original(path)


def adopt_original(path: Path) -> tuple[str, int]:
    """Store a file already written on this host (an upload, the DICOM listener's) as a new
    original; the local file is moved or, once uploaded, deleted."""
    size = path.stat().st_size
    return _save_local(originals(), new_original_name(), path), size


def original_exists(name: str) -> bool:
    return bool(name) and originals().exists(name)


def original_on_disk(name: str, folder: Path) -> Path:
    """The original as a file on this host: the stored file itself in a folder storage, else
    a copy streamed down into ``folder``. Raises ``FileNotFoundError`` when it is gone."""
    return local_copy(originals(), name, folder / "original")


def delete_original(name: str) -> None:
    if name:
        originals().delete(name)


def original_names() -> list[str]:
    """The names of the stored originals (and of anything else at the storage's top level)."""
    try:
        return originals().listdir("")[1]
    except FileNotFoundError:  # a folder storage nothing was stored in yet
        return []


# --- Derived outputs ---------------------------------------------------------------------------


def loop_prefix(pk: int) -> str:
    return f"loops/{int(pk)}"


def run_prefix(pk: int, run: str) -> str:
    """Where one run's outputs are stored."""
    return f"{loop_prefix(pk)}/{run}"


def new_run_name() -> str:
    return secrets.token_hex(8)


def output_name(pk: int, run: str, file: str) -> str:
    """The storage name of the output ``file`` of processing run ``run`` of loop ``pk``."""
    return f"{run_prefix(pk, run)}/{file}"


def store_outputs(pk: int, folder: Path, *, after_each: Callable[[], None] = lambda: None) -> str:
    """Store every file the pipeline made in ``folder`` as a new run of loop ``pk``; returns
    the run's name. ``after_each`` is called after each file (the run's heartbeat; it may
    raise to stop). On any error the files stored so far are deleted."""
    run = new_run_name()
    store = media()
    try:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            _save_local(store, output_name(pk, run, path.relative_to(folder).as_posix()), path)
            after_each()
    except BaseException:
        delete_tree(store, run_prefix(pk, run))
        raise
    return run


def store_output(pk: int, run: str, path: Path, file: str) -> str:
    """Add the local file ``path`` to the stored run ``run`` of loop ``pk`` as ``file`` (a name
    no file of the run has: stored outputs never change); returns its storage name. The local
    file is gone afterwards."""
    return _save_local(media(), output_name(pk, run, file), path)


def delete_outputs(pk: int, *, keep: str = "") -> None:
    """Delete the loop's stored outputs, all of them or all but the run ``keep``."""
    store = media()
    prefix = loop_prefix(pk)
    for run in _listdir(store, prefix)[0]:
        if run != keep:
            delete_tree(store, run_prefix(pk, run))
    if not keep:
        delete_tree(store, prefix)


def read_json(name: str) -> Any:
    """A stored output's JSON (a loop's ``metadata.json``). Outputs never change once stored
    (a new run stores new names), so it is read once per process; a failure is not kept."""
    store = media()
    where = f"{getattr(store, 'bucket_name', '')}:{getattr(store, 'location', '')}"
    return _read_json(where, name)


@lru_cache(maxsize=256)
def _read_json(where: str, name: str) -> Any:
    with media().open(name, "rb") as src:
        return json.load(src)


# --- Walking and copying any storage -----------------------------------------------------------


def _listdir(store: Storage, prefix: str) -> tuple[list[str], list[str]]:
    try:
        return store.listdir(prefix)
    except FileNotFoundError:
        return [], []


def list_files(store: Storage, prefix: str) -> list[str]:
    """Every file stored under ``prefix`` (names relative to the storage), in order."""
    folders, files = _listdir(store, prefix)
    names = [f"{prefix}/{file}" for file in files]
    for folder in folders:
        names += list_files(store, f"{prefix}/{folder}")
    return sorted(names)


def delete_tree(store: Storage, prefix: str) -> None:
    """Delete every file under ``prefix`` (and, in a folder storage, the emptied folders)."""
    for name in list_files(store, prefix):
        store.delete(name)
    root = local_path(store, prefix)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def local_copy(store: Storage, name: str, dest: Path) -> Path:
    """``name`` as a file on this host: itself in a folder storage, else streamed down to
    ``dest`` (never whole in memory). Raises ``FileNotFoundError`` when it is not stored."""
    path = local_path(store, name)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(name)
        return path
    with store.open(name, "rb") as src, open(dest, "wb") as out:
        obj = getattr(src, "obj", None)  # django-storages' S3File: boto3 streams it in parts
        if obj is not None:
            obj.download_fileobj(out, Config=getattr(store, "transfer_config", None))
        else:
            shutil.copyfileobj(src, out, CHUNK)
    return dest


@contextlib.contextmanager
def local_file(store: Storage, name: str) -> Iterator[Path]:
    """``local_copy`` into a private temporary folder removed on exit (readers of outputs
    that need a path: the time-intensity curves)."""
    with work_folder() as folder:
        yield local_copy(store, name, folder / Path(name).name)


def file_chunks(path: Path, size: int = CHUNK) -> Iterable[bytes]:
    with open(path, "rb") as src:
        while chunk := src.read(size):
            yield chunk


# --- Resumable uploads: the parts received so far --------------------------------------------
# ``partial/<upload id>/`` in the originals' storage (patient data, as private as the
# originals), one file per part: any web host appends, whichever host receives the last part
# joins them (``cineloops.resumable``). Not under ``incoming/``, which is each host's own.
PARTIAL = "partial"


def partial_prefix(upload_id: str) -> str:
    return f"{PARTIAL}/{upload_id}"


def store_partial(upload_id: str, offset: int, path: Path) -> str:
    """Store the local file ``path`` as the part of upload ``upload_id`` starting at
    ``offset``; returns its name (unique: two requests racing for one offset never share a
    name). The local file is gone afterwards."""
    name = f"{partial_prefix(upload_id)}/{offset:013d}-{secrets.token_hex(4)}"
    return _save_local(originals(), name, path)


def partial_chunks(names: Iterable[str]) -> Iterator[bytes]:
    """The stored parts ``names``, in that order, as one stream of byte chunks."""
    store = originals()
    for name in names:
        with store.open(name, "rb") as src:
            while chunk := src.read(CHUNK):
                yield chunk


def delete_partial(upload_id: str) -> None:
    delete_tree(originals(), partial_prefix(upload_id))


def partial_upload_ids() -> list[str]:
    """The uploads that have parts stored (folders under ``partial/``)."""
    return _listdir(originals(), PARTIAL)[0]
