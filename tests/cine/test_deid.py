"""De-identification: a planted marker must vanish from every byte of the output."""

import copy
import io
import logging

import numpy as np
import pytest
from pydicom import config, dcmread, dcmwrite
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from cine.deid import deidentify_dataset
from cine.deid_file import deidentify_file
from cine.errors import NotDicomError
from cine.uids import map_uid

SECRET = b"test-secret-0123456789abcdef"
MARKER = "ZZMARKER-7Q"
NAME = "张伟"
BIRTH_DATE = "19420817"
STUDY_DATE = "20190817"
STUDY_UID = "1.2.826.0.1.3680043.99.424242.1"
SERIES_UID = "1.2.826.0.1.3680043.99.424242.2"
SOP_UID = "1.2.826.0.1.3680043.99.424242.3"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"

# Every encoding the marker could be stored in by a scanner or a private block.
FORBIDDEN = [
    MARKER.encode("ascii"),
    MARKER.encode("utf-16-le"),
    NAME.encode("utf-8"),
    NAME.encode("gb18030"),
    NAME.encode("utf-16-le"),
    BIRTH_DATE.encode("ascii"),
    STUDY_DATE.encode("ascii"),
    STUDY_UID.encode("ascii"),
    SERIES_UID.encode("ascii"),
    SOP_UID.encode("ascii"),
]

PHI_TEXT = {
    "OtherPatientIDs": MARKER,
    "PatientAddress": MARKER,
    "PatientComments": MARKER,
    "PatientTelephoneNumbers": MARKER,
    "PatientMotherBirthName": f"{NAME}^{MARKER}",
    "OtherPatientNames": f"{NAME}^{MARKER}",
    "ReferringPhysicianName": f"{NAME}^{MARKER}",
    "PerformingPhysicianName": f"{NAME}^{MARKER}",
    "OperatorsName": f"{NAME}^{MARKER}",
    "NameOfPhysiciansReadingStudy": f"{NAME}^{MARKER}",
    "PhysiciansOfRecord": f"{NAME}^{MARKER}",
    "RequestingPhysician": f"{NAME}^{MARKER}",
    "InstitutionName": MARKER,
    "InstitutionAddress": MARKER,
    "InstitutionalDepartmentName": MARKER,
    "StationName": MARKER,
    "DeviceSerialNumber": MARKER,
    "AccessionNumber": MARKER,
    "StudyID": MARKER,
    "StudyDescription": MARKER,
    "SeriesDescription": MARKER,
    "ImageComments": MARKER,
    "ProtocolName": MARKER,
    "AdditionalPatientHistory": MARKER,
    "PerformedProcedureStepDescription": MARKER,
    "RequestedProcedureDescription": MARKER,
    "DerivationDescription": MARKER,
    "ContrastBolusAgent": MARKER,
}


def _phi_item(level: int) -> Dataset:
    """An item carrying identity, a date, a private block and (above level 0) a nested item."""
    item = Dataset()
    item.PatientName = f"{NAME}^{MARKER}"
    item.InstitutionName = MARKER
    item.OperatorsName = MARKER
    item.ContentDate = STUDY_DATE
    item.ReferencedSOPClassUID = US_MULTIFRAME
    item.ReferencedSOPInstanceUID = SOP_UID
    block = item.private_block(0x0029, MARKER, create=True)
    block.add_new(0x01, "LO", MARKER)
    if level > 0:
        item.ContributingEquipmentSequence = [_phi_item(level - 1)]
    return item


