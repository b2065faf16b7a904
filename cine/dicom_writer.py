"""Write a compact de-identified multi-frame DICOM file, one frame at a time.

Codec policy (``choose_codec``): what was lossless stays lossless, what was lossy is not made
bigger for nothing.

* A lossless source (native, RLE, JPEG Lossless, JPEG-LS or JPEG 2000 lossless, never flagged
  lossy) is written losslessly: JPEG-LS Lossless (pydicom + pyjpegls; on the real samples about
  half the bytes of RLE and faster to encode), RLE Lossless where pyjpegls is not installed.
  The frames are bit for bit the decoded (and cleaned) source; LossyImageCompression "00".
* A lossy source (a lossy transfer syntax, or LossyImageCompression "01") is re-encoded as JPEG
  Baseline, 4:2:2, quality 90: a lossless copy of already-lossy pixels keeps only the old
  artefacts at 3-12 times the size (orthanc-Issue16: 0.7 MB source, 5 MB JPEG-LS, 8.7 MB RLE),
  while the second JPEG generation stays 46-52 dB from the decoded source. The history says
  both stages (``cine.dicom_conformance.lossy_history``).
* ``lossy=True`` asks for JPEG Baseline for every source (smaller files, one lossy stage added,
  recorded in the history and ImageType DERIVED).

Frames are encoded as they arrive (JPEG Baseline through Pillow, JPEG-LS and RLE through
pydicom's encoders, or kept native) and spooled to a temporary file next to the output; memory
holds one frame. When the count is known the final file is assembled: header (pydicom), then
the Pixel Data element written by hand (PS3.5 A.4: undefined length, Basic Offset Table, one
fragment per frame, sequence delimiter), then renamed into place.
"""

import copy
import io
import os
import struct
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from PIL import Image
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels.encoders import JPEGLSLosslessEncoder, RLELosslessEncoder
from pydicom.tag import Tag
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    ExplicitVRLittleEndian,
    JPEGBaseline8Bit,
    JPEGLSLossless,
    RLELossless,
)

from cine.dataset_checks import quiet_pydicom
from cine.dicom_conformance import (
    add_type2,
    as_list,
    ds_text,
    ds_values,
    lossy_history,
    was_lossy,
)
from cine.errors import InconsistentImageError, UnsupportedSopClassError
from cine.uids import derived_uid

Codec = Literal["jpeg", "jpegls", "rle", "native"]

JPEG_QUALITY = 90
JPEG_SUBSAMPLING_422 = 1  # Pillow: 0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0
TRANSFER_SYNTAX: dict[str, UID] = {
    "jpeg": JPEGBaseline8Bit,
    "jpegls": JPEGLSLossless,
    "rle": RLELossless,
    "native": ExplicitVRLittleEndian,
}
PILLOW_MODE = {"RGB": "RGB", "YBR_FULL": "YCbCr", "MONOCHROME1": "L", "MONOCHROME2": "L"}
COLOUR_PHOTOMETRICS = frozenset({"RGB", "YBR_FULL"})

US_MULTIFRAME = UID("1.2.840.10008.5.1.4.1.1.3.1")
US_SINGLE_FRAME = UID("1.2.840.10008.5.1.4.1.1.6.1")
# Retired ultrasound classes map to their current equivalents; other classes are refused.
SINGLE_FRAME_CLASSES = frozenset({US_SINGLE_FRAME, UID("1.2.840.10008.5.1.4.1.1.6")})
MULTIFRAME_CLASSES = frozenset({US_MULTIFRAME, UID("1.2.840.10008.5.1.4.1.1.3")})
# Header attributes describing the source pixel encoding: replaced or meaningless afterwards.
STRIPPED_KEYWORDS = (
    "NumberOfFrames",
    "FrameIncrementPointer",
    "PlanarConfiguration",
    "SmallestImagePixelValue",
    "LargestImagePixelValue",
    "PixelPaddingValue",
    "PixelPaddingRangeLimit",
    "RedPaletteColorLookupTableDescriptor",
    "GreenPaletteColorLookupTableDescriptor",
    "BluePaletteColorLookupTableDescriptor",
    "RedPaletteColorLookupTableData",
    "GreenPaletteColorLookupTableData",
    "BluePaletteColorLookupTableData",
    "SegmentedRedPaletteColorLookupTableData",
    "SegmentedGreenPaletteColorLookupTableData",
    "SegmentedBluePaletteColorLookupTableData",
    "PaletteColorLookupTableUID",
    "ExtendedOffsetTable",
    "ExtendedOffsetTableLengths",
)
COLOUR_STRIPPED_KEYWORDS = ("WindowCenter", "WindowWidth", "VOILUTSequence", "VOILUTFunction")

