"""Every sample file against the reference table: header facts, decoding, colours, errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut, apply_modality_lut

from cine.cleaning import plan_cleaning
from cine.frames import display_converter
from cine.reader import iter_frames, read_header
from cine.regions import parse_regions
from cine.timing import frame_timing

from .cine_factory import SAMPLES, psnr
from .samples_reference import BROKEN, BUNDLED, REAL, Broken, Sample


def real_path(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"shared sample set not found at {SAMPLES.resolve()} (../shared/dicom-samples)")
    return path


def bundled_path(name: str) -> Path:
    path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"pydicom test file {name} is not installed")
    return Path(path)


CASES = [pytest.param(s, real_path, id=s.name) for s in REAL] + [
    pytest.param(s, bundled_path, id=f"pydicom:{s.name}") for s in BUNDLED
]


def reference_display(path: Path, sample: Sample) -> np.ndarray:
    """pydicom's own decode of every frame, brought to 8-bit display values independently."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(path)
        arr = ds.pixel_array  # YBR_* arrive as RGB (pydicom's default)
    if sample.frames == 1:
        arr = arr[None]
    if sample.photometric == "PALETTE COLOR":
        rgb = apply_color_lut(arr, ds)
        return rgb.astype(np.uint8) if rgb.max() <= 255 else np.rint(rgb / 257).astype(np.uint8)
    if arr.ndim == 4:
        return arr if arr.dtype == np.uint8 else (arr >> (ds.BitsStored - 8)).astype(np.uint8)
    if ds.BitsStored == 1:
        return arr * 255
    if arr.dtype == np.uint8 and "WindowWidth" not in ds:
        return 255 - arr if sample.photometric == "MONOCHROME1" else arr
    values = apply_modality_lut(arr, ds).astype(np.float64)
    if "WindowWidth" in ds:
        centre, width = float(np.ravel(ds.WindowCenter)[0]), float(np.ravel(ds.WindowWidth)[0])
        low, high = centre - 0.5 - (width - 1) / 2, centre - 0.5 + (width - 1) / 2
    else:
        low, high = values[0].min(), values[0].max()
    return np.clip(np.rint((values - low) / (high - low) * 255), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("sample", "locate"), CASES)
def test_header_matches_the_table(sample: Sample, locate) -> None:
    header = read_header(locate(sample.name))
    layout = header.layout
    assert (layout.frames, layout.rows, layout.columns) == (
        sample.frames,
        sample.rows,
        sample.columns,
    )
    assert layout.photometric == sample.photometric
    assert layout.transfer_syntax == sample.transfer_syntax
    assert header.decoder == sample.decoder
    regions = parse_regions(header.dataset)
    assert len(regions) == sample.regions
    timing = frame_timing(header.dataset, layout.frames)
    if sample.fps is None:
        assert timing.frames == 1
    else:
        assert timing.fps == pytest.approx(sample.fps, abs=1e-3)
    burned_in = header.dataset.get("BurnedInAnnotation")
    plan = plan_cleaning(regions, layout.rows, layout.columns, burned_in)
    assert plan.decision == sample.cleaning


@pytest.mark.parametrize(("sample", "locate"), CASES)
def test_frames_match_pydicoms_own_decode(sample: Sample, locate) -> None:
    path = locate(sample.name)
    header = read_header(path)
    reference = reference_display(path, sample)
    frames = iter_frames(path, header)
    first = next(frames)
    convert = display_converter(header.dataset, header.layout, first)
    decoded = [convert(first), *(convert(f) for f in frames)]
    assert len(decoded) == sample.frames
    shape = (sample.rows, sample.columns, 3) if sample.colour else (sample.rows, sample.columns)
    for ours, theirs in zip(decoded, reference, strict=True):
        assert ours.dtype == np.uint8
        assert ours.shape == theirs.shape == shape
        # Lossless paths are identical; Pillow's and pydicom's YCbCr->RGB differ by rounding.
        assert psnr(ours, theirs) >= (40 if sample.decoder == "pillow-jpeg" else 50)


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_broken_files_raise_the_expected_error(broken: Broken) -> None:
    path = bundled_path(broken.name)
    with pytest.raises(broken.error) as caught:
        header = read_header(path)
        for _ in iter_frames(path, header):
            pass
    assert path.name not in str(caught.value)
