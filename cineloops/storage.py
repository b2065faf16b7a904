"""Where cine files live on disk. Nothing here is under MEDIA_ROOT or any served folder.

* ``CINE_UPLOAD_DIR/<random>`` — originals as received (patient data), owner-only, deleted once
  de-identification succeeds (unless ``CINE_KEEP_ORIGINALS``). ``incoming/`` holds uploads
  still streaming in, on the same file system so finished ones are renamed, not copied.
* ``CINE_MEDIA_DIR/loops/<pk>/derived/`` — the pipeline's de-identified outputs. The pipeline
  builds them in a sibling temporary folder and renames it into place, so the per-loop parent
  also collects the leftovers of a run that was killed; the next run clears them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

CHUNK = 1 << 20


class LimitExceeded(Exception):
    """More bytes than allowed arrived; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def upload_dir() -> Path:
    path = Path(settings.CINE_UPLOAD_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def incoming_dir() -> Path:
    path = upload_dir() / "incoming"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def new_original_name() -> str:
    """A random file name that says nothing about the file."""
    return secrets.token_hex(16)


def original_path(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("not a stored original's name")
    return upload_dir() / name


def loop_dir(pk: int) -> Path:
    return Path(settings.CINE_MEDIA_DIR) / "loops" / str(int(pk))


def output_dir(pk: int) -> Path:
    return loop_dir(pk) / "derived"


def write_original(chunks: Iterable[bytes], *, limit: int) -> tuple[str, int]:
    """Store streamed bytes as a new original; returns (name, size).

    Raises ``LimitExceeded`` as soon as more than ``limit`` bytes arrive (nothing is kept).
    """
    name = new_original_name()
    final = upload_dir() / name
    partial = incoming_dir() / name
    size = 0
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise LimitExceeded(limit)
                out.write(chunk)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return name, size


def adopt_original(path: Path) -> tuple[str, int]:
    """Move a file already written on this machine (e.g. by the DICOM listener) into place."""
    name = new_original_name()
    final = upload_dir() / name
    try:
        os.replace(path, final)
    except OSError:  # another file system: copy, then remove the source
        shutil.copyfile(path, final)
        path.unlink()
    os.chmod(final, 0o600)
    return name, final.stat().st_size


def delete_original(name: str) -> None:
    if name:
        original_path(name).unlink(missing_ok=True)


def clear_leftovers(pk: int) -> None:
    """Remove half-built outputs of an interrupted run (the pipeline's dot-folders)."""
    parent = loop_dir(pk)
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child.name.startswith(".cine-"):
            shutil.rmtree(child, ignore_errors=True)


def delete_outputs(pk: int) -> None:
    shutil.rmtree(loop_dir(pk), ignore_errors=True)


def file_chunks(path: Path, size: int = CHUNK) -> Iterable[bytes]:
    with open(path, "rb") as src:
        while chunk := src.read(size):
            yield chunk