_ITEM_TAG = struct.pack("<HH", 0xFFFE, 0xE000)
_SEQUENCE_END = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)


@dataclass(frozen=True)
class WrittenDicom:
    """Summary of a written file (no patient data: the header was already de-identified)."""

    path: Path
    n_frames: int
    rows: int
    columns: int
    photometric: str
    transfer_syntax_uid: str
    sop_instance_uid: str
    compression_ratio: float | None


def lossless_codec() -> Codec:
    """JPEG-LS Lossless where pydicom can encode it (pyjpegls), else RLE Lossless."""
    return "jpegls" if JPEGLSLosslessEncoder.is_available else "rle"


def choose_codec(*, compress: bool, lossy: bool = False, source_lossy: bool = False) -> Codec:
    """The codec for a frame stream (see the module docstring): lossless unless the source was
    lossy already or ``lossy`` is asked for; ``compress=False`` keeps lossless frames native."""
    if lossy or (source_lossy and compress):
        return "jpeg"
    return lossless_codec() if compress else "native"


def _check_frame(frame: np.ndarray, photometric_in: str, shape: tuple[int, ...] | None) -> None:
    if frame.dtype != np.uint8:
        raise ValueError("frames must be 8-bit (uint8)")
    colour = photometric_in in COLOUR_PHOTOMETRICS
    if (frame.ndim, frame.shape[-1] if frame.ndim == 3 else 3) != ((3, 3) if colour else (2, 3)):
        raise ValueError(f"frame shape {frame.shape} does not match {photometric_in}")
    if shape is not None and frame.shape != shape:
        raise InconsistentImageError("the frames do not all have the same size")


def _encode(frame: np.ndarray, codec: Codec, photometric_in: str, quality: int) -> bytes:
    if codec == "native":
        return np.ascontiguousarray(frame).tobytes()
    if codec in ("rle", "jpegls"):
        encoder = RLELosslessEncoder if codec == "rle" else JPEGLSLosslessEncoder
        return encoder.encode(
            np.ascontiguousarray(frame),
            rows=frame.shape[0],
            columns=frame.shape[1],
            samples_per_pixel=1 if frame.ndim == 2 else 3,
            number_of_frames=1,
            bits_allocated=8,
            bits_stored=8,
            pixel_representation=0,
            photometric_interpretation=photometric_in,
            planar_configuration=0,
        )
    mode = PILLOW_MODE[photometric_in]
    image = Image.frombytes(mode, (frame.shape[1], frame.shape[0]), frame.tobytes())
    buffer = io.BytesIO()
    options = {"subsampling": JPEG_SUBSAMPLING_422} if mode != "L" else {}
    image.save(buffer, format="JPEG", quality=quality, **options)
    return buffer.getvalue()


def _output_photometric(codec: Codec, photometric_in: str) -> str:
    if codec == "jpeg" and photometric_in in COLOUR_PHOTOMETRICS:
        return "YBR_FULL_422"
    return photometric_in


def _sop_class(header: Dataset, n_frames: int) -> UID:
    original = UID(str(header.get("SOPClassUID", US_MULTIFRAME)))
    if original in SINGLE_FRAME_CLASSES:
        return US_SINGLE_FRAME if n_frames == 1 else US_MULTIFRAME
    if original in MULTIFRAME_CLASSES:
        return US_MULTIFRAME
    # Another class's header (CT, MR, …) lacks what an ultrasound object needs (frame timing).
    raise UnsupportedSopClassError("only ultrasound images are written; this is not one")


def _copy_header(header: Dataset) -> Dataset:
    """Copy every element before Pixel Data, skipping the source encoding's details."""
    out = Dataset()
    stripped = {Tag(k) for k in STRIPPED_KEYWORDS}
    for tag in header.keys():  # noqa: SIM118  (iteration over elements would decode them all)
        if tag >= 0x7FE00000 or tag in stripped:
            continue
        out[tag] = copy.deepcopy(header.get_item(tag))
    return out


