"""The byte factories of the bad-input corpus (``tests.cineloops.bad_inputs``): DICOM cines
with one thing wrong, bombs, ZIPs that lie, and what a DICOM peer would send instead of a file."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

from tests.cine.cine_factory import base_dataset, make_cine, region_item, write

US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"


def cine_bytes(tmp: Path, **kwargs) -> bytes:
    return make_cine(tmp / "cine.dcm", regions=[region_item((4, 8, 59, 43))], **kwargs).read_bytes()


def good(tmp: Path) -> bytes:
    return cine_bytes(tmp)


def jpeg_cine(tmp: Path, **kwargs) -> bytes:
    return cine_bytes(tmp, encoding="jpeg", **kwargs)


def dataset_start(data: bytes) -> int:
    """Offset of the dataset after the preamble and file meta (its group length)."""
    assert data[128:132] == b"DICM" and data[132:136] == b"\x02\x00\x00\x00"
    return 144 + struct.unpack("<L", data[140:144])[0]


def insert(data: bytes, elements: bytes) -> bytes:
    """Raw Explicit VR LE elements placed at the start of the dataset (order is not checked
    by readers; it keeps the factories free of pydicom's writer, which recurses)."""
    at = dataset_start(data)
    return data[:at] + elements + data[at:]


def element(group: int, elem: int, vr: bytes, value: bytes) -> bytes:
    if len(value) % 2:
        value += b" " if vr in (b"PN", b"LO", b"CS", b"SH") else b"\x00"
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
        return (
            struct.pack("<HH", group, elem) + vr + b"\0\0" + struct.pack("<L", len(value)) + value
        )
    return struct.pack("<HH", group, elem) + vr + struct.pack("<H", len(value)) + value


def nested(depth: int) -> bytes:
    """``depth`` sequences (LanguageCodeSequence) each holding one item holding the next."""
    sq = struct.pack("<HH", 0x0008, 0x0006) + b"SQ\0\0" + b"\xff\xff\xff\xff"
    item = struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_end = struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
    sq_end = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    return (sq + item) * depth + (item_end + sq_end) * depth


def pixel_less(tmp: Path, sop_class: str, **extra) -> bytes:
    ds = base_dataset(
        frames=None, rows=8, columns=8, photometric="MONOCHROME2", sop_class=sop_class
    )
    for key, value in extra.items():
        setattr(ds, key, value)
    return write(ds, tmp / "nopixels.dcm").read_bytes()


def other_class(tmp: Path, sop_class: str, modality: str) -> bytes:
    """A single 16-bit frame of another modality (no frame time: what made the writer fail)."""
    ds = base_dataset(
        frames=None, rows=16, columns=16, photometric="MONOCHROME2", sop_class=sop_class
    )
    ds.Modality = modality
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelData = bytes(16 * 16 * 2)
    return write(ds, tmp / "other.dcm").read_bytes()


def with_meta_ts(tmp: Path, transfer_syntax: str) -> bytes:
    data = cine_bytes(tmp)
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def patch_sof(jpeg: bytes, rows: int, columns: int) -> bytes:
    at = jpeg.index(b"\xff\xc0") + 5
    return jpeg[:at] + struct.pack(">HH", rows, columns) + jpeg[at + 4 :]


def encapsulated(
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


def small_jpeg(rows: int = 16, columns: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (columns, rows), 128).save(buffer, "JPEG")
    return buffer.getvalue()


def rle_bomb(tmp: Path) -> bytes:
    # One segment of a few bytes that claims to be a 20000 x 20000 frame (400 MB decoded).
    segment = b"\x81\x00" * 8  # "repeat 0 x 128" runs
    header = struct.pack("<16L", 1, 64, *([0] * 14))
    return encapsulated(
        tmp,
        [header + segment],
        ts="1.2.840.10008.1.2.5",
        rows=20000,
        columns=20000,
        frames=1,
    )


def jpeg_bomb(tmp: Path) -> bytes:
    jpeg = patch_sof(small_jpeg(), 30000, 30000)
    return encapsulated(
        tmp, [jpeg], ts="1.2.840.10008.1.2.4.50", rows=30000, columns=30000, frames=1
    )


def listener_wrap(payload: bytes, transfer_syntax: str = ExplicitVRLittleEndian) -> bytes:
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
        at = dataset_start(data)
        payload = data[at:]
        if at <= len(data):
            meta = pydicom.dcmread(io.BytesIO(data[:at]), force=True).file_meta
            transfer_syntax = str(meta.TransferSyntaxUID)
    if not UID(transfer_syntax).is_transfer_syntax:
        return listener_wrap(payload), transfer_syntax
    return listener_wrap(payload, transfer_syntax), transfer_syntax


def png(tmp: Path) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_symlink(tmp: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("study/IM0001")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def zip_bomb(tmp: Path) -> bytes:
    # 64 MiB of zeros deflate to ~64 kB; the test limits expansion to 32 MiB.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("study/IM0001", "w", force_zip64=True) as member,
    ):
        for _ in range(64):
            member.write(bytes(1 << 20))
    return buffer.getvalue()


def zip_lying_size(tmp: Path) -> bytes:
    """An entry whose headers declare 1 kB while it holds a whole cine."""
    data = zip_bytes({"study/IM0001": good(tmp)})
    raw = bytearray(data)
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + size_at : at + size_at + 4] = struct.pack("<L", 1024)
    return bytes(raw)


def zip_unknown_method(tmp: Path) -> bytes:
    raw = bytearray(zip_bytes({"study/IM0001": good(tmp)}, zipfile.ZIP_STORED))
    for signature, method_at in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = raw.index(signature)
        raw[at + method_at : at + method_at + 2] = struct.pack("<H", 97)
    return bytes(raw)


def zip_encrypted(tmp: Path) -> bytes:
    raw = bytearray(zip_bytes({"study/IM0001": good(tmp)}, zipfile.ZIP_STORED))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature)
        raw[at + flags_at] |= 0x1
    return bytes(raw)


def truncate(fraction: float | None = None, at: int | None = None, jpeg: bool = False):
    def make(tmp: Path) -> bytes:
        data = jpeg_cine(tmp) if jpeg else cine_bytes(tmp)
        cut = at if at is not None else int(len(data) * fraction)
        return data[:cut]

    return make
