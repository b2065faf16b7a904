"""Open a DICOM cine lazily, check its pixel data tells the truth, and stream decoded frames.

``read_header`` parses everything before Pixel Data and then only walks the pixel data's item
headers (seek, never read the frames), so a 2 GB loop costs a few kB of memory. It rejects,
with a ``CineError``, input that cannot be handled: not DICOM, truncated, sequences nested too
deep (``cine.dataset_checks``), no pixel data, no decoder, NumberOfFrames or Rows x Columns that
the bytes contradict, zero frames, frames larger than ``MAX_FRAME_PIXELS``.
``cine.dataset_checks.looks_like_dicom`` is the cheap check of a file's first bytes that
uploads use.

``iter_frames`` yields one decoded frame at a time, as stored samples except that colour
comes out RGB: YBR_* is converted exactly once, by whichever decoder runs. Four paths:

* ``pillow-jpeg`` — JPEG Baseline frames decoded straight from their fragments by Pillow
  (libjpeg-turbo, which converts YCbCr to RGB itself; DOMAIN §7: ~7x faster). Only used when
  the codestream's own colour signalling (JFIF/Adobe markers, component ids) makes libjpeg
  interpret the colours the way the DICOM header says; otherwise —
* ``pydicom`` — pydicom's decoder for the transfer syntax (``get_decoder(ts).iter_array``,
  what ``pydicom.pixels.iter_pixels`` runs) on the open file, positioned at the pixel data;
* ``jpegxl`` — JPEG XL frames, one codestream each, through libjxl (``cine.jpegxl``);
* ``pyav`` — H.264 / HEVC: all fragments are one video stream, decoded by FFmpeg as it is
  read from the file (``cine.video_stream``).
"""

from __future__ import annotations

import dataclasses
import io
import os
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels import as_pixel_options, get_decoder
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    RLELossless,
)

from cine import jpegxl, syntaxes, video_stream
from cine.dataset_checks import (
    US_SOP_CLASSES,
    open_dicom,
    parse_dataset,
    require_ultrasound,
)
from cine.errors import (
    CineError,
    FrameTooLargeError,
    InconsistentImageError,
    NoPixelDataError,
    NotDicomError,
    PixelDecodeError,
    TruncatedFileError,
    UnsupportedImageError,
    UnsupportedTransferSyntaxError,
)
from cine.fragments import group_frames, read_frame, scan_items
from cine.frames import SUPPORTED_PHOTOMETRIC
from cine.jpeg import JpegInfo, j2k_size, jpeg_info
from cine.syntaxes import JPEG_XL, VIDEO, encoding, is_encapsulated, is_known
from cine.timing import frame_timing
from cine.video_stream import VideoStreamInfo

# A 4K UHD frame; scanners send at most ~2 MP. Larger Rows x Columns (a tiny RLE or JPEG
# claiming 20000 x 20000) would allocate hundreds of MB per decoded frame.
MAX_FRAME_PIXELS = 3840 * 2160
_LONG_VRS = {b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"UN", b"UT", b"SQ", b"UC", b"UR"}
_PIXEL_TAGS = {(0x7FE0, 0x0010): "PixelData", (0x7FE0, 0x0008): "Float", (0x7FE0, 0x0009): "Dbl"}
# Photometric interpretations that only these codecs define (PS3.5 8.2.7, 8.2.15).
_CODEC_PHOTOMETRICS = frozenset({"YBR_PARTIAL_420", "XYB"})


