"""Input the reader must refuse with one clear CineError, and input it must still accept."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate

from cine.errors import (
    CineError,
    InconsistentImageError,
    NoPixelDataError,
    NotDicomError,
    TruncatedFileError,
    UnsupportedImageError,
    UnsupportedTransferSyntaxError,
)
from cine.reader import iter_frames, read_header

from .cine_factory import MARKER, base_dataset, make_cine, write, write_without_preamble


def consume(path: Path) -> int:
    header = read_header(path)
    return sum(1 for _ in iter_frames(path, header))


def refuses(path: Path, error: type[CineError]) -> str:
    with pytest.raises(error) as caught:
        consume(path)
    message = str(caught.value)
    assert path.name not in message and "Wei" not in message and "\n" not in message
    return message


def test_not_dicom(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Zhang Wei, liver CEUS, 12 March\n" * 20)
    refuses(tmp_path / "notes.txt", NotDicomError)
    (tmp_path / "empty.dcm").write_bytes(b"")
    refuses(tmp_path / "empty.dcm", NotDicomError)
    refuses(tmp_path / "missing.dcm", NotDicomError)


@pytest.mark.parametrize("encoding", ["native", "jpeg"])
def test_truncated_pixel_data(tmp_path: Path, encoding: str) -> None:
    path = make_cine(tmp_path / "full.dcm", encoding=encoding, colour=True)
    data = path.read_bytes()
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(data[: len(data) - len(data) // 5])
    refuses(cut, TruncatedFileError)


def test_truncated_header(tmp_path: Path) -> None:
    path = make_cine(tmp_path / "full.dcm")
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises((TruncatedFileError, NoPixelDataError)):
        consume(cut)


def test_no_pixel_data(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=4, columns=4, photometric="MONOCHROME2")
    refuses(write(ds, tmp_path / "header_only.dcm"), NoPixelDataError)


def test_zero_frames(tmp_path: Path) -> None:
    refuses(make_cine(tmp_path / "zero.dcm", declared_frames=0), InconsistentImageError)
    ds = base_dataset(frames=1, rows=4, columns=4, photometric="MONOCHROME2")
    ds.PixelData = b""
    refuses(write(ds, tmp_path / "empty_pixels.dcm"), InconsistentImageError)


@pytest.mark.parametrize(
    ("encoding", "says"),
    [
        # Native data has no frame boundaries: its size is what contradicts the header.
        ("native", "fewer bytes than Rows x Columns x NumberOfFrames need"),
        ("jpeg", "NumberOfFrames is larger than the frames present"),
        ("rle", "NumberOfFrames is larger than the frames present"),
    ],
)
def test_number_of_frames_larger_than_the_data(tmp_path: Path, encoding: str, says: str) -> None:
    path = make_cine(tmp_path / "lie.dcm", frames=4, declared_frames=9, encoding=encoding)
    assert says in refuses(path, InconsistentImageError)


def test_number_of_frames_larger_without_offset_table(tmp_path: Path) -> None:
    path = make_cine(tmp_path / "lie.dcm", frames=4, declared_frames=9, encoding="jpeg")
    from pydicom import dcmread

    ds = dcmread(path)
    frames = [f for f in __import__("pydicom").encaps.generate_frames(ds.PixelData)]
    ds.PixelData = encapsulate(frames, has_bot=False)
    ds.save_as(path)
    refuses(path, InconsistentImageError)


@pytest.mark.parametrize(("rows", "columns"), [(40, 64), (48, 70), (96, 64), (24, 64)])
def test_rows_and_columns_that_lie(tmp_path: Path, rows: int, columns: int) -> None:
    for encoding in ("native", "jpeg"):
        path = make_cine(tmp_path / f"{encoding}.dcm", frames=2, encoding=encoding)
        from pydicom import dcmread

        ds = dcmread(path)
        ds.Rows, ds.Columns = rows, columns
        ds.save_as(path)
        refuses(path, InconsistentImageError)


def test_transfer_syntax_without_decoder(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=4, columns=4, photometric="YBR_PARTIAL_420")
    ds.SamplesPerPixel = 3
    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + b"\x00" * 64])
    # MPEG-2 Main Profile / Main Level: no decoder here (H.264 and HEVC have one: PyAV).
    path = write(ds, tmp_path / "mpeg.dcm", "1.2.840.10008.1.2.4.100")
    assert "MPEG2" in refuses(path, UnsupportedTransferSyntaxError)


def test_file_without_preamble_or_meta(tmp_path: Path) -> None:
    ds = base_dataset(frames=3, rows=8, columns=8, photometric="MONOCHROME2")
    ds.PixelData = np.arange(192, dtype=np.uint8).tobytes()
    path = write_without_preamble(ds, tmp_path / "bare.dcm")
    assert path.read_bytes()[128:132] != b"DICM"
    header = read_header(path)
    assert header.transfer_syntax_guessed
    frames = list(iter_frames(path, header))
    assert np.array_equal(np.stack(frames).ravel(), np.arange(192))


def test_meta_saying_explicit_while_the_data_is_implicit() -> None:
    path = Path(get_testdata_file("SC_rgb_jpeg.dcm"))
    assert consume(path) == 1


def test_messages_never_quote_header_values(tmp_path: Path) -> None:
    path = make_cine(tmp_path / "lie.dcm", frames=2, declared_frames=5)
    assert MARKER not in refuses(path, InconsistentImageError)


@pytest.mark.parametrize("encoding", ["native", "jpeg", "rle"])
def test_memory_does_not_grow_with_the_number_of_frames(tmp_path: Path, encoding: str) -> None:
    path = make_cine(
        tmp_path / "long.dcm", frames=300, rows=96, columns=128, colour=True, encoding=encoding
    )  # 11 MB of decoded frames
    header = read_header(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_frames(path, header))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 300
    assert peak < 1.5 * 2**20  # a few frames, never the loop


def test_unsupported_photometric(tmp_path: Path) -> None:
    ds = base_dataset(frames=1, rows=2, columns=2, photometric="MONOCHROME2")
    ds.PhotometricInterpretation = "CMYK"  # retired
    ds.SamplesPerPixel = 3
    ds.PixelData = bytes(12)
    refuses(write(ds, tmp_path / "cmyk.dcm"), UnsupportedImageError)