def planted_dataset(sop_uid: str = SOP_UID, study_date: str = STUDY_DATE) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = US_MULTIFRAME
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = STUDY_UID
    ds.SeriesInstanceUID = SERIES_UID
    ds.FrameOfReferenceUID = STUDY_UID + ".9"
    ds.Modality = "US"
    ds.PatientName = f"{NAME}^{MARKER}"
    ds.PatientID = MARKER
    ds.PatientBirthDate = BIRTH_DATE
    ds.PatientSex = "M"
    ds.StudyDate = study_date
    ds.StudyTime = "101530"
    ds.AcquisitionDateTime = study_date + "101545.123456+0100"
    for keyword, value in PHI_TEXT.items():
        setattr(ds, keyword, value)
    other = Dataset()
    other.PatientID = MARKER
    other.IssuerOfPatientID = MARKER
    ds.OtherPatientIDsSequence = [other]
    # Kept sequences: the profile must reach two levels down inside them.
    ds.SourceImageSequence = [_phi_item(level=2)]
    region = Dataset()
    region.RegionSpatialFormat = 1
    region.ContributingEquipmentSequence = [_phi_item(level=1)]
    ds.SequenceOfUltrasoundRegions = [region]
    request = Dataset()
    request.RequestedProcedureID = MARKER
    request.ScheduledProcedureStepID = MARKER
    ds.RequestAttributesSequence = [request]
    context = Dataset()
    context.TextValue = MARKER
    ds.AcquisitionContextSequence = [context]
    icon = Dataset()
    icon.Rows, icon.Columns, icon.BitsAllocated = 1, len(MARKER) + 1, 8
    icon.add_new(0x7FE00010, "OB", MARKER.encode() + b"\x00")
    ds.IconImageSequence = [icon]
    block = ds.private_block(0x0009, f"{MARKER} CREATOR", create=True)
    block.add_new(0x01, "LO", MARKER)
    block.add_new(0x02, "UN", (NAME + MARKER).encode("utf-8"))
    block.add_new(0x03, "UN", NAME.encode("gb18030"))  # a vendor's other character set
    ds.add(DataElement(0x00189999, "UN", MARKER.encode() + b"\x00"))  # unknown public tag
    ds.add_new(0x60000010, "US", 4)
    ds.add_new(0x60000011, "US", 4)
    ds.add_new(0x60000022, "LO", MARKER)  # OverlayDescription
    ds.add_new(0x60004000, "LT", MARKER)  # OverlayComments
    ds.add_new(0x60003000, "OW", MARKER.encode("utf-16-le"))  # OverlayData
    ds.add_new(0x50000022, "LO", MARKER)  # CurveDescription (retired)
    ds.add_new(0x50003000, "OB", NAME.encode("utf-16-le"))  # CurveData (retired)
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4, 4, 2
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.FrameTime = 40.0
    ds.FrameIncrementPointer = 0x00181063
    ds.BurnedInAnnotation = "YES"
    ds.PixelData = np.arange(32, dtype=np.uint8).tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = US_MULTIFRAME
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.file_meta.SourceApplicationEntityTitle = MARKER[:16]
    return ds


def to_bytes(ds: Dataset) -> bytes:
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def assert_clean(data: bytes) -> None:
    for needle in FORBIDDEN:
        assert needle not in data, f"found {needle!r}"


def test_planted_dataset_really_carries_every_marker():
    data = to_bytes(planted_dataset())
    for needle in FORBIDDEN:
        assert needle in data


def test_marker_vanishes_from_dataset_output(caplog):
    caplog.set_level(logging.DEBUG)
    out = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=True)
    data = to_bytes(out)
    assert_clean(data)
    assert MARKER not in caplog.text and NAME not in caplog.text
    back = dcmread(io.BytesIO(data))
    assert back.PixelData == np.arange(32, dtype=np.uint8).tobytes()
    assert not any(elem.tag.is_private for elem in back.iterall())


def test_marker_vanishes_from_file_output(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    source = tmp_path / "in.dcm"
    source.write_bytes(to_bytes(planted_dataset()))
    target = tmp_path / "out.dcm"
    summary = deidentify_file(source, target, secret=SECRET)
    assert_clean(target.read_bytes())
    assert MARKER not in caplog.text
    assert summary.burned_in_annotation == "YES"
    assert dcmread(target).PixelData == dcmread(source).PixelData
    assert not (tmp_path / "out.dcm.part").exists()


def test_removed_and_replaced_attributes():
    out = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=True)
    for keyword in ("IconImageSequence", "RequestAttributesSequence", "OtherPatientIDsSequence"):
        assert keyword not in out
    assert "AcquisitionContextSequence" not in out
    assert not any(elem.tag.group in (0x5000, 0x6000) for elem in out)
    assert str(out.PatientName).startswith("ANON^") and out.PatientID.startswith("ANON-")
    assert out.PatientBirthDate == "" or out.PatientBirthDate is None
    assert out.PatientIdentityRemoved == "YES"
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    assert out.BurnedInAnnotation == "NO"
    codes = [item.CodeValue for item in out.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113101", "113107"]
    assert {item.CodingSchemeDesignator for item in out.DeidentificationMethodCodeSequence} == {
        "DCM"
    }
    assert out.StudyTime == "101530"  # times survive a whole-day shift


def test_pixels_not_cleaned_keeps_burned_in_yes_and_drops_clean_pixel_code():
    out = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=False)
    assert out.BurnedInAnnotation == "YES"
    codes = [item.CodeValue for item in out.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113107"]
    ds = planted_dataset()
    del ds.BurnedInAnnotation
    out = deidentify_dataset(ds, secret=SECRET, pixels_cleaned=False)
    assert out.BurnedInAnnotation == "YES"  # absent means "may be burned in"


def test_caller_dataset_is_not_mutated():
    ds = planted_dataset()
    before = to_bytes(ds)
    deidentify_dataset(ds, secret=SECRET, pixels_cleaned=True)
    assert to_bytes(ds) == before


def test_uids_consistent_within_study_and_across_runs():
    first = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=False)
    again = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=False)
    other = deidentify_dataset(
        planted_dataset(sop_uid=SOP_UID + ".2"), secret=SECRET, pixels_cleaned=False
    )
    assert first.SOPInstanceUID == again.SOPInstanceUID == map_uid(SECRET, SOP_UID)
    assert first.StudyInstanceUID == other.StudyInstanceUID != STUDY_UID
    assert first.SeriesInstanceUID == other.SeriesInstanceUID
    assert first.FrameOfReferenceUID == other.FrameOfReferenceUID
    assert first.SOPInstanceUID != other.SOPInstanceUID
    # A nested reference to an instance maps exactly as that instance's own UID does.
    assert first.SourceImageSequence[0].ReferencedSOPInstanceUID == first.SOPInstanceUID
    assert first.file_meta.MediaStorageSOPInstanceUID == first.SOPInstanceUID
    different = deidentify_dataset(planted_dataset(), secret=b"x" * 32, pixels_cleaned=False)
    assert different.StudyInstanceUID != first.StudyInstanceUID


