"""Compact multi-frame writer: round trips through pydicom, header and offsets checked."""

import struct
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import iter_pixels
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, JPEGLSLossless, RLELossless

from cine.deid import deidentify_dataset
from cine.dicom_writer import choose_codec, lossless_codec, write_deidentified_dicom
from cine.errors import InconsistentImageError, UnsupportedSopClassError

from .sample_files import real_path

SECRET = b"writer-secret-0123456789abcdef"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
US_SINGLE = "1.2.840.10008.5.1.4.1.1.6.1"


def header(sop_class: str = US_MULTIFRAME, **extra) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = "1.2.3.4.5.6"
    ds.StudyInstanceUID = "1.2.3.4.5"
    ds.SeriesInstanceUID = "1.2.3.4.5.1"
    ds.Modality = "US"
    ds.PatientName = "Doe^Jane"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.FrameTime = 40.0
    for key, value in extra.items():
        setattr(ds, key, value)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return deidentify_dataset(ds, secret=SECRET, pixels_cleaned=True)


def colour_frames(n: int, rows: int = 48, cols: int = 64):
    """Smooth, moving colour content (what JPEG is meant for), one frame at a time."""
    y, x = np.mgrid[0:rows, 0:cols]
    for k in range(n):
        frame = np.empty((rows, cols, 3), dtype=np.uint8)
        frame[..., 0] = x * 200 // cols + 5 * k
        frame[..., 1] = y * 255 // rows
        frame[..., 2] = 128 + 60 * np.sin((x + y + 4 * k) / 9.0)
        yield frame