@dataclass(frozen=True)
class PixelLayout:
    transfer_syntax: str
    rows: int
    columns: int
    samples_per_pixel: int
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    photometric: str
    planar_configuration: int
    frames: int
    encapsulated: bool
    value_offset: int  # where the Pixel Data value starts in the source
    pixel_vr: str | None = None  # explicit VR of Pixel Data (OB/OW matters for big endian)
    # Encapsulated: ((offset, length), ...) of the fragments of each frame; for a video
    # stream (H.264, HEVC) one entry holding every fragment.
    frame_fragments: tuple[tuple[tuple[int, int], ...], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class CineHeader:
    dataset: Dataset = field(repr=False, compare=False)  # everything before Pixel Data
    layout: PixelLayout
    sop_class_uid: str
    decoder: str  # "pillow-jpeg", "pydicom", "jpegxl" or "pyav"
    transfer_syntax_guessed: bool = False  # no file meta: derived from the encoding
    in_memory: bool = False  # deflated: the whole dataset had to be inflated
    video: VideoStreamInfo | None = None  # H.264 / HEVC: what the stream itself says

    @property
    def is_ultrasound(self) -> bool:
        return self.sop_class_uid in US_SOP_CLASSES


def _transfer_syntax(ds: Dataset) -> tuple[str, bool]:
    meta = getattr(ds, "file_meta", None)
    ts = meta.get("TransferSyntaxUID") if meta is not None else None
    if ts:
        return str(ts), False
    implicit, little = ds.original_encoding
    if implicit is None:
        raise NotDicomError("the file has no transfer syntax and its encoding is unknown")
    guessed = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    return (guessed if little else ExplicitVRBigEndian), True


def _pixel_element(fp: BinaryIO, ds: Dataset, ts: str) -> tuple[int | None, int, str | None]:
    """Read the Pixel Data element header at fp: (value length or None, value offset, VR)."""
    # pydicom reports the encoding it really found, which some files get wrong in the meta.
    implicit, little = ds.original_encoding
    ts_implicit, ts_little = encoding(ts)
    implicit = ts_implicit if implicit is None else implicit
    little = ts_little if little is None else little
    data = fp.read(8)
    if not data:
        raise NoPixelDataError("the file has no pixel data")
    if len(data) < 8:
        raise TruncatedFileError("the file ends inside its DICOM header")
    end = "<" if little else ">"
    group, elem = struct.unpack(f"{end}HH", data[:4])
    kind = _PIXEL_TAGS.get((group, elem))
    if kind is None:
        # The parser stopped short of the end at an element it could not read whole.
        raise TruncatedFileError("the file ends inside its DICOM header")
    if kind != "PixelData":
        raise NoPixelDataError("float pixel data is not an image this library shows")
    vr = None
    if not implicit and not data[4:6].isalpha():
        implicit = True  # meta says explicit VR but the dataset is implicit (pydicom copes too)
    if implicit:
        length = struct.unpack(f"{end}L", data[4:8])[0]
    elif data[4:6] in _LONG_VRS:
        more = fp.read(4)
        if len(more) < 4:
            raise TruncatedFileError("the file ends inside the Pixel Data header")
        length = struct.unpack(f"{end}L", more)[0]
        vr = data[4:6].decode("ascii")
    else:
        length = struct.unpack(f"{end}H", data[6:8])[0]
    return (None if length == 0xFFFFFFFF else length), fp.tell(), vr


def _int(ds: Dataset, keyword: str, default: int | None = None) -> int:
    value = ds.get(keyword, default)
    try:
        if value is None or value == "":
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise InconsistentImageError(f"{keyword} is missing or not a number") from None


def _frame_bytes(rows: int, cols: int, spp: int, bits: int, photometric: str) -> float:
    if photometric == "YBR_FULL_422":  # native 4:2:2: two samples per pixel on average
        return rows * cols * 2 * bits / 8
    return rows * cols * spp * bits / 8


def _check_native(length: int, value_offset: int, size: int, frame_len: float, frames: int) -> None:
    if value_offset + length > size:
        raise TruncatedFileError("the file ends before the end of the pixel data")
    expected = int(np.ceil(frame_len * frames))
    if length < expected:
        raise InconsistentImageError(
            "the pixel data holds fewer bytes than Rows x Columns x NumberOfFrames need"
        )
    if length - expected > 1:  # one byte pads an odd length; more means the sizes lie
        raise InconsistentImageError(
            "the pixel data holds more bytes than Rows x Columns x NumberOfFrames describe"
        )


def _libjpeg_colour(info: JpegInfo) -> str:
    """How libjpeg(-turbo) will interpret a 3-component JPEG: 'YBR' or 'RGB' (jdapimin.c)."""
    if info.jfif:
        return "YBR"
    if info.adobe_transform is not None:
        return "RGB" if info.adobe_transform == 0 else "YBR"
    return "RGB" if info.component_ids == (82, 71, 66) else "YBR"


def _pillow_can_decode(layout: PixelLayout, info: JpegInfo | None) -> bool:
    if layout.transfer_syntax not in (JPEGBaseline8Bit, JPEGExtended12Bit) or info is None:
        return False
    if info.precision != 8 or info.sof not in (0xC0, 0xC1) or layout.bits_allocated != 8:
        return False
    if layout.samples_per_pixel == 1:
        return info.components == 1
    if layout.samples_per_pixel != 3 or info.components != 3:
        return False
    wanted = "RGB" if layout.photometric == "RGB" else "YBR"
    if not layout.photometric.startswith(("YBR_FULL", "RGB")):
        return False
    return _libjpeg_colour(info) == wanted


def _check_codestream_size(layout: PixelLayout, first: bytes) -> JpegInfo | None:
    """Compare Rows/Columns with the first frame's own size (JPEG SOF or J2K SIZ)."""
    info = jpeg_info(first)
    size = (info.height, info.width) if info else j2k_size(first)
    if size is not None and size != (layout.rows, layout.columns):
        raise InconsistentImageError("Rows and Columns do not match the compressed frame size")
    if layout.transfer_syntax == RLELossless and len(first) >= 4:
        segments = struct.unpack("<L", first[:4])[0]
        if segments != layout.samples_per_pixel * ((layout.bits_allocated + 7) // 8):
            raise InconsistentImageError("the RLE frames do not match SamplesPerPixel")
    return info


def _decoder_available(ts: str) -> bool:
    if ts in JPEG_XL:
        return jpegxl.available()
    if ts in VIDEO:
        return video_stream.available(ts)
    try:
        return bool(get_decoder(UID(ts)).is_available)
    except (NotImplementedError, ValueError):
        return False


def _photometrics(ts: str) -> frozenset[str]:
    if ts in JPEG_XL:
        return jpegxl.PHOTOMETRICS
    if ts in VIDEO:
        return video_stream.PHOTOMETRICS
    return SUPPORTED_PHOTOMETRIC - _CODEC_PHOTOMETRICS


def read_header(path: str | os.PathLike[str], *, ultrasound_only: bool = False) -> CineHeader:
    """Parse and check a DICOM file up to (and the structure of) its pixel data.

    ``ultrasound_only``: refuse other SOP classes first (``require_ultrasound``), so that a
    CT or a report fails for what it is rather than for its pixel data.
    """
    with open_dicom(path) as (fp, size):
        return _read_header(fp, size, ultrasound_only)


def _read_header(fp: BinaryIO, size: int, ultrasound_only: bool) -> CineHeader:
    ds = parse_dataset(fp, size)
    if ultrasound_only:
        require_ultrasound(ds)
    ts, guessed = _transfer_syntax(ds)
    if not is_known(ts):
        raise UnsupportedTransferSyntaxError(
            f"no installed decoder reads {syntaxes.transfer_syntax_name(ts)}"
        )
    source: BinaryIO = fp
    length: int | None
    in_memory = ts == DeflatedExplicitVRLittleEndian
    if in_memory:  # the pixel data sits inside the deflate stream: inflate the dataset
        fp.seek(0)
        try:
            full = dcmread(fp)
        except (zlib.error, EOFError, ValueError) as exc:
            raise TruncatedFileError("the compressed dataset is incomplete") from exc
        if "PixelData" not in full:
            raise NoPixelDataError("the file has no pixel data")
        source, size = io.BytesIO(full.PixelData), len(full.PixelData)
        length, value_offset, vr = size, 0, None
    else:
        length, value_offset, vr = _pixel_element(fp, ds, ts)

    if "PixelData" in ds:  # only possible after a full read; keep the header light
        del ds.PixelData
    if is_encapsulated(ts) != (length is None):
        raise InconsistentImageError("the pixel data encoding does not match the transfer syntax")
    if not _decoder_available(ts):
        raise UnsupportedTransferSyntaxError(
            f"no installed decoder reads {syntaxes.transfer_syntax_name(ts)}"
        )

    # Absent or empty NumberOfFrames means one frame (PS3.3 C.7.6.6); an explicit 0 is rejected.
    frames = 1 if ds.get("NumberOfFrames") in (None, "") else _int(ds, "NumberOfFrames")
    rows, cols = _int(ds, "Rows"), _int(ds, "Columns")
    spp, bits = _int(ds, "SamplesPerPixel", 1), _int(ds, "BitsAllocated")
    photometric = str(ds.get("PhotometricInterpretation", "") or "").strip().upper()
    if frames < 1:
        raise InconsistentImageError("NumberOfFrames is 0: there are no frames")
    if rows < 1 or cols < 1 or spp not in (1, 3) or bits not in (1, 8, 16, 32):
        raise InconsistentImageError("Rows, Columns, SamplesPerPixel or BitsAllocated is invalid")
    if rows * cols > MAX_FRAME_PIXELS:
        raise FrameTooLargeError(
            f"Rows x Columns exceed {MAX_FRAME_PIXELS / 1e6:.1f} megapixels, more than any "
            "ultrasound frame"
        )
    if not photometric:
        raise InconsistentImageError("PhotometricInterpretation is missing")
    if photometric not in _photometrics(ts):
        raise UnsupportedImageError("this PhotometricInterpretation is not supported")
    layout = PixelLayout(
        transfer_syntax=ts,
        rows=rows,
        columns=cols,
        samples_per_pixel=spp,
        bits_allocated=bits,
        bits_stored=_int(ds, "BitsStored", bits),
        pixel_representation=_int(ds, "PixelRepresentation", 0),
        photometric=photometric,
        planar_configuration=_int(ds, "PlanarConfiguration", 0),
        frames=frames,
        encapsulated=length is None,
        value_offset=value_offset,
        pixel_vr=vr,
    )

    info, video = None, None
    if length is None:
        source.seek(value_offset)
        bot, frags = scan_items(source, size)
        if ts in VIDEO:
            if not frags:
                raise InconsistentImageError("the pixel data holds no frames")
            pixel_layout = dataclasses.replace(layout, frame_fragments=(tuple(frags),))
            video = video_stream.probe(source, pixel_layout)
            video_stream.check_rate(frame_timing(ds, frames), video)
        else:
            grouped = group_frames(source, ds, bot, frags, frames)
            pixel_layout = dataclasses.replace(layout, frame_fragments=grouped)
            first = read_frame(source, grouped[0])
            if ts in JPEG_XL:
                with _wrapped_decode_errors():  # size, samples and depth of the codestream
                    jpegxl.decode_frame(first, pixel_layout)
            else:
                info = _check_codestream_size(pixel_layout, first)
    else:
        if length == 0:
            raise InconsistentImageError("the pixel data is empty: there are no frames")
        frame_len = _frame_bytes(rows, cols, spp, bits, photometric)
        _check_native(length, value_offset, size, frame_len, frames)
        pixel_layout = layout

    if ts in JPEG_XL:
        decoder = "jpegxl"
    elif ts in VIDEO:
        decoder = "pyav"
    else:
        decoder = "pillow-jpeg" if _pillow_can_decode(pixel_layout, info) else "pydicom"
    sop = str(ds.get("SOPClassUID", "") or "")
    return CineHeader(ds, pixel_layout, sop, decoder, guessed, in_memory, video)


@contextmanager
def _wrapped_decode_errors() -> Iterator[None]:
    try:
        yield
    except CineError:
        raise
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # decoders raise anything from ValueError to RuntimeError
        raise PixelDecodeError("a frame of the pixel data could not be decoded") from exc


def iter_frames(
    path: str | os.PathLike[str], header: CineHeader, *, decode_order: list[int] | None = None
) -> Iterator[np.ndarray]:
    """Yield each frame of ``path`` (checked by ``read_header``): RGB or stored grey/indices.

    ``decode_order``: for a video stream, receives each frame's packet number (``cine.remux``).
    """
    layout = header.layout
    with Path(path).open("rb") as fp, _wrapped_decode_errors():
        if header.decoder == "pyav":
            yield from video_stream.iter_video_frames(fp, layout, decode_order)
            return
        if header.decoder == "jpegxl":
            for fragments in layout.frame_fragments:
                yield jpegxl.decode_frame(read_frame(fp, fragments), layout)
            return
        if header.decoder == "pillow-jpeg":
            for fragments in layout.frame_fragments:
                image = Image.open(io.BytesIO(read_frame(fp, fragments)), formats=("JPEG",))
                arr = np.asarray(image)
                if arr.shape[:2] != (layout.rows, layout.columns):
                    raise InconsistentImageError("a frame's size differs from Rows x Columns")
                yield arr
            return
        source: BinaryIO = fp
        if header.in_memory:
            source = io.BytesIO(dcmread(fp).PixelData)
        source.seek(layout.value_offset)
        # The checked layout overrides the header, so pydicom frames what read_header checked.
        opts = as_pixel_options(
            header.dataset,
            transfer_syntax_uid=UID(layout.transfer_syntax),
            pixel_keyword="PixelData",
            rows=layout.rows,
            columns=layout.columns,
            number_of_frames=layout.frames,
            samples_per_pixel=layout.samples_per_pixel,
            bits_allocated=layout.bits_allocated,
            bits_stored=layout.bits_stored,
            photometric_interpretation=layout.photometric,
            pixel_representation=layout.pixel_representation,
            planar_configuration=layout.planar_configuration,
        )
        if layout.pixel_vr:
            opts["pixel_vr"] = layout.pixel_vr
        decoder = get_decoder(UID(layout.transfer_syntax))
        for arr, _ in decoder.iter_array(source, raw=False, **opts):
            yield arr
