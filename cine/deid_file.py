"""De-identify a DICOM file's header, copying its Pixel Data element byte for byte.

Only the header is parsed: the pixel data element is streamed from the input file to the
output in chunks, so memory stays flat whatever the size of the cine. Pixels are not cleaned
in this mode, so BurnedInAnnotation becomes YES unless the file said NO. Elements stored after
Pixel Data (trailing padding, signatures, private groups) are dropped. The output is written
to a temporary name and renamed, so a reader never sees half a file. A DICOMDIR (the index
of a disc, full of patients' names) is refused with a CineError before anything is written.
File names are never read or written here beyond the paths given: the caller chooses them.
"""

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.filebase import DicomIO
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import UID, DeflatedExplicitVRLittleEndian

from cine.dataset_checks import quiet_pydicom
from cine.deid import deidentify_dataset, refuse_dicomdir
from cine.errors import (
    CineError,
    NotDicomError,
    TruncatedFileError,
    UnsupportedTransferSyntaxError,
)
from cine.fragments import ITEM, SEQUENCE_END
from cine.syntaxes import JPEG_XL, encoding, is_known, transfer_syntax_name
from cine.uids import is_valid_uid

_CHUNK = 1 << 20
_UNDEFINED = 0xFFFFFFFF
# Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"UC", b"UN", b"UR", b"UT"})
_PIXEL_TAGS = frozenset({(0x7FE0, 0x0008), (0x7FE0, 0x0009), (0x7FE0, 0x0010)})


@dataclass(frozen=True)
class DeidentifiedFile:
    """What was written: the new identifiers (all already de-identified)."""

    sop_class_uid: str
    sop_instance_uid: str
    series_instance_uid: str
    study_instance_uid: str
    transfer_syntax_uid: str
    burned_in_annotation: str


def _read_header(fp: BinaryIO) -> Dataset:
    try:
        try:
            ds = dcmread(fp, stop_before_pixels=True)
        except InvalidDicomError:
            fp.seek(0)  # no preamble: old files do this; accept them when they parse
            ds = dcmread(fp, stop_before_pixels=True, force=True)
    except (EOFError, struct.error) as exc:
        raise TruncatedFileError("the file ends before its header is complete") from exc
    except (InvalidDicomError, ValueError, KeyError, NotImplementedError) as exc:
        raise NotDicomError("the file is not a readable DICOM file") from exc
    refuse_dicomdir(ds)  # an index of patients, not an image: nothing to de-identify
    if "SOPClassUID" not in ds:
        raise NotDicomError("the file is not a DICOM image (no SOP Class UID)")
    if not is_valid_uid(ds.SOPClassUID) or not str(ds.SOPClassUID).strip():
        raise NotDicomError("the file's SOP Class UID is not a valid UID")
    return ds


def _read_exact(fp: BinaryIO, size: int) -> bytes:
    data = fp.read(size)
    if len(data) != size:
        raise TruncatedFileError("the file ends inside its pixel data")
    return data


def _pixel_element_length(fp: BinaryIO, little: bool, implicit: bool) -> int:
    """Bytes of the pixel data element starting at the current position (0 if none)."""
    start = fp.tell()
    head = fp.read(8)
    if not head:
        return 0
    if len(head) != 8:
        raise TruncatedFileError("the file ends inside its pixel data")
    order = "<" if little else ">"
    tag = struct.unpack(order + "HH", head[:4])
    if tag not in _PIXEL_TAGS:
        raise CineError("unexpected data where the pixel data should start")
    length: int
    if implicit:
        header, length = 8, struct.unpack(order + "L", head[4:8])[0]
    elif head[4:6] in _LONG_VRS:
        header, length = 12, struct.unpack(order + "L", _read_exact(fp, 4))[0]
    else:
        header, length = 8, struct.unpack(order + "H", head[6:8])[0]
    if length != _UNDEFINED:
        end = start + header + length
        if os.fstat(fp.fileno()).st_size < end:
            raise TruncatedFileError("the file ends inside its pixel data")
        return header + length
    while True:  # encapsulated: walk the items up to the sequence delimiter
        item_tag = struct.unpack(order + "HH", _read_exact(fp, 4))
        item_length = struct.unpack(order + "L", _read_exact(fp, 4))[0]
        if item_tag == SEQUENCE_END:
            return fp.tell() - start
        if item_tag != ITEM or item_length == _UNDEFINED:
            raise CineError("the encapsulated pixel data is malformed")
        fp.seek(item_length, os.SEEK_CUR)


def _write_header(dst: BinaryIO, out: Dataset, transfer_syntax: str) -> None:
    if transfer_syntax not in JPEG_XL:
        dcmwrite(dst, out, enforce_file_format=True)
        return
    # pydicom 3.0 writes no syntax it does not know: preamble, meta and an explicit VR little
    # endian body by hand, the same bytes whether or not something registered the UID.
    fp = DicomIO(dst)
    fp.is_implicit_VR, fp.is_little_endian = False, True
    fp.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(fp, out.file_meta, enforce_standard=True)
    write_dataset(fp, out)


def _copy(src: BinaryIO, dst: BinaryIO, length: int) -> None:
    while length > 0:
        chunk = _read_exact(src, min(_CHUNK, length))
        dst.write(chunk)
        length -= len(chunk)


def deidentify_file(
    in_path: str | os.PathLike, out_path: str | os.PathLike, *, secret: bytes
) -> DeidentifiedFile:
    """De-identify the header of `in_path` into `out_path`, keeping pixel data byte-identical."""
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".part")
    with open(in_path, "rb") as src, quiet_pydicom():
        ds = _read_header(src)
        pixel_start = src.tell()
        out = deidentify_dataset(ds, secret=secret, pixels_cleaned=False)
        transfer_syntax = out.file_meta.get("TransferSyntaxUID")
        if transfer_syntax is None:
            raise NotDicomError("the file does not say how its data is encoded")
        transfer_syntax = UID(str(transfer_syntax))
        if not is_known(transfer_syntax):  # its encoding is unknown: it cannot be copied
            raise UnsupportedTransferSyntaxError(
                f"cannot de-identify {transfer_syntax_name(transfer_syntax)}: unknown encoding"
            )
        try:
            with open(partial, "wb") as dst:
                if transfer_syntax == DeflatedExplicitVRLittleEndian:
                    # The whole body is one deflate stream: re-encode it in memory (small).
                    src.seek(0)
                    full = deidentify_dataset(dcmread(src), secret=secret, pixels_cleaned=False)
                    dcmwrite(dst, full, enforce_file_format=True)
                else:
                    _write_header(dst, out, transfer_syntax)
                    src.seek(pixel_start)
                    implicit, little = encoding(transfer_syntax)
                    length = _pixel_element_length(src, little, implicit)
                    src.seek(pixel_start)
                    _copy(src, dst, length)
            os.replace(partial, out_path)
        finally:
            partial.unlink(missing_ok=True)
    return DeidentifiedFile(
        sop_class_uid=str(out.get("SOPClassUID", "")),
        sop_instance_uid=str(out.get("SOPInstanceUID", "")),
        series_instance_uid=str(out.get("SeriesInstanceUID", "")),
        study_instance_uid=str(out.get("StudyInstanceUID", "")),
        transfer_syntax_uid=str(transfer_syntax),
        burned_in_annotation=str(out.get("BurnedInAnnotation", "")),
    )
