"""Photometric conversion to 8-bit display frames: one conversion, never two."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian

from cine.frames import display_converter, luma, reduce, reduce_factor
from cine.reader import iter_frames, read_header

from .cine_factory import base_dataset, write


def display(path: Path) -> list[np.ndarray]:
    header = read_header(path)
    frames = list(iter_frames(path, header))
    convert = display_converter(header.dataset, header.layout, frames[0])
    return [convert(f) for f in frames]


def test_monochrome1_is_inverted(tmp_path: Path) -> None:
    ds = base_dataset(frames=2, rows=4, columns=8, photometric="MONOCHROME1")
    pixels = np.arange(64, dtype=np.uint8).reshape(2, 4, 8) * 4
    ds.PixelData = pixels.tobytes()
    frames = display(write(ds, tmp_path / "mono1.dcm"))
    assert np.array_equal(np.stack(frames), 255 - pixels)


def _segmented(*segments: list[int]) -> bytes:
    values = [v for seg in segments for v in seg]
    return struct.pack(f"<{len(values)}H", *values)


def test_segmented_16_bit_palette(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=1, columns=256, photometric="PALETTE COLOR")
    for colour in ("Red", "Green", "Blue"):
        setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [256, 0, 16])
    # discrete first entry, then a linear segment up (red), flat (green), down (blue)
    ds.SegmentedRedPaletteColorLookupTableData = _segmented([0, 1, 0], [1, 255, 65535])
    ds.SegmentedGreenPaletteColorLookupTableData = _segmented([0, 1, 32896], [1, 255, 32896])
    ds.SegmentedBluePaletteColorLookupTableData = _segmented([0, 1, 65535], [1, 255, 0])
    ds["SegmentedRedPaletteColorLookupTableData"].VR = "OW"
    ds["SegmentedGreenPaletteColorLookupTableData"].VR = "OW"
    ds["SegmentedBluePaletteColorLookupTableData"].VR = "OW"
    ds.PixelData = np.arange(256, dtype=np.uint8).tobytes()
    (frame,) = display(write(ds, tmp_path / "palette.dcm", ExplicitVRLittleEndian))
    assert frame.shape == (1, 256, 3) and frame.dtype == np.uint8
    assert np.abs(frame[0, :, 0].astype(int) - np.arange(256)).max() <= 1
    assert set(np.unique(frame[0, :, 1])) == {128}
    assert np.abs(frame[0, :, 2].astype(int) - np.arange(255, -1, -1)).max() <= 1


def test_16_bit_grey_uses_the_window(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=1, columns=5, photometric="MONOCHROME2")
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.WindowCenter, ds.WindowWidth = [2000, 50], [4001, 10]  # the first window applies
    ds.PixelData = np.array([0, 500, 1000, 1500, 4000], "<u2").tobytes()
    (frame,) = display(write(ds, tmp_path / "grey16.dcm"))
    assert frame.tolist() == [[0, 32, 64, 96, 255]]


def test_16_bit_grey_without_window_uses_the_first_frames_range(tmp_path: Path) -> None:
    ds = base_dataset(frames=2, rows=1, columns=3, photometric="MONOCHROME2")
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelData = np.array([[100, 200, 300], [50, 300, 400]], "<u2").tobytes()
    first, second = display(write(ds, tmp_path / "grey16.dcm"))
    assert first.tolist() == [[0, 128, 255]]
    assert second.tolist() == [[0, 255, 255]]  # same mapping for the whole loop


def test_big_endian_equals_little_endian() -> None:
    little = display(Path(get_testdata_file("MR_small.dcm")))
    big = display(Path(get_testdata_file("MR_small_bigendian.dcm")))
    assert np.array_equal(little[0], big[0])


def test_planar_configuration_one_equals_zero(tmp_path: Path) -> None:
    rgb = np.random.default_rng(3).integers(0, 256, (6, 10, 3), dtype=np.uint8)
    paths = []
    for planar in (0, 1):
        ds = base_dataset(frames=None, rows=6, columns=10, photometric="RGB")
        ds.PlanarConfiguration = planar
        data = rgb if planar == 0 else rgb.transpose(2, 0, 1)
        ds.PixelData = np.ascontiguousarray(data).tobytes()
        paths.append(write(ds, tmp_path / f"planar{planar}.dcm"))
    (interleaved,), (planes,) = display(paths[0]), display(paths[1])
    assert np.array_equal(interleaved, rgb) and np.array_equal(planes, rgb)


@pytest.mark.parametrize(
    ("rows", "columns", "factor", "shape"),
    [
        (600, 800, 5, (120, 160)),
        (480, 640, 4, (120, 160)),
        (768, 1024, 7, (109, 146)),
        (120, 128, 1, (120, 128)),
    ],
)
def test_reduce_by_an_integer_factor(rows, columns, factor, shape) -> None:
    assert reduce_factor(rows, columns, 160) == factor
    frame = np.full((rows, columns, 3), 100, np.uint8)
    small = reduce(frame, factor)
    assert small.shape == (*shape, 3) and (small == 100).all()
    assert luma(small).shape == shape


def test_reduce_averages_blocks() -> None:
    frame = np.zeros((4, 4), np.uint8)
    frame[:2, :2] = 200
    assert reduce(frame, 2).tolist() == [[200, 0], [0, 0]]


def test_16_bit_palette_indices_with_first_mapped_value(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=1, columns=4, photometric="PALETTE COLOR")
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    for colour in ("Red", "Green", "Blue"):
        setattr(ds, f"{colour}PaletteColorLookupTableDescriptor", [4096, 100, 16])
    ramp = (np.arange(4096, dtype="<u2") * 16).tobytes()  # 0 .. 65520
    ds.RedPaletteColorLookupTableData = ramp
    ds.GreenPaletteColorLookupTableData = ramp
    ds.BluePaletteColorLookupTableData = ramp
    ds.PixelData = np.array([0, 100, 2148, 60000], "<u2").tobytes()
    (frame,) = display(write(ds, tmp_path / "palette16.dcm"))
    # below the first mapped value -> first entry; past the table -> last entry
    assert frame[0, :, 0].tolist() == [0, 0, 128, 255]
