"""The bad-input corpus: hostile or broken files, made by the tests (no committed binaries).

One table, ``CORPUS``: a name, a factory of the file's bytes, and what each route must do
with it. Routes: the web upload page, the API (both take files and ZIPs) and the DICOM
listener (datasets only: ZIPs are not sent over DICOM networking, ``listener=None``).

Outcomes (``Outcome``):

* ``refused`` — at upload, with its code and message (nothing stored); at the listener, a
  C-STORE failure status with a reason (nothing stored).
* ``failed`` — stored, then failed in processing with its code and reason. A failed loop keeps
  its original (so it can be processed again once a decoder or fix exists): it is counted,
  not a leftover; its outputs must not exist.
* ``processed`` — input that looks hostile but is a usable loop (an unknown character set, a
  huge private tag): processed, patient text de-identified as always.

Non-DICOM files reach the listener as what a peer could send: a valid file meta (ultrasound,
Explicit VR Little Endian) followed by the file's bytes as the dataset.
"""

from __future__ import annotations

import io
import random
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from tests.cine.cine_factory import base_dataset, make_cine, region_item, write

US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
REFUSED, FAILED, PROCESSED = "refused", "failed", "processed"
# PS3.4 Table B.2-1 / pynetdicom: C-STORE failure statuses.
CANNOT_UNDERSTAND, DOES_NOT_MATCH = 0xC000, 0xA900


@dataclass(frozen=True)
class Outcome:
    kind: str  # refused | failed | processed
    code: str = ""  # upload: rejection code; processing: CineLoop.error_code
    text: str = ""  # part of the message the user sees
    status: int | None = None  # listener refusals: the C-STORE status


@dataclass(frozen=True)
class BadInput:
    name: str
    make: Callable[[Path], bytes]  # scratch folder -> the file's bytes
    upload: Outcome  # web page and API
    listener: Outcome | None  # None: the route does not apply (ZIPs)


# --- building blocks -------------------------------------------------------------------------


def _cine(tmp: Path, **kwargs) -> bytes:
    return make_cine(tmp / "cine.dcm", regions=[region_item((4, 8, 59, 43))], **kwargs).read_bytes()


def good(tmp: Path) -> bytes:
    return _cine(tmp)


def _jpeg_cine(tmp: Path, **kwargs) -> bytes:
    return _cine(tmp, encoding="jpeg", **kwargs)


def _dataset_start(data: bytes) -> int:
    """Offset of the dataset after the preamble and file meta (its group length)."""
    assert data[128:132] == b"DICM" and data[132:136] == b"\x02\x00\x00\x00"
    return 144 + struct.unpack("<L", data[140:144])[0]


def _insert(data: bytes, elements: bytes) -> bytes:
    """Raw Explicit VR LE elements placed at the start of the dataset (order is not checked
    by readers; it keeps the factories free of pydicom's writer, which recurses)."""
    at = _dataset_start(data)
    return data[:at] + elements + data[at:]


def _element(group: int, elem: int, vr: bytes, value: bytes) -> bytes:
    if len(value) % 2:
        value += b" " if vr in (b"PN", b"LO", b"CS", b"SH") else b"\x00"
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
        return (
            struct.pack("<HH", group, elem) + vr + b"\0\0" + struct.pack("<L", len(value)) + value
        )
    return struct.pack("<HH", group, elem) + vr + struct.pack("<H", len(value)) + value


def _nested(depth: int) -> bytes:
    """``depth`` sequences (LanguageCodeSequence) each holding one item holding the next."""
    sq = struct.pack("<HH", 0x0008, 0x0006) + b"SQ\0\0" + b"\xff\xff\xff\xff"
    item = struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_end = struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
    sq_end = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    return (sq + item) * depth + (item_end + sq_end) * depth


def _pixel_less(tmp: Path, sop_class: str, **extra) -> bytes:
    ds = base_dataset(
        frames=None, rows=8, columns=8, photometric="MONOCHROME2", sop_class=sop_class
    )
    for key, value in extra.items():
        setattr(ds, key, value)
    return write(ds, tmp / "nopixels.dcm").read_bytes()