def grey_frames(n: int, rows: int = 15, cols: int = 17):
    rng = np.random.default_rng(7)
    for _ in range(n):
        yield rng.integers(0, 256, (rows, cols), dtype=np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def read_bot(path: Path) -> list[int]:
    data = path.read_bytes()
    pos = data.rindex(b"\xe0\x7f\x10\x00OB\x00\x00\xff\xff\xff\xff") + 12
    assert data[pos : pos + 4] == b"\xfe\xff\x00\xe0"
    (length,) = struct.unpack("<L", data[pos + 4 : pos + 8])
    offsets = list(struct.unpack(f"<{length // 4}L", data[pos + 8 : pos + 8 + length]))
    first = pos + 8 + length
    for offset in offsets:  # every offset lands on an item tag
        assert data[first + offset : first + offset + 4] == b"\xfe\xff\x00\xe0"
    return offsets


def test_colour_jpeg_round_trip(tmp_path):
    expected = list(colour_frames(6))
    out = tmp_path / "c.dcm"
    result = write_deidentified_dicom(
        header(), colour_frames(6), out, photometric_in="RGB", compress=True, lossy=True
    )
    assert result.n_frames == 6 and result.transfer_syntax_uid == JPEGBaseline8Bit
    ds = dcmread(out)
    assert ds.file_meta.TransferSyntaxUID == JPEGBaseline8Bit
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID == result.sop_instance_uid
    assert ds.NumberOfFrames == 6 and (ds.Rows, ds.Columns) == (48, 64)
    assert ds.PhotometricInterpretation == "YBR_FULL_422"
    assert ds.SamplesPerPixel == 3 and ds.PlanarConfiguration == 0
    assert ds.LossyImageCompression == "01"
    assert "ISO_10918_1" in list(np.atleast_1d(ds.LossyImageCompressionMethod))
    assert ds.ImageType[0] == "DERIVED"
    assert ds.FrameIncrementPointer == 0x00181063 and float(ds.FrameTime) == 40.0
    array = ds.pixel_array
    for got, want in zip(array, expected, strict=True):
        assert psnr(got, want) >= 30
    for got, want in zip(iter_pixels(out), expected, strict=True):
        assert psnr(got, want) >= 30
    assert len(read_bot(out)) == 6
    assert result.compression_ratio and result.compression_ratio > 2


def test_grey_lossless_is_exact_and_native_handles_odd_sizes(tmp_path):
    expected = np.stack(list(grey_frames(3)))
    lossless = write_deidentified_dicom(
        header(), grey_frames(3), tmp_path / "r.dcm", photometric_in="MONOCHROME2", compress=True
    )
    native = write_deidentified_dicom(
        header(), grey_frames(3), tmp_path / "n.dcm", photometric_in="MONOCHROME2", compress=False
    )
    assert lossless.transfer_syntax_uid == JPEGLSLossless
    assert native.transfer_syntax_uid == ExplicitVRLittleEndian
    for path in (lossless.path, native.path):
        ds = dcmread(path)
        assert np.array_equal(ds.pixel_array, expected)
        assert np.array_equal(np.stack(list(iter_pixels(path))), expected)
        assert ds.LossyImageCompression == "00"  # lossless source, lossless output, said so
        assert "LossyImageCompressionMethod" not in ds
        assert "PlanarConfiguration" not in ds


@pytest.mark.parametrize(("codec", "syntax"), [("rle", RLELossless), (None, JPEGLSLossless)])
def test_colour_lossless_is_exact(tmp_path, codec, syntax):
    expected = np.stack(list(colour_frames(2)))
    result = write_deidentified_dicom(
        header(),
        colour_frames(2),
        tmp_path / "x.dcm",
        photometric_in="RGB",
        compress=True,
        codec=codec,
    )
    ds = dcmread(result.path)
    assert ds.file_meta.TransferSyntaxUID == syntax
    assert ds.PhotometricInterpretation == "RGB" and ds.LossyImageCompression == "00"
    assert ds.ImageType[0] == "ORIGINAL"  # the original values, re-encoded without loss
    assert np.array_equal(ds.pixel_array, expected)


def test_ybr_input_and_grey_jpeg(tmp_path):
    from pydicom.pixels import convert_color_space

    rgb = list(colour_frames(2))
    ybr = [convert_color_space(f, "RGB", "YBR_FULL") for f in rgb]
    result = write_deidentified_dicom(
        header(), ybr, tmp_path / "y.dcm", photometric_in="YBR_FULL", compress=True, lossy=True
    )
    for got, want in zip(dcmread(result.path).pixel_array, rgb, strict=True):
        assert psnr(got, want) >= 30
    grey = [f[..., 1] for f in rgb]
    result = write_deidentified_dicom(
        header(),
        grey,
        tmp_path / "g.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
        codec="jpeg",
    )
    ds = dcmread(result.path)
    assert ds.PhotometricInterpretation == "MONOCHROME2" and ds.SamplesPerPixel == 1
    for got, want in zip(ds.pixel_array, grey, strict=True):
        assert psnr(got, want) >= 30


def test_frame_size_must_match_the_header(tmp_path):
    with pytest.raises(InconsistentImageError):
        write_deidentified_dicom(
            header(Rows=10, Columns=10),
            grey_frames(1),
            tmp_path / "s.dcm",
            photometric_in="MONOCHROME2",
            compress=True,
        )


def test_codec_policy():
    assert lossless_codec() == "jpegls"  # pyjpegls is a main dependency
    assert choose_codec(compress=True) == "jpegls"  # lossless source: lossless output
    assert choose_codec(compress=False) == "native"
    assert choose_codec(compress=True, lossy=True) == "jpeg"  # asked for
    assert choose_codec(compress=False, lossy=True) == "jpeg"
    assert choose_codec(compress=True, source_lossy=True) == "jpeg"  # lossy already
    assert choose_codec(compress=False, source_lossy=True) == "native"


def test_without_pyjpegls_lossless_falls_back_to_rle(monkeypatch):
    from pydicom.pixels.encoders import JPEGLSLosslessEncoder

    monkeypatch.setattr(type(JPEGLSLosslessEncoder), "is_available", property(lambda _: False))
    assert choose_codec(compress=True) == "rle"


def test_timing_options(tmp_path):
    result = write_deidentified_dicom(
        header(),
        grey_frames(3),
        tmp_path / "t.dcm",
        photometric_in="MONOCHROME2",
        compress=False,
        frame_time_vector_ms=[0, 33.3, 33.4],
    )
    ds = dcmread(result.path)
    assert ds.FrameIncrementPointer == 0x00181065 and "FrameTime" not in ds
    with pytest.raises(InconsistentImageError):
        write_deidentified_dicom(
            header(),
            grey_frames(3),
            tmp_path / "u.dcm",
            photometric_in="MONOCHROME2",
            compress=False,
            frame_time_vector_ms=[0, 33.3],
        )
    assert not list(tmp_path.glob("u.dcm*"))


def test_single_frame_class_kept_for_one_frame(tmp_path):
    one = write_deidentified_dicom(
        header(US_SINGLE),
        grey_frames(1),
        tmp_path / "1.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
    )
    ds = dcmread(one.path)
    assert ds.SOPClassUID == US_SINGLE and "NumberOfFrames" not in ds
    many = write_deidentified_dicom(
        header(US_SINGLE),
        grey_frames(2),
        tmp_path / "2.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
    )
    assert dcmread(many.path).SOPClassUID == US_MULTIFRAME


def test_another_class_is_refused_with_its_reason_not_a_value_error(tmp_path):
    """A single CT frame (no frame time) once failed as 'internal error' (ValueError)."""
    with pytest.raises(UnsupportedSopClassError, match="only ultrasound"):
        write_deidentified_dicom(
            header("1.2.840.10008.5.1.4.1.1.2"),
            grey_frames(1),
            tmp_path / "ct.dcm",
            photometric_in="MONOCHROME2",
            compress=True,
        )
    assert not list(tmp_path.glob("ct.dcm*"))


def test_refuses_identified_header_and_bad_frames(tmp_path):
    raw = Dataset()
    raw.SOPInstanceUID = "1.2.3"
    with pytest.raises(ValueError, match="de-identified"):
        write_deidentified_dicom(
            raw, grey_frames(1), tmp_path / "a.dcm", photometric_in="MONOCHROME2", compress=True
        )
    frames = [np.zeros((4, 4), np.uint8), np.zeros((4, 5), np.uint8)]
    with pytest.raises(InconsistentImageError):
        write_deidentified_dicom(
            header(), frames, tmp_path / "b.dcm", photometric_in="MONOCHROME2", compress=True
        )
    with pytest.raises(InconsistentImageError):
        write_deidentified_dicom(
            header(), [], tmp_path / "c.dcm", photometric_in="MONOCHROME2", compress=True
        )
    with pytest.raises(ValueError):
        write_deidentified_dicom(
            header(),
            [np.zeros((4, 4, 3), np.uint8)],
            tmp_path / "d.dcm",
            photometric_in="MONOCHROME2",
            compress=True,
        )
    assert list(tmp_path.iterdir()) == []


def test_real_cine_deidentified_and_rewritten(tmp_path):
    source = get_testdata_file("examples_ybr_color.dcm")
    original = dcmread(source)
    deid = deidentify_dataset(original, secret=SECRET, pixels_cleaned=True)
    result = write_deidentified_dicom(
        deid, iter_pixels(source), tmp_path / "cine.dcm", photometric_in="RGB", compress=True
    )
    ds = dcmread(result.path)
    assert ds.NumberOfFrames == 30 and ds.BurnedInAnnotation == "NO"
    assert ds.StudyInstanceUID == deid.StudyInstanceUID
    assert ds.SOPInstanceUID != deid.SOPInstanceUID  # new pixels, new instance
    # Lossy history kept: the source ratio first, ours appended.
    assert len(list(np.atleast_1d(ds.LossyImageCompressionRatio))) >= 1
    for got, want in zip(iter_pixels(result.path), iter_pixels(source), strict=True):
        assert psnr(got, want) >= 30


def test_palette_header_loses_its_lookup_tables(tmp_path):
    from pydicom.pixels import apply_color_lut

    source = real_path("cs3d-no-pixel-spacing.dcm")
    original = dcmread(source)
    rgb = (apply_color_lut(original.pixel_array, original) >> 8).astype(np.uint8)
    deid = deidentify_dataset(original, secret=SECRET, pixels_cleaned=True)
    result = write_deidentified_dicom(
        deid, [rgb], tmp_path / "p.dcm", photometric_in="RGB", compress=True
    )
    ds = dcmread(result.path)
    assert "RedPaletteColorLookupTableData" not in ds
    assert ds.PhotometricInterpretation == "RGB"  # an RLE source: lossless, exact
    assert np.array_equal(ds.pixel_array, rgb)
