"""The compact writer's header values (issue 12): what dciodvfy checks — valid DS/IS text,
Image Type, timing, the lossy-compression history kept in step with the pixels, retired
classes relabelled — asserted here without it (tests/cine/test_dicom_writer.py: the pixels)."""

import re
from pathlib import Path

import numpy as np
import pytest
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels import iter_pixels

from cine.dataset_checks import quiet_pydicom
from cine.deid import deidentify_dataset
from cine.dicom_writer import write_deidentified_dicom
from cine.pipeline import deidentified_dicom_writer

from .cine_factory import make_cine
from .sample_files import real_path
from .test_dicom_writer import SECRET, US_MULTIFRAME, US_SINGLE, colour_frames, grey_frames, header

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