def _other_class(tmp: Path, sop_class: str, modality: str) -> bytes:
    """A single 16-bit frame of another modality (no frame time: what made the writer fail)."""
    ds = base_dataset(
        frames=None, rows=16, columns=16, photometric="MONOCHROME2", sop_class=sop_class
    )
    ds.Modality = modality
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelData = bytes(16 * 16 * 2)
    return write(ds, tmp / "other.dcm").read_bytes()


def _with_meta_ts(tmp: Path, transfer_syntax: str) -> bytes:
    data = _cine(tmp)
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def _patch_sof(jpeg: bytes, rows: int, columns: int) -> bytes:
    at = jpeg.index(b"\xff\xc0") + 5
    return jpeg[:at] + struct.pack(">HH", rows, columns) + jpeg[at + 4 :]


def _encapsulated(
    tmp: Path,
    fragments: list[bytes],
    *,
    ts: str,
    rows: int,
    columns: int,
    frames: int,
    bot: bytes = b"",
    items: bool = True,
) -> bytes:
    ds = base_dataset(frames=frames, rows=rows, columns=columns, photometric="MONOCHROME2")
    ds.FrameTime, ds.FrameIncrementPointer = 40.0, 0x00181063
    ds.PixelData = b""  # written by hand below
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    del ds.PixelData
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    pixel = struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\0\0" + b"\xff\xff\xff\xff"
    if items:
        pixel += struct.pack("<HHL", 0xFFFE, 0xE000, len(bot)) + bot
        for fragment in fragments:
            pixel += struct.pack("<HHL", 0xFFFE, 0xE000, len(fragment)) + fragment
    pixel += struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    return buffer.getvalue() + pixel


def _small_jpeg(rows: int = 16, columns: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (columns, rows), 128).save(buffer, "JPEG")
    return buffer.getvalue()


def _rle_bomb(tmp: Path) -> bytes:
    # One segment of a few bytes that claims to be a 20000 x 20000 frame (400 MB decoded).
    segment = b"\x81\x00" * 8  # "repeat 0 x 128" runs
    header = struct.pack("<16L", 1, 64, *([0] * 14))
    return _encapsulated(
        tmp,
        [header + segment],
        ts="1.2.840.10008.1.2.5",
        rows=20000,
        columns=20000,
        frames=1,
    )


def _jpeg_bomb(tmp: Path) -> bytes:
    jpeg = _patch_sof(_small_jpeg(), 30000, 30000)
    return _encapsulated(
        tmp, [jpeg], ts="1.2.840.10008.1.2.4.50", rows=30000, columns=30000, frames=1
    )