def _set_timing(
    out: Dataset,
    n_frames: int,
    frame_time_ms: float | None,
    frame_time_vector_ms: Sequence[float] | None,
) -> None:
    """Frame timing as valid DS text, the source's own text kept where it says the same."""
    if frame_time_vector_ms is not None:
        if len(frame_time_vector_ms) != n_frames:
            raise InconsistentImageError("the frame time vector does not match the frame count")
        out.FrameTimeVector = ds_values(frame_time_vector_ms, out.get("FrameTimeVector"))
        out.pop("FrameTime", None)
    elif frame_time_ms is not None:
        out.FrameTime = ds_values([frame_time_ms], out.get("FrameTime"))[0]
        out.pop("FrameTimeVector", None)
    else:
        for keyword in ("FrameTime", "FrameTimeVector"):
            if keyword in out and not as_list(out[keyword].value):
                del out[keyword]  # present but empty says nothing about timing
        if "FrameTime" not in out and "FrameTimeVector" not in out:
            rate = out.get("CineRate") or out.get("RecommendedDisplayFrameRate")
            if not rate:
                raise ValueError("a multi-frame cine needs its frame time (frame_time_ms)")
            out.FrameTime = ds_text(1000.0 / float(rate))
    if "FrameTimeVector" in out and len(as_list(out.FrameTimeVector)) != n_frames:
        raise InconsistentImageError("the frame time vector does not match the frame count")
    keyword = "FrameTime" if "FrameTime" in out else "FrameTimeVector"
    out.FrameIncrementPointer = Tag(keyword)


def _set_lossy(out: Dataset, source_syntax: str, codec: Codec, ratio: float) -> None:
    """Record lossy history: once lossy, always lossy (PS3.3 C.7.6.1.1.5)."""
    history = lossy_history(out, source_syntax, ("ISO_10918_1", ratio) if codec == "jpeg" else None)
    if history is None:
        out.LossyImageCompression = "00"  # said, not left to be guessed (C.7.6.1.1.5)
        out.pop("LossyImageCompressionMethod", None)
        out.pop("LossyImageCompressionRatio", None)
        return
    methods, ratios = history
    if codec == "jpeg":
        image_type = as_list(out.get("ImageType"))  # may be present and empty
        if image_type:
            image_type[0] = "DERIVED"  # no longer the original pixel values
            out.ImageType = image_type
    out.LossyImageCompression = "01"
    for keyword, values in (
        ("LossyImageCompressionMethod", methods),
        ("LossyImageCompressionRatio", ratios),
    ):
        if values:
            setattr(out, keyword, values)
        else:
            out.pop(keyword, None)


def _build_header(
    header: Dataset, *, n_frames: int, shape: tuple[int, ...], codec: Codec, photometric: str
) -> Dataset:
    declared = (header.get("Rows"), header.get("Columns"))
    if None not in declared and declared != shape[:2]:
        # Calibration (regions, spacing) is in the header's pixel grid: it would be wrong.
        raise InconsistentImageError("the frames are not the size the header describes")
    out = _copy_header(header)
    colour = len(shape) == 3
    out.Rows, out.Columns = shape[0], shape[1]
    out.SamplesPerPixel = 3 if colour else 1
    out.PhotometricInterpretation = photometric
    out.BitsAllocated, out.BitsStored, out.HighBit, out.PixelRepresentation = 8, 8, 7, 0
    if colour:
        out.PlanarConfiguration = 0
        for keyword in COLOUR_STRIPPED_KEYWORDS:
            out.pop(keyword, None)
    sop_class = _sop_class(header, n_frames)
    out.SOPClassUID = sop_class
    out.SOPInstanceUID = derived_uid(str(header.SOPInstanceUID), "rewritten:" + codec)
    if sop_class not in SINGLE_FRAME_CLASSES:
        out.NumberOfFrames = n_frames
    add_type2(out)  # also what a relabelled retired class lacked
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b"\x00\x01"
    meta.MediaStorageSOPClassUID = out.SOPClassUID
    meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    meta.TransferSyntaxUID = TRANSFER_SYNTAX[codec]
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    out.file_meta = meta
    return out


def _copy_spool(spool: BinaryIO, dst: BinaryIO, length: int) -> None:
    while length > 0:
        chunk = spool.read(min(1 << 20, length))
        if not chunk:
            raise OSError("temporary frame spool ended early")
        dst.write(chunk)
        length -= len(chunk)


