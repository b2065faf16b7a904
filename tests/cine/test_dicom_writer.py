"""Compact multi-frame writer: round trips through pydicom, header and offsets checked."""

import re
import struct
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import iter_pixels
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit, JPEGLSLossless, RLELossless

from cine.dataset_checks import quiet_pydicom
from cine.deid import deidentify_dataset
from cine.dicom_writer import choose_codec, lossless_codec, write_deidentified_dicom
from cine.errors import InconsistentImageError, UnsupportedSopClassError
from cine.pipeline import deidentified_dicom_writer

from .cine_factory import make_cine
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


# --- Conformance (issue 12): what dciodvfy checks, asserted here without it -------------------

DS_TEXT = re.compile(r"^ *[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? *$")
IS_TEXT = re.compile(r"^ *[+-]?\d+ *$")


def number_strings(ds: Dataset):
    """(keyword, VR, text) of every DS/IS value, recursively through sequences."""
    for elem in ds:
        if elem.VR == "SQ":
            for item in elem.value:
                yield from number_strings(item)
        elif elem.VR in ("DS", "IS") and elem.value not in (None, ""):
            values = elem.value if elem.VM > 1 else [elem.value]
            for v in values:
                yield elem.keyword, elem.VR, getattr(v, "original_string", None) or str(v)


def assert_numbers_valid(ds: Dataset) -> None:
    for keyword, vr, text in number_strings(ds):
        limit, pattern = (16, DS_TEXT) if vr == "DS" else (12, IS_TEXT)
        assert len(text) <= limit and pattern.match(text), (keyword, vr, text)


def from_file(path: Path, **overrides) -> Dataset:
    """A generated file read back and de-identified, as the pipeline hands it to the writer."""
    ds = dcmread(path, stop_before_pixels=True)
    for key, value in overrides.items():
        setattr(ds, key, value)
    out = deidentify_dataset(ds, secret=SECRET, pixels_cleaned=True)
    out.file_meta = ds.file_meta
    return out


@pytest.mark.parametrize(
    "image_type",
    [None, ["ORIGINAL", "PRIMARY", "Heart;flow"]],
    ids=["empty-in-file", "invalid-so-emptied-by-deid"],
)
def test_empty_image_type_is_written_empty_not_a_crash(tmp_path, image_type):
    """Found 1: an ImageType present with no value (None once de-identification empties an
    invalid one) made the lossy-history step raise TypeError."""
    with quiet_pydicom():
        src = make_cine(tmp_path / "in.dcm", colour=True, extra={"ImageType": image_type})
        head = from_file(src)
    assert "ImageType" in head and not head.ImageType
    result = write_deidentified_dicom(
        head, colour_frames(2), tmp_path / "o.dcm", photometric_in="RGB", compress=True, lossy=True
    )
    ds = dcmread(result.path)
    assert "ImageType" in ds and not ds.ImageType and ds.LossyImageCompression == "01"


def test_single_valued_image_type_becomes_derived_not_letters(tmp_path):
    result = write_deidentified_dicom(
        header(ImageType="ORIGINAL"),
        colour_frames(1),
        tmp_path / "o.dcm",
        photometric_in="RGB",
        compress=True,
        lossy=True,
    )
    assert dcmread(result.path).ImageType == "DERIVED"


def test_frame_time_vector_keeps_the_sources_clean_text(tmp_path):
    """Found 4: the vector re-derived from seconds came out as 49.999999999999986 (17 chars)."""
    from cine.pipeline import process

    vector = ["0", "33.333", "50.000", "33.333", "50.000", "33.333"]
    src = make_cine(tmp_path / "in.dcm", frames=6, frame_time_vector=vector)
    process(src, tmp_path / "out", dicom_writer=deidentified_dicom_writer(SECRET))
    ds = dcmread(tmp_path / "out" / "deidentified.dcm")
    assert [v.original_string for v in ds.FrameTimeVector] == vector
    assert_numbers_valid(ds)


def test_ugly_float_timing_is_written_as_valid_ds(tmp_path):
    ugly = [0.0, 49.999999999999986, 1000 / 30, 100 / 3 + 1e-13, 1e-7, 123456.7890123456]
    result = write_deidentified_dicom(
        header(),
        grey_frames(6),
        tmp_path / "v.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
        frame_time_vector_ms=ugly,
    )
    ds = dcmread(result.path)
    assert_numbers_valid(ds)
    assert [float(v) for v in ds.FrameTimeVector] == pytest.approx(ugly, abs=1e-6)
    one = write_deidentified_dicom(
        header(),
        grey_frames(2),
        tmp_path / "f.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
        frame_time_ms=49.999999999999986,
    )
    assert dcmread(one.path).FrameTime.original_string == "50.0"


def lossy_history_of(ds: Dataset) -> tuple[list[str], list[str]]:
    def values(keyword):
        value = ds.get(keyword)
        return [] if value in (None, "") else [str(v) for v in np.atleast_1d(value)]

    methods, ratios = values("LossyImageCompressionMethod"), values("LossyImageCompressionRatio")
    assert not ratios or len(ratios) == len(methods), (methods, ratios)  # PS3.3 C.7.6.1.1.5
    return methods, ratios