def _listener_wrap(payload: bytes, transfer_syntax: str = ExplicitVRLittleEndian) -> bytes:
    """A valid Part-10 file meta (ultrasound) followed by ``payload`` as the dataset."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = US_MULTIFRAME
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    ds.preamble = b"\0" * 128
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue() + payload


def listener_bytes(data: bytes) -> tuple[bytes, str]:
    """What a lying or broken peer sends for ``data``, and in which transfer syntax: the
    dataset after its file meta (or the whole file) under an ultrasound file meta, as a
    C-STORE on the ultrasound context would deliver it. A file cut inside its meta sends an
    empty dataset; an unknown transfer syntax never gets a context, so its bytes are moot."""
    transfer_syntax, payload = str(ExplicitVRLittleEndian), data
    if data[128:132] == b"DICM" and len(data) < 144:
        payload = b""  # cut right after the magic: nothing to send
    elif data[128:132] == b"DICM":
        at = _dataset_start(data)
        payload = data[at:]
        if at <= len(data):
            meta = pydicom.dcmread(io.BytesIO(data[:at]), force=True).file_meta
            transfer_syntax = str(meta.TransferSyntaxUID)
    if not UID(transfer_syntax).is_transfer_syntax:
        return _listener_wrap(payload), transfer_syntax
    return _listener_wrap(payload, transfer_syntax), transfer_syntax


def _png(tmp: Path) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_symlink(tmp: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("study/IM0001")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _zip_bomb(tmp: Path) -> bytes:
    # 64 MiB of zeros deflate to ~64 kB; the test limits expansion to 32 MiB.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("study/IM0001", "w", force_zip64=True) as member,
    ):
        for _ in range(64):
            member.write(bytes(1 << 20))
    return buffer.getvalue()


def _zip_lying_size(tmp: Path) -> bytes:
    """An entry whose headers declare 1 kB while it holds a whole cine."""
    data = _zip({"study/IM0001": good(tmp)})
    raw = bytearray(data)
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + size_at : at + size_at + 4] = struct.pack("<L", 1024)
    return bytes(raw)


def _zip_unknown_method(tmp: Path) -> bytes:
    raw = bytearray(_zip({"study/IM0001": good(tmp)}, zipfile.ZIP_STORED))
    for signature, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = raw.index(signature)
        raw[at + method_at : at + method_at + 2] = struct.pack("<H", 97)
    return bytes(raw)


def _zip_encrypted(tmp: Path) -> bytes:
    raw = bytearray(_zip({"study/IM0001": good(tmp)}, zipfile.ZIP_STORED))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature)
        raw[at + flags_at] |= 0x1
    return bytes(raw)


def _truncate(fraction: float | None = None, at: int | None = None, jpeg: bool = False):
    def make(tmp: Path) -> bytes:
        data = _jpeg_cine(tmp) if jpeg else _cine(tmp)
        cut = at if at is not None else int(len(data) * fraction)
        return data[:cut]

    return make


# --- the table -------------------------------------------------------------------------------

NOT_DICOM = Outcome(REFUSED, "not_dicom", "not a DICOM file")
EMPTY = Outcome(REFUSED, "empty_file", "The file is empty")
# Garbage parsed as a dataset fails in ways that depend on the bytes: the status is the code,
# and the comment must be one of the reader's reasons (non-empty, no header value).
LISTENER_GARBAGE = Outcome(REFUSED, "", "", CANNOT_UNDERSTAND)
LISTENER_EMPTY = Outcome(REFUSED, "", "ends before", CANNOT_UNDERSTAND)
NOT_US = "not an ultrasound"  # what fits in a C-STORE Error Comment (64 characters) too


def failed(code: str, text: str) -> Outcome:
    return Outcome(FAILED, code, text)


def dicom(
    name: str, make: Callable[[Path], bytes], outcome: Outcome, listener: Outcome | None = None
) -> BadInput:
    """A DICOM (or DICOM-looking) input: the listener does what processing does unless told."""
    return BadInput(name, make, outcome, listener or outcome)


def non_dicom(name: str, make: Callable[[Path], bytes]) -> BadInput:
    return BadInput(name, make, NOT_DICOM, LISTENER_GARBAGE)


def zipped(name: str, make: Callable[[Path], bytes], outcome: Outcome) -> BadInput:
    return BadInput(name, make, outcome, None)


def not_us(name: str, make: Callable[[Path], bytes]) -> BadInput:
    return dicom(
        name,
        make,
        failed("unsupported_sop_class", NOT_US),
        Outcome(REFUSED, "", NOT_US, DOES_NOT_MATCH),
    )


_random = random.Random(11)
CORPUS: list[BadInput] = [
    # Not DICOM at all: refused at upload (the listener cannot parse them as a dataset).
    BadInput("zero_byte", lambda tmp: b"", EMPTY, LISTENER_EMPTY),
    non_dicom("text", lambda tmp: b"Patient list exported from the ward computer\n" * 20),
    non_dicom("png", _png),
    non_dicom("pdf", lambda tmp: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" * 4),
    non_dicom("random", lambda tmp: _random.randbytes(4096)),
    non_dicom("html", lambda tmp: b"<!doctype html><html><body>report</body></html>" * 8),
    non_dicom("jpeg_photo", lambda tmp: _small_jpeg(64, 64)),
    non_dicom("gzip", lambda tmp: b"\x1f\x8b\x08\x00" + _random.randbytes(300)),
    non_dicom("wrong_magic", lambda tmp: bytes(128) + b"DICX" + good(tmp)[132:]),
    non_dicom("truncated_in_preamble", _truncate(at=100)),
    # Truncated DICOM: stored, fails in processing (several cut points).
    dicom(
        "truncated_after_magic", _truncate(at=132), failed("truncated_file", "ends"), LISTENER_EMPTY
    ),
    dicom("truncated_in_meta", _truncate(at=170), failed("truncated_file", "ends"), LISTENER_EMPTY),
    dicom(
        "truncated_in_header",
        _truncate(at=400),
        failed("truncated_file", "ends inside its DICOM header"),
        Outcome(REFUSED, "", "ends inside its DICOM header", CANNOT_UNDERSTAND),
    ),
    dicom("truncated_in_pixels", _truncate(0.6), failed("truncated_file", "ends before")),
    dicom("truncated_last_byte", _truncate(at=-1), failed("truncated_file", "ends before")),
    dicom("truncated_jpeg", _truncate(0.7, jpeg=True), failed("truncated_file", "ends inside")),
    # Lying dimensions.
    dicom(
        "rows_lie",
        lambda tmp: _cine(tmp, extra={"Rows": 96}),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "frames_lie_native",
        lambda tmp: _cine(tmp, declared_frames=10),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "too_many_bytes",
        lambda tmp: _cine(tmp, declared_frames=3),
        failed("inconsistent_image", "more bytes"),
    ),
    dicom(
        "frames_lie_jpeg",
        lambda tmp: _jpeg_cine(tmp, frames=4, declared_frames=10),
        failed("inconsistent_image", "NumberOfFrames is larger"),
    ),
    dicom(
        "jpeg_size_lie",
        lambda tmp: _jpeg_cine(tmp, extra={"Columns": 65}),
        failed("inconsistent_image", "compressed frame size"),
    ),
    dicom(
        "zero_frames",
        lambda tmp: _cine(tmp, declared_frames=0),
        failed("inconsistent_image", "NumberOfFrames is 0"),
    ),
    dicom(
        "zero_rows",
        lambda tmp: _cine(tmp, extra={"Rows": 0}),
        failed("inconsistent_image", "invalid"),
    ),
    dicom(
        "frames_not_a_number",
        lambda tmp: _cine(tmp).replace(b"(\x00\x08\x00IS\x02\x006 ", b"(\x00\x08\x00IS\x02\x00X "),
        failed("inconsistent_image", "not a number"),
    ),
    dicom(
        "bits_allocated_12",
        lambda tmp: _cine(tmp, extra={"BitsAllocated": 12}),
        failed("inconsistent_image", "invalid"),
    ),
    dicom(
        "photometric_missing",
        lambda tmp: _cine(tmp, extra={"PhotometricInterpretation": ""}),
        failed("inconsistent_image", "PhotometricInterpretation is missing"),
    ),
    dicom(
        "photometric_unknown",
        lambda tmp: _cine(tmp, extra={"PhotometricInterpretation": "CMYK"}),
        failed("unsupported_image", "PhotometricInterpretation"),
    ),
    # Decompression bombs and huge frame counts.
    dicom("rle_bomb", _rle_bomb, failed("frame_too_large", "megapixel")),
    dicom("jpeg_bomb", _jpeg_bomb, failed("frame_too_large", "megapixel")),
    dicom(
        "huge_frame_count_native",
        lambda tmp: _cine(tmp, declared_frames=2**31 - 1),
        failed("inconsistent_image", "fewer bytes"),
    ),
    dicom(
        "huge_frame_count_jpeg",
        lambda tmp: _jpeg_cine(tmp, frames=2, declared_frames=10**9),
        failed("inconsistent_image", "NumberOfFrames is larger"),
    ),
    # Structure.
    dicom(
        "nested_1000_deep",
        lambda tmp: _insert(good(tmp), _nested(1000)),
        failed("nesting_too_deep", "nested"),
        Outcome(REFUSED, "", "nested", CANNOT_UNDERSTAND),
    ),
    dicom(
        "nested_100_deep",
        lambda tmp: _insert(good(tmp), _nested(100)),
        failed("nesting_too_deep", "nested"),
        Outcome(REFUSED, "", "nested", CANNOT_UNDERSTAND),
    ),
    dicom(
        "no_pixel_data",
        lambda tmp: _pixel_less(tmp, US_MULTIFRAME),
        failed("no_pixel_data", "no pixel data"),
    ),
    dicom(
        "float_pixel_data",
        lambda tmp: _pixel_less(tmp, US_MULTIFRAME) + _element(0x7FE0, 0x0008, b"OF", bytes(256)),
        failed("no_pixel_data", "float pixel data"),
    ),
    dicom(
        "unknown_transfer_syntax",
        lambda tmp: _with_meta_ts(tmp, "1.2.3.4.5.6"),
        failed("unsupported_transfer_syntax", "unknown transfer syntax"),
        # No presentation context offers it: refused at association, before any data.
        Outcome(REFUSED, "", "no accepted presentation context"),
    ),
    dicom(
        "encapsulated_no_fragments",
        lambda tmp: _encapsulated(
            tmp, [], ts="1.2.840.10008.1.2.4.50", rows=16, columns=16, frames=1
        ),
        failed("inconsistent_image", "holds no frames"),
    ),
    dicom(
        "encapsulated_no_items",
        lambda tmp: _encapsulated(
            tmp, [], ts="1.2.840.10008.1.2.4.50", rows=16, columns=16, frames=1, items=False
        ),
        failed("inconsistent_image", "no basic offset table"),
    ),
    dicom(
        "encapsulated_in_native_syntax",
        lambda tmp: _encapsulated(
            tmp, [_small_jpeg()], ts=ExplicitVRLittleEndian, rows=16, columns=16, frames=1
        ),
        failed("inconsistent_image", "does not match the transfer syntax"),
    ),
    dicom(
        "corrupt_jpeg_fragment",
        lambda tmp: _encapsulated(
            tmp,
            [_small_jpeg()[:40] + bytes(200)],
            ts="1.2.840.10008.1.2.4.50",
            rows=16,
            columns=16,
            frames=1,
        ),
        failed("pixel_decode", "could not be decoded"),
    ),
    # Character sets and private tags: hostile-looking, yet a usable loop.
    dicom(
        "unknown_character_set",
        lambda tmp: _cine(tmp, extra={"SpecificCharacterSet": "ISO_IR 999"}),
        Outcome(PROCESSED),
    ),
    dicom(
        "invalid_utf8_bytes",
        lambda tmp: _insert(good(tmp), _element(0x0010, 0x1001, b"PN", b"\xff\xfe\xc3\x28Zhang")),
        Outcome(PROCESSED),
    ),
    dicom(
        "broken_iso2022_escape",
        lambda tmp: _insert(
            _cine(tmp, extra={"SpecificCharacterSet": ["", "ISO 2022 IR 87"]}),
            _element(0x0010, 0x1001, b"PN", b"\x1b$B\xff\xff\x1b("),
        ),
        Outcome(PROCESSED),
    ),
    dicom(
        "huge_private_tag",
        lambda tmp: _insert(
            good(tmp),
            _element(0x0009, 0x0010, b"LO", b"HOSTILE")
            + _element(0x0009, 0x1000, b"OB", bytes(8 << 20)),
        ),
        Outcome(PROCESSED),
    ),
    # Other SOP classes: not ultrasound.
    not_us("ct_image", lambda tmp: _other_class(tmp, "1.2.840.10008.5.1.4.1.1.2", "CT")),
    not_us("mr_image", lambda tmp: _other_class(tmp, "1.2.840.10008.5.1.4.1.1.4", "MR")),
    not_us("secondary_capture", lambda tmp: _other_class(tmp, "1.2.840.10008.5.1.4.1.1.7", "US")),
    not_us(
        "structured_report",
        lambda tmp: _pixel_less(tmp, "1.2.840.10008.5.1.4.1.1.88.11", Modality="SR"),
    ),
    not_us("dicomdir", lambda tmp: _pixel_less(tmp, "1.2.840.10008.1.3.10")),
    # ZIPs (web and API only).
    zipped(
        "zip_traversal",
        lambda tmp: _zip({"../../etc/cron.d/IM0001": good(tmp)}),
        Outcome(REFUSED, "zip_entry_unsafe_name", "unsafe name"),
    ),
    zipped(
        "zip_absolute_name",
        lambda tmp: _zip({"/tmp/IM0001": good(tmp)}),
        Outcome(REFUSED, "zip_entry_unsafe_name", "unsafe name"),
    ),
    zipped("zip_symlink", _zip_symlink, Outcome(REFUSED, "zip_entry_symlink", "symbolic link")),
    zipped("zip_bomb", _zip_bomb, Outcome(REFUSED, "zip_too_large", "would expand")),
    zipped("zip_lying_size", _zip_lying_size, Outcome(REFUSED, "zip_entry_damaged", "damaged")),
    zipped(
        "zip_too_many_entries",
        lambda tmp: _zip({f"s/IM{n:05}": b"x" for n in range(60)}),
        Outcome(REFUSED, "zip_too_many", "more than"),
    ),
    zipped(
        "zip_only_dicomdir",
        lambda tmp: _zip({"DICOMDIR": _pixel_less(tmp, "1.2.840.10008.1.3.10")}),
        Outcome(REFUSED, "zip_empty", "holds no files"),
    ),
    zipped(
        "zip_of_text",
        lambda tmp: _zip({"study/IM0001": b"not an image\n" * 50}),
        Outcome(REFUSED, "not_dicom", "not a DICOM file"),
    ),
    zipped(
        "zip_empty_member",
        lambda tmp: _zip({"study/IM0001": b""}),
        Outcome(REFUSED, "empty_file", "The file is empty"),
    ),
    zipped(
        "zip_in_zip",
        lambda tmp: _zip({"inner.zip": _zip({"IM0001": good(tmp)})}),
        Outcome(REFUSED, "not_dicom", "not a DICOM file"),
    ),
    zipped(
        "zip_damaged",
        lambda tmp: b"PK\x03\x04" + bytes(300),
        Outcome(REFUSED, "bad_zip", "damaged"),
    ),
    zipped(
        "zip_unknown_method",
        _zip_unknown_method,
        Outcome(REFUSED, "zip_entry_compression", "compression method"),
    ),
    zipped("zip_encrypted", _zip_encrypted, Outcome(REFUSED, "zip_entry_encrypted", "encrypted")),
]

# The limits the corpus test runs with (the bombs are sized against them).
TEST_LIMITS = {
    "CINE_MAX_UPLOAD_BYTES": 24 << 20,
    "CINE_MAX_ZIP_MEMBERS": 50,
    "CINE_MAX_ZIP_EXPANDED_BYTES": 32 << 20,
}


def _work(folder: Path) -> None:
    """The corpus worker: process every ``*.in`` file in ``folder`` one after the other, as
    the task does (``cine.pipeline.process`` with the de-identifying DICOM writer), then a
    good loop; print one JSON line per file and the peak RSS. Run in a fresh interpreter by
    the test, so that its memory is the processing's alone."""
    import json
    import shutil

    from cine.errors import CineError
    from cine.pipeline import deidentified_dicom_writer, process

    writer = deidentified_dicom_writer(b"corpus-worker-secret-0123456789")
    (folder / "good.in").write_bytes(good(folder))
    for path in sorted(folder.glob("*.in"), key=lambda p: p.name == "good.in"):
        out = folder / "out" / path.stem / "derived"
        try:
            process(path, out, dicom_writer=writer)
            line = {"name": path.stem, "outcome": PROCESSED}
        except CineError as exc:
            line = {"name": path.stem, "outcome": FAILED, "error": type(exc).__name__}
        shutil.rmtree(folder / "out", ignore_errors=True)
        print(json.dumps(line), flush=True)
    print(json.dumps({"peak_rss_bytes": _peak_rss_bytes()}), flush=True)


def _peak_rss_bytes() -> int:
    """This process's peak resident memory. Not ``ru_maxrss``: Linux carries it over ``exec``
    from the forking parent, so a child of a large pytest process reported the parent's size
    (420 MiB in a full run, 200 MiB alone). VmHWM belongs to the new address space."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kB


if __name__ == "__main__":
    import sys

    _work(Path(sys.argv[1]))


__all__ = ["CORPUS", "TEST_LIMITS", "BadInput", "Outcome", "good", "listener_bytes"]
