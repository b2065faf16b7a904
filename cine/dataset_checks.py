"""Is it a DICOM file, can its header be parsed, and is it an ultrasound image? The checks
a receiver makes before accepting a file (no pixel data read), shared by the upload paths, the
DICOM listener and the reader (``cine.reader.read_header`` goes on to the pixel data)."""

from __future__ import annotations

import os
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pydicom import dcmread
from pydicom.config import disable_value_validation
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, MediaStorageDirectoryStorage

from cine.errors import (
    NestingTooDeepError,
    NotDicomError,
    TruncatedFileError,
    UnsupportedSopClassError,
)

US_SOP_CLASSES = {
    "1.2.840.10008.5.1.4.1.1.3.1": "Ultrasound Multi-frame Image Storage",
    "1.2.840.10008.5.1.4.1.1.6.1": "Ultrasound Image Storage",
    "1.2.840.10008.5.1.4.1.1.3": "Ultrasound Multi-frame Image Storage (Retired)",
    "1.2.840.10008.5.1.4.1.1.6": "Ultrasound Image Storage (Retired)",
}
# Real headers nest a few levels (regions, code sequences); 1,000 levels is an attack that
# overflows the recursion of every reader and writer downstream.
MAX_SEQUENCE_DEPTH = 32


@contextmanager
def quiet_pydicom() -> Iterator[None]:
    """Silence pydicom's value validation: its warnings and log lines quote header values."""
    with disable_value_validation(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


_VRS = {
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FL", b"FD", b"IS", b"LO", b"LT", b"OB",
    b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM",
    b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
}  # fmt: skip


def _looks_like_bare_dataset(head: bytes) -> bool:
    """No preamble: a dataset starts with a group 0002 (meta) or 0008 element, either endian,
    and either an explicit VR or an implicit length that fits in the file's first megabytes."""
    if len(head) < 8:
        return False
    for end in "<>":
        group = struct.unpack(f"{end}H", head[:2])[0]
        if group not in (2, 8):
            continue
        if head[4:6] in _VRS:
            return True
        length = struct.unpack(f"{end}L", head[4:8])[0]
        if length < 1 << 16 or length == 0xFFFFFFFF:
            return True
    return False


def looks_like_dicom(head: bytes) -> bool:
    """Whether a file's first 132 bytes start a DICOM file: the 128-byte preamble and 'DICM',
    or (old files) a dataset without them."""
    return (len(head) >= 132 and head[128:132] == b"DICM") or _looks_like_bare_dataset(head)


def _depth(ds: Dataset) -> int:
    """How deep sequences nest (iterative: the structure may be deeper than the stack)."""
    deepest, todo = 0, [(ds, 0)]
    while todo:
        current, depth = todo.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_SEQUENCE_DEPTH:
            break
        for tag in current.keys():  # noqa: SIM118  (raw elements: no value conversion)
            raw = current.get_item(tag)
            if getattr(raw, "VR", None) == "SQ" and not isinstance(raw.value, bytes):
                todo.extend((item, depth + 1) for item in current[tag].value)
    return deepest


def _too_deep() -> NestingTooDeepError:
    return NestingTooDeepError(
        f"the header has sequences nested more than {MAX_SEQUENCE_DEPTH} levels deep"
    )


def parse_dataset(fp: BinaryIO, size: int) -> Dataset:
    head = fp.read(132)
    fp.seek(0)
    has_preamble = len(head) == 132 and head[128:132] == b"DICM"
    if not has_preamble and not _looks_like_bare_dataset(head):
        raise NotDicomError("the file is not a DICOM file")
    try:
        ds = dcmread(fp, stop_before_pixels=True, force=not has_preamble)
    except InvalidDicomError as exc:
        raise NotDicomError("the file is not a readable DICOM file") from exc
    except (EOFError, struct.error) as exc:
        raise TruncatedFileError("the DICOM header ends before it is complete") from exc
    except RecursionError as exc:
        raise _too_deep() from exc
    except Exception as exc:  # pydicom raises many types for garbage headers
        if fp.tell() >= size:
            raise TruncatedFileError("the DICOM header ends before it is complete") from exc
        raise NotDicomError("the DICOM header cannot be parsed") from exc
    if not len(ds):
        if has_preamble:
            raise TruncatedFileError("the file ends before its DICOM header is complete")
        raise NotDicomError("the file holds no DICOM elements")
    if _depth(ds) > MAX_SEQUENCE_DEPTH:
        raise _too_deep()
    if _cut_short(ds):
        raise TruncatedFileError("the file ends inside its DICOM header")
    return ds


def _cut_short(ds: Dataset) -> bool:
    """pydicom keeps a value the file ended inside of (a warning, no error): find one."""
    for tag in ds.keys():  # noqa: SIM118  (raw elements: no value conversion)
        raw = ds.get_item(tag)
        length, value = getattr(raw, "length", None), getattr(raw, "value", None)
        if isinstance(value, bytes) and length not in (None, 0xFFFFFFFF) and len(value) < length:
            return True
    return False


@contextmanager
def open_dicom(path: str | os.PathLike[str]) -> Iterator[tuple[BinaryIO, int]]:
    """The file open for reading, with its size; pydicom's warnings quiet meanwhile."""
    path = Path(path)
    try:
        size = path.stat().st_size
        fp = path.open("rb")
    except OSError as exc:
        raise NotDicomError("the file cannot be opened") from exc
    with fp, quiet_pydicom():
        yield fp, size


def read_dataset_header(path: str | os.PathLike[str]) -> Dataset:
    """The header before Pixel Data, checked to be parseable (``CineError`` otherwise).

    What a receiver checks before accepting a file: not its pixel data, which processing
    checks with ``read_header``.
    """
    with open_dicom(path) as (fp, size):
        return parse_dataset(fp, size)


def sop_class_name(uid: str) -> str:
    """A registered SOP class's name; never an unregistered UID's text (it says nothing)."""
    known = UID(uid)
    return known.name if known.is_valid and known.name != uid else "an unknown kind of object"


def require_ultrasound(ds: Dataset) -> None:
    """``UnsupportedSopClassError`` unless the object is an ultrasound image (or says nothing
    of its class, as some old files do)."""
    meta = getattr(ds, "file_meta", None)
    sop = str(ds.get("SOPClassUID", "") or "") or str(
        (meta.get("MediaStorageSOPClassUID", "") if meta is not None else "") or ""
    )
    sop = sop.strip().rstrip("\x00")
    if sop == MediaStorageDirectoryStorage or 0x00041220 in ds:  # DirectoryRecordSequence
        raise UnsupportedSopClassError(
            "the file is a DICOMDIR (a disc's index), not an ultrasound image: "
            "upload the image files it lists instead"
        )
    if sop and sop not in US_SOP_CLASSES:
        raise UnsupportedSopClassError(
            f"the file is {sop_class_name(sop)}, not an ultrasound image; only ultrasound "
            "image storage is supported"
        )