@pytest.mark.parametrize(
    ("syntax", "source_method"),
    [
        ("1.2.840.10008.1.2.4.91", "ISO_15444_1"),  # JPEG 2000 (lossy)
        ("1.2.840.10008.1.2.4.50", "ISO_10918_1"),  # JPEG Baseline
        ("1.2.840.10008.1.2.4.81", "ISO_14495_1"),  # JPEG-LS near-lossless
    ],
)
def test_lossy_source_method_kept_in_step_with_its_ratio(tmp_path, syntax, source_method):
    """Found 5: a JPEG 2000 source's ratio was kept but its method lost (2 ratios, 1 method)."""
    src = make_cine(tmp_path / "in.dcm", colour=True, frames=2)
    head = from_file(src, LossyImageCompression="01", LossyImageCompressionRatio="10")
    head.file_meta.TransferSyntaxUID = syntax
    jpeg = write_deidentified_dicom(
        head, colour_frames(2), tmp_path / "j.dcm", photometric_in="RGB", compress=True
    )
    methods, ratios = lossy_history_of(dcmread(jpeg.path))
    assert methods == [source_method, "ISO_10918_1"] and float(ratios[0]) == 10 and len(ratios) == 2
    # Lossless re-encoding: the history stays, nothing is added, the flag stays true.
    head = from_file(src)  # no history in the header: the method comes from the syntax alone
    head.file_meta.TransferSyntaxUID = syntax
    rle = write_deidentified_dicom(
        head, colour_frames(2), tmp_path / "r.dcm", photometric_in="RGB", compress=True, codec="rle"
    )
    ds = dcmread(rle.path)
    assert ds.LossyImageCompression == "01"
    assert lossy_history_of(ds) == ([source_method], [])  # the source's ratio is unknown


def test_lossless_source_stays_unflagged_and_jpeg_is_recorded(tmp_path):
    src = make_cine(tmp_path / "in.dcm", frames=2, encoding="rle")
    rle = write_deidentified_dicom(
        from_file(src),
        grey_frames(2, 48, 64),
        tmp_path / "r.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
    )
    assert dcmread(rle.path).LossyImageCompression == "00"
    jpeg = write_deidentified_dicom(
        from_file(src),
        colour_frames(2),
        tmp_path / "j.dcm",
        photometric_in="RGB",
        compress=True,
        lossy=True,
    )
    ds = dcmread(jpeg.path)
    assert ds.LossyImageCompression == "01"
    assert lossy_history_of(ds)[0] == ["ISO_10918_1"] and len(lossy_history_of(ds)[1]) == 1


@pytest.mark.parametrize("name", ["US1_J2KR.dcm", "examples_ybr_color.dcm", "orthanc-Issue16.dcm"])
def test_lossy_history_of_real_j2k_and_jpeg_samples(tmp_path, name):
    source = real_path(name)
    original = dcmread(source)
    deid = deidentify_dataset(original, secret=SECRET, pixels_cleaned=True)
    result = write_deidentified_dicom(
        deid,
        iter_pixels(source),
        tmp_path / "o.dcm",
        photometric_in="RGB",
        compress=True,
        lossy=True,
    )
    ds = dcmread(result.path)
    methods, _ = lossy_history_of(ds)
    assert ds.LossyImageCompression == "01" and methods[-1] == "ISO_10918_1"
    lossy_source = original.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.4.90"
    assert methods == ["ISO_10918_1"] * (2 if lossy_source else 1)


# Type 2 elements of the mandatory modules of the current US (Multi-frame) Image IODs
# (PS3.3 A.6/A.7: Patient, General Study, General Series, General Equipment, General Image,
# US Image), plus the 2C ones dciodvfy asks for when their condition cannot be evaluated.
CURRENT_US_TYPE2 = (
    *("PatientName", "PatientID", "PatientBirthDate", "PatientSex"),
    *("StudyDate", "StudyTime", "ReferringPhysicianName", "StudyID", "AccessionNumber"),
    *("SeriesNumber", "Laterality", "Manufacturer", "InstanceNumber", "PatientOrientation"),
    "ImageType",
)


@pytest.mark.parametrize(
    ("retired", "frames", "current"),
    [("1.2.840.10008.5.1.4.1.1.3", 4, US_MULTIFRAME), ("1.2.840.10008.5.1.4.1.1.6", 1, US_SINGLE)],
)
def test_retired_class_relabelled_with_the_current_type2_elements(
    tmp_path, retired, frames, current
):
    """Found 6: the current IODs' Type 2 elements were missing after relabelling."""
    src = make_cine(tmp_path / "in.dcm", frames=frames, extra={"SOPClassUID": retired})
    result = write_deidentified_dicom(
        from_file(src),
        grey_frames(frames, 48, 64),
        tmp_path / "o.dcm",
        photometric_in="MONOCHROME2",
        compress=True,
    )
    ds = dcmread(result.path)
    assert ds.SOPClassUID == current == ds.file_meta.MediaStorageSOPClassUID
    assert [k for k in CURRENT_US_TYPE2 if k not in ds] == []
