"""Expand a ZIP of DICOM files into stored originals, one entry at a time, safely.

* Zip bombs: the declared sizes are checked before anything is extracted (entry count, each
  entry, the total), and bytes are counted again while extracting, because a ZIP may lie.
* Entry names are patient data as often as not (``ZHANG_WEI/IM0001``): they are read to skip
  folders and metadata, never logged, stored or put into a message; an entry is known by its
  position. ``zipfile``'s own exception texts quote entry names, so they are never shown.
* Skipped: folders, DICOMDIR (a directory listing of patient names), macOS metadata
  (``__MACOSX/``, ``._*``) and other hidden files.
* Refused, each with its code and message: symbolic links, names that climb out of the
  archive (``../``, absolute; never used for storage, but no honest export has them),
  encrypted or damaged entries, and entries that do not start like DICOM (the upload check,
  ``cineloops.uploads.dicom_refusal``). Everything else becomes a loop.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cineloops.storage import CHUNK, LimitExceeded, write_original
from cineloops.uploads import dicom_refusal

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def looks_like_zip(head: bytes) -> bool:
    """A ZIP by its first 132 bytes (names lie, and are not ours to read); a DICOM file whose
    preamble happens to start like a ZIP still has 'DICM' at byte 128."""
    return head[:4] in ZIP_MAGIC and head[128:132] != b"DICM"


def is_zip(path: Path) -> bool:
    with open(path, "rb") as src:
        return looks_like_zip(src.read(132))


@dataclass(frozen=True)
class Entry:
    """One file of the archive: stored (``original_name``) or refused (``error``)."""

    number: int  # 1-based position among the files taken from the archive
    original_name: str = ""
    size: int = 0
    error: str = ""
    code: str = ""  # why refused, e.g. "not_dicom", "zip_entry_symlink"


def _wanted(info: zipfile.ZipInfo) -> bool:
    if info.is_dir():
        return False
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or "__MACOSX" in parts:
        return False
    base = parts[-1]
    return not base.startswith(".") and base.upper() != "DICOMDIR"


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            yield chunk


def _unsafe_name(info: zipfile.ZipInfo) -> bool:
    name = info.filename.replace("\\", "/")
    return name.startswith("/") or ".." in name.split("/") or name[1:2] == ":"


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as member:
        return member.read(132)


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, number: int, limit: int) -> Entry:
    if stat.S_ISLNK(info.external_attr >> 16):
        return Entry(number, error=_("The ZIP entry is a symbolic link."), code="zip_entry_symlink")
    if _unsafe_name(info):
        return Entry(
            number,
            error=_("The ZIP entry has an unsafe name (outside the archive's folder)."),
            code="zip_entry_unsafe_name",
        )
    if info.flag_bits & 0x1:
        return Entry(number, error=_("The ZIP entry is encrypted."), code="zip_entry_encrypted")
    if info.file_size > limit:
        return _entry_too_large(number, limit)
    try:
        refusal = dicom_refusal(_head(archive, info))
        if refusal is not None:
            return Entry(number, error=" ".join(refusal.messages), code=refusal.code or "")
        # Never more than declared (zipfile stops there) and never more than the limit.
        name, size = write_original(_chunks(archive, info), limit=min(limit, info.file_size))
    except LimitExceeded:
        return _entry_too_large(number, limit)
    except NotImplementedError:
        return Entry(
            number,
            error=_("The ZIP entry uses a compression method not supported."),
            code="zip_entry_compression",
        )
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        return Entry(number, error=_("The ZIP entry is damaged."), code="zip_entry_damaged")
    return Entry(number, original_name=name, size=size)


def _entry_too_large(number: int, limit: int) -> Entry:
    message = _("The ZIP entry is larger than the upload limit of %(limit)s.") % {
        "limit": filesizeformat(limit)
    }
    return Entry(number, error=message, code="zip_entry_too_large")


def expand_zip(path: Path, *, limit: int, max_entries: int, max_total: int) -> Iterator[Entry]:
    """Yield each file entry, stored or refused. Raises ``ValidationError`` (nothing stored)
    for an archive that is unreadable, has too many entries or would expand too far."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(_("The ZIP file is damaged or not a ZIP file."), "bad_zip") from exc
    with archive:
        wanted = [info for info in archive.infolist() if _wanted(info)]
        if len(wanted) > max_entries:
            raise ValidationError(
                _("The ZIP file holds more than %(count)s files.") % {"count": max_entries},
                "zip_too_many",
            )
        if sum(info.file_size for info in wanted) > max_total:
            raise ValidationError(
                _("The ZIP file would expand to more than %(limit)s.")
                % {"limit": filesizeformat(max_total)},
                "zip_too_large",
            )
        if not wanted:
            raise ValidationError(_("The ZIP file holds no files."), "zip_empty")
        for number, info in enumerate(wanted, start=1):
            yield _extract(archive, info, number, limit)
