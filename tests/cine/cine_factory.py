"""Small DICOM cines made on the fly for tests, plus PSNR and the sample folder's location."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
    RLELossless,
    generate_uid,
)

# tests/cine/ -> repository -> ../shared/dicom-samples (the shared, read-only sample set)
SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "dicom-samples"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
US_SINGLE = "1.2.840.10008.5.1.4.1.1.6.1"
MARKER = "Zhang^Wei 张伟 PLANTED"  # a patient name that must never appear in any output


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def region_item(bounds: Sequence[int], spatial_format: int = 1, units: int = 3, delta=0.05):
    item = Dataset()
    (
        item.RegionLocationMinX0,
        item.RegionLocationMinY0,
        item.RegionLocationMaxX1,
        item.RegionLocationMaxY1,
    ) = bounds
    item.RegionSpatialFormat, item.RegionDataType, item.RegionFlags = spatial_format, 1, 0
    item.PhysicalUnitsXDirection = item.PhysicalUnitsYDirection = units
    if isinstance(delta, tuple):
        item.PhysicalDeltaX, item.PhysicalDeltaY = delta
    else:
        item.PhysicalDeltaX = item.PhysicalDeltaY = delta
    return item


def frames_pattern(count: int, rows: int, columns: int, colour: bool) -> np.ndarray:
    """Smooth moving content, brightest in the middle frame (the expected poster)."""
    y, x = np.mgrid[0:rows, 0:columns]
    out = []
    for k in range(count):
        gain = 1 - abs(k - count // 2) / max(count, 1)
        grey = (40 + 150 * gain * (0.5 + 0.5 * np.sin((x + 3 * k) / 7.0) * np.cos(y / 9.0))).clip(
            0, 255
        )
        if colour:
            # Mostly grey with a tint, like ultrasound; saturated chroma everywhere would only
            # measure 4:2:0 subsampling.
            frame = np.stack([grey, grey * 0.85 + y * 0.4, grey * 0.7 + 30], axis=-1).clip(0, 255)
        else:
            frame = grey
        out.append(frame.astype(np.uint8))
    return np.stack(out)


def base_dataset(
    *,
    frames: int | None,
    rows: int,
    columns: int,
    photometric: str,
    sop_class: str = US_MULTIFRAME,
    burned_in: str | None = "YES",
) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8, for the planted marker
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality = "US"
    ds.PatientName = MARKER
    ds.PatientID = "ID-张伟-0001"
    if burned_in is not None:
        ds.BurnedInAnnotation = burned_in
    ds.Rows, ds.Columns = rows, columns
    ds.PhotometricInterpretation = photometric
    ds.SamplesPerPixel = 1 if photometric.startswith(("MONO", "PALETTE")) else 3
    if ds.SamplesPerPixel == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    if frames is not None:
        ds.NumberOfFrames = frames
    return ds


def write(ds: Dataset, path: Path, transfer_syntax: str = ExplicitVRLittleEndian) -> Path:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    pydicom.dcmwrite(path, ds, enforce_file_format=True)
    return path


def make_cine(
    path: Path,
    *,
    frames: int = 6,
    rows: int = 48,
    columns: int = 64,
    encoding: str = "native",  # native | jpeg | rle
    colour: bool = False,
    declared_frames: int | None = None,  # a NumberOfFrames that may lie
    frame_time: float | None = 40.0,
    frame_time_vector: Sequence[float] | None = None,
    regions: Sequence[Dataset] = (),
    burned_in: str | None = "YES",
    extra: dict | None = None,
) -> Path:
    """Write a small cine; returns its path. The pixel content is ``frames_pattern``."""
    pixels = frames_pattern(frames, rows, columns, colour)
    photometric = ("YBR_FULL_422" if encoding == "jpeg" else "RGB") if colour else "MONOCHROME2"
    ds = base_dataset(
        frames=frames if declared_frames is None else declared_frames,
        rows=rows,
        columns=columns,
        photometric=photometric,
        burned_in=burned_in,
    )
    if frame_time_vector is not None:
        ds.FrameTimeVector = list(frame_time_vector)
        ds.FrameIncrementPointer = 0x00181065
    elif frame_time is not None:
        ds.FrameTime = frame_time
        ds.FrameIncrementPointer = 0x00181063
    if regions:
        ds.SequenceOfUltrasoundRegions = list(regions)
    for key, value in (extra or {}).items():
        setattr(ds, key, value)
    if encoding == "jpeg":
        encoded = []
        for frame in pixels:
            buffer = io.BytesIO()
            options = {"subsampling": 1} if colour else {}
            Image.fromarray(frame).save(buffer, "JPEG", quality=95, **options)
            encoded.append(buffer.getvalue())
        ds.PixelData = encapsulate(encoded)
        ds["PixelData"].VR = "OB"
        return write(ds, path, JPEGBaseline8Bit)
    if encoding == "rle":
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.NumberOfFrames = frames
        ds.compress(RLELossless, pixels if frames > 1 else pixels[0])
        ds.NumberOfFrames = frames if declared_frames is None else declared_frames
        return write(ds, path, RLELossless)
    ds.PixelData = pixels.tobytes()
    return write(ds, path, ExplicitVRLittleEndian)


def write_without_preamble(ds: Dataset, path: Path) -> Path:
    """A bare implicit-VR dataset: no preamble, no 'DICM', no file meta (old files do this)."""
    pydicom.dcmwrite(path, ds, implicit_vr=True, little_endian=True)
    return path


__all__ = [
    "MARKER",
    "SAMPLES",
    "US_MULTIFRAME",
    "US_SINGLE",
    "ImplicitVRLittleEndian",
    "base_dataset",
    "frames_pattern",
    "make_cine",
    "psnr",
    "region_item",
    "write",
    "write_without_preamble",
]