def _write_pixel_data(dst: BinaryIO, spool: BinaryIO, lengths: list[int], codec: Codec) -> None:
    spool.seek(0)
    if codec == "native":
        total = sum(lengths)
        pad = b"\x00" * (total % 2)  # frames are contiguous; only the value is padded
        dst.write(struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\x00\x00")
        dst.write(struct.pack("<L", total + len(pad)))
        _copy_spool(spool, dst, total)
        dst.write(pad)
        return
    dst.write(struct.pack("<HH", 0x7FE0, 0x0010) + b"OB\x00\x00" + struct.pack("<L", 0xFFFFFFFF))
    offsets = np.concatenate([[0], np.cumsum(np.asarray(lengths, dtype=np.int64) + 8)[:-1]])
    if offsets[-1] < 2**32:
        dst.write(_ITEM_TAG + struct.pack("<L", 4 * len(lengths)))
        dst.write(offsets.astype("<u4").tobytes())
    else:
        dst.write(_ITEM_TAG + struct.pack("<L", 0))  # > 4 GiB: offsets do not fit, leave empty
    for length in lengths:
        dst.write(_ITEM_TAG + struct.pack("<L", length))
        _copy_spool(spool, dst, length)
    dst.write(_SEQUENCE_END)


def write_deidentified_dicom(
    header: Dataset,
    frames: Iterable[np.ndarray],
    out_path: str | os.PathLike,
    *,
    photometric_in: str,
    compress: bool,
    lossy: bool = False,
    codec: Codec | None = None,
    frame_time_ms: float | None = None,
    frame_time_vector_ms: Sequence[float] | None = None,
    jpeg_quality: int = JPEG_QUALITY,
) -> WrittenDicom:
    """Write uint8 `frames` (rows x cols grey, or x 3 in `photometric_in`) under `header`.

    `header` must come from ``deidentify_dataset``; its Pixel Data and pixel-module values are
    replaced. The codec is chosen by ``choose_codec`` (``lossy`` asks for JPEG even for a
    lossless source) unless given. Timing: `frame_time_ms` or
    `frame_time_vector_ms` when given, else the header's FrameTime/FrameTimeVector/CineRate.
    """
    if str(header.get("PatientIdentityRemoved", "")).upper() != "YES":
        raise ValueError("the header has not been de-identified")
    if photometric_in not in PILLOW_MODE:
        raise ValueError(f"unsupported input photometric interpretation {photometric_in}")
    source_syntax = str(getattr(header, "file_meta", {}).get("TransferSyntaxUID", ""))
    codec = codec or choose_codec(
        compress=compress, lossy=lossy, source_lossy=was_lossy(header, source_syntax)
    )
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".part")
    lengths: list[int] = []
    shape: tuple[int, ...] | None = None
    try:
        with tempfile.TemporaryFile(dir=out_path.parent) as spool:
            for frame in frames:
                frame = np.asarray(frame)
                _check_frame(frame, photometric_in, shape)
                shape = frame.shape
                data = _encode(frame, codec, photometric_in, jpeg_quality)
                if len(data) % 2 and codec != "native":
                    data += b"\x00"  # fragments have even length
                spool.write(data)
                lengths.append(len(data))
            if shape is None:
                raise InconsistentImageError("there are no frames to write")
            out = _build_header(
                header,
                n_frames=len(lengths),
                shape=shape,
                codec=codec,
                photometric=_output_photometric(codec, photometric_in),
            )
            if "NumberOfFrames" in out:
                _set_timing(out, len(lengths), frame_time_ms, frame_time_vector_ms)
            ratio = len(lengths) * int(np.prod(shape)) / max(sum(lengths), 1)
            _set_lossy(out, source_syntax, codec, ratio)
            with open(partial, "wb") as dst, quiet_pydicom():
                dcmwrite(dst, out, enforce_file_format=True)
                _write_pixel_data(dst, spool, lengths, codec)
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return WrittenDicom(
        path=out_path,
        n_frames=len(lengths),
        rows=int(shape[0]),
        columns=int(shape[1]),
        photometric=str(out.PhotometricInterpretation),
        transfer_syntax_uid=str(TRANSFER_SYNTAX[codec]),
        sop_instance_uid=str(out.SOPInstanceUID),
        compression_ratio=round(ratio, 2) if codec != "native" else None,
    )