def test_class_and_transfer_syntax_uids_kept():
    out = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=False)
    assert out.SOPClassUID == US_MULTIFRAME
    assert out.file_meta.MediaStorageSOPClassUID == US_MULTIFRAME
    assert out.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert out.SourceImageSequence[0].ReferencedSOPClassUID == US_MULTIFRAME
    assert "SourceApplicationEntityTitle" not in out.file_meta


def test_dates_shift_by_one_offset_per_patient():
    import datetime as dt

    a = deidentify_dataset(planted_dataset(), secret=SECRET, pixels_cleaned=False)
    b = deidentify_dataset(
        planted_dataset(sop_uid=SOP_UID + ".5", study_date="20190901"),
        secret=SECRET,
        pixels_cleaned=False,
    )

    def day(value: str) -> dt.date:
        return dt.datetime.strptime(str(value)[:8], "%Y%m%d").date()

    shift = (day(a.StudyDate) - day(STUDY_DATE)).days
    assert -3650 <= shift <= -365
    assert (day(b.StudyDate) - day("20190901")).days == shift
    assert (day(b.StudyDate) - day(a.StudyDate)).days == 15  # interval kept
    assert day(a.AcquisitionDateTime) == day(a.StudyDate)
    assert str(a.AcquisitionDateTime)[8:] == "101545.123456+0100"
    nested = a.SourceImageSequence[0].ContributingEquipmentSequence[0]
    assert day(nested.ContentDate) == day(a.StudyDate)


def test_secret_is_checked_and_never_echoed():
    with pytest.raises(ValueError) as excinfo:
        deidentify_dataset(planted_dataset(), secret=b"short", pixels_cleaned=False)
    assert "short" not in str(excinfo.value)
    with pytest.raises(TypeError):
        deidentify_dataset(planted_dataset(), secret="text-secret-0123456789", pixels_cleaned=False)


def test_stray_top_level_item_is_dropped():
    ds = planted_dataset()
    raw = to_bytes(ds)
    # Splice an Item (FFFE,E000) holding the marker before the top-level PatientID, as seen
    # in the wild, and check reading, de-identifying and writing all cope.
    item = b"\xfe\xff\x00\xe0" + len(MARKER.encode()).to_bytes(4, "little") + MARKER.encode()
    pos = raw.index(b"\x10\x00\x20\x00LO")
    broken = dcmread(io.BytesIO(raw[:pos] + item + raw[pos:]))
    assert any(tag.group == 0xFFFE for tag in broken.keys())  # noqa: SIM118 (iterating raises)
    out = deidentify_dataset(broken, secret=SECRET, pixels_cleaned=False)
    assert_clean(to_bytes(out))


def test_not_dicom_is_a_clear_error(tmp_path):
    source = tmp_path / "x.dcm"
    source.write_bytes(b"hello world, not an image" * 10)
    with pytest.raises(NotDicomError):
        deidentify_file(source, tmp_path / "out.dcm", secret=SECRET)


def test_copy_of_dataset_is_independent():
    ds = planted_dataset()
    out = deidentify_dataset(copy.deepcopy(ds), secret=SECRET, pixels_cleaned=False)
    out.Modality = "XX"
    assert ds.Modality == "US"


def test_file_without_preamble_or_meta(tmp_path):
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset

    ds = planted_dataset()
    del ds.file_meta
    buffer = DicomBytesIO()
    buffer.is_little_endian, buffer.is_implicit_VR = True, True
    write_dataset(buffer, ds)
    source = tmp_path / "bare.dcm"
    source.write_bytes(buffer.getvalue())
    summary = deidentify_file(source, tmp_path / "out.dcm", secret=SECRET)
    assert summary.transfer_syntax_uid == "1.2.840.10008.1.2"
    assert_clean((tmp_path / "out.dcm").read_bytes())
    assert dcmread(tmp_path / "out.dcm").PixelData == ds.PixelData


def test_invalid_date_emptied_without_echoing_it(caplog):
    caplog.set_level(logging.DEBUG)
    ds = planted_dataset()
    ds.add(DataElement(0x00080021, "DA", "2019Q817", validation_mode=config.IGNORE))
    source = dcmread(io.BytesIO(to_bytes(ds)))  # raw again, as read from a scanner's file
    caplog.clear()
    out = deidentify_dataset(source, secret=SECRET, pixels_cleaned=False)
    assert not out.SeriesDate
    assert "SeriesDate" in caplog.text and "2019Q817" not in caplog.text
