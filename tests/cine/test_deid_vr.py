"""De-identification beyond the table: VR validation, the text allow-list, DICOMDIR refusal."""

import io
import logging

import pytest
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from cine.dataset_checks import quiet_pydicom
from cine.deid import deidentify_dataset
from cine.deid_file import deidentify_file
from cine.deid_table import KEPT_TEXT, TABLE, TEXT_VRS
from cine.errors import CineError
from cine.uids import is_valid_uid, map_uid

from .test_deid import FORBIDDEN, NAME, SECRET, planted_dataset, to_bytes

PHI = "ZZPHI-42"
PHI_NAME = f"{PHI} {NAME}"  # 15 bytes in UTF-8
FORBIDDEN_ALL = [
    *FORBIDDEN,
    PHI.encode("ascii"),
    PHI.encode("utf-16-le"),
    NAME.encode("gb18030"),
    NAME.encode("utf-8"),
]

# keyword -> planted value, for attributes the table does not list (checked below).
NOT_IN_TABLE = {
    "ConversionType": PHI_NAME,  # CS: the reviewer's case
    "SeriesType": [PHI, "STATIC"],  # CS, one value invalid
    "ProcessingFunction": PHI_NAME,  # LO
    "TransducerData": [PHI, NAME, "C5-1"],  # LO, multi-valued
    "SoftwareVersions": PHI,  # LO: plausible, but not on the allow-list
    "StageName": PHI,  # SH
    "ViewName": NAME,  # SH
    "PositionReferenceIndicator": PHI_NAME,  # LO, type 2: emptied
    "InterventionDescription": PHI_NAME,  # ST
    "EvaluatorName": f"{NAME}^{PHI}",  # PN
    "ReceivingAE": PHI,  # AE
    "RetrieveURL": f"http://pacs/{PHI}",  # UR
    "Manufacturer": PHI_NAME,  # allow-listed LO, but not plain ASCII: emptied (type 2)
    "ManufacturerModelName": NAME,  # allow-listed, not ASCII: removed (type 3)
}


def _raw(keyword: str, value: str, vr: str | None = None) -> RawDataElement:
    """An element as read from a file, with a value pydicom would refuse to set directly."""
    tag = Tag(tag_for_keyword(keyword))
    data = value.encode("utf-8")
    data += b" " * (len(data) % 2)
    return RawDataElement(tag, vr or dictionary_VR(tag), len(data), data, 0, False, True)


class _Planter:
    """Plants values pydicom will not write (text in a DS, UTF-8 in a UI...).

    Each element is written with a unique placeholder of digits of the same byte length, which
    is then swapped in the file bytes for the real value: the file looks exactly as if a
    scanner had written the invalid value.
    """

    def __init__(self) -> None:
        self.swaps: list[tuple[bytes, bytes]] = []

    def add(self, ds: Dataset, keyword: str, value: str, vr: str | None = None) -> None:
        tag = Tag(tag_for_keyword(keyword))
        data = value.encode("utf-8")
        data += b" " * (len(data) % 2)
        placeholder = f"{len(self.swaps) + 1:04d}".rjust(len(data), "8")
        vr = vr or dictionary_VR(tag)
        ds.add(DataElement(tag, vr, placeholder.encode() if vr == "OW" else placeholder))
        self.swaps.append((placeholder.encode(), data))

    def swap(self, data: bytes) -> bytes:
        for placeholder, value in self.swaps:
            assert data.count(placeholder) == 1
            data = data.replace(placeholder, value)
        return data


def _marker_item(plant: _Planter, depth: int) -> Dataset:
    """An item of a sequence the table does not list, with markers in every kind of value."""
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator = "T-D4000", "SRT"
    plant.add(item, "CodeMeaning", NAME)  # allow-listed but not ASCII: emptied (type 1)
    plant.add(item, "ConversionType", PHI_NAME)
    plant.add(item, "ProcessingFunction", PHI_NAME)
    plant.add(item, "EvaluatorName", f"{NAME}^{PHI}")
    plant.add(item, "FrameDelay", PHI_NAME)  # DS
    plant.add(item, "ActualFrameDuration", PHI_NAME)  # IS
    plant.add(item, "ContextUID", f"1.2.840.10008.{PHI_NAME}")  # UI, DICOM root + text
    plant.add(item, "RelatedGeneralSOPClassUID", PHI_NAME)  # class UI, invalid
    if depth > 0:
        item.AnatomicRegionModifierSequence = [_marker_item(plant, depth - 1)]
    return item


def _planted_bytes() -> bytes:
    """The existing planted dataset plus markers in attributes the table does not list, as a
    scanner would have written them."""
    with quiet_pydicom():  # placeholders of digits are not valid for every VR either
        return _planted_bytes_quietly()


def _planted_bytes_quietly() -> bytes:
    ds, plant = planted_dataset(), _Planter()
    for keyword, value in NOT_IN_TABLE.items():
        assert tag_for_keyword(keyword) not in TABLE, keyword
        plant.add(ds, keyword, "\\".join(value if isinstance(value, list) else [value]))
    plant.add(ds, "EffectiveDuration", PHI_NAME)  # DS, type 3: removed
    plant.add(ds, "SeriesNumber", PHI_NAME)  # IS, type 2: emptied
    plant.add(ds, "HeartRate", NAME)  # IS
    plant.add(ds, "PixelSpacing", f"0.1\\{PHI}")  # DS, second value invalid
    plant.add(ds, "AcquisitionTime", PHI_NAME)  # TM (table X/Z: a time is kept, so checked)
    plant.add(ds, "Modality", PHI_NAME)  # CS, type 1: emptied
    plant.add(ds, "RelatedGeneralSOPClassUID", f"1.2.840.10008.{PHI}")  # class UID + text
    plant.add(ds, "ContextUID", f"1.2.840.10008.5.1.{NAME}")
    plant.add(ds, "BlendingLookupTableData", PHI_NAME, "OW")  # binary, not needed
    plant.add(ds, "ImageType", f"DERIVED\\{PHI_NAME}")  # CS, type 2: emptied
    for keyword in ("AnatomicRegionSequence", "AnatomicRegionModifierSequence"):
        assert tag_for_keyword(keyword) not in TABLE
    ds.AnatomicRegionSequence = [_marker_item(plant, depth=2)]  # markers two levels down
    return plant.swap(to_bytes(ds))


def assert_no_marker(data: bytes) -> None:
    for needle in FORBIDDEN_ALL:
        assert needle not in data, f"found {needle!r}"


def test_planted_file_really_carries_the_new_markers():
    data = _planted_bytes()
    for needle in (PHI.encode(), NAME.encode("utf-8"), f"1.2.840.10008.{PHI}".encode()):
        assert needle in data
    back = dcmread(io.BytesIO(data))
    with quiet_pydicom():
        assert PHI in str(back.ConversionType)
        nested = back.AnatomicRegionSequence[0].AnatomicRegionModifierSequence[0]
        assert NAME in str(nested.AnatomicRegionModifierSequence[0].ProcessingFunction)


def test_markers_outside_the_table_vanish_from_dataset_output(caplog):
    caplog.set_level(logging.DEBUG)
    source = dcmread(io.BytesIO(_planted_bytes()))
    out = deidentify_dataset(source, secret=SECRET, pixels_cleaned=True)
    assert_no_marker(to_bytes(out))
    for text in (PHI, NAME, "ZZPHI"):
        assert text not in caplog.text
    assert "ConversionType" in caplog.text  # the log names what was dropped, not its value


def test_markers_outside_the_table_vanish_from_file_output(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    source = tmp_path / "in.dcm"
    source.write_bytes(_planted_bytes())
    target = tmp_path / "out.dcm"
    deidentify_file(source, target, secret=SECRET)
    data = target.read_bytes()
    assert_no_marker(data)
    assert PHI not in caplog.text and NAME not in caplog.text
    back = dcmread(target)
    assert back.PixelData == dcmread(source).PixelData


def test_what_is_removed_emptied_and_kept():
    source = dcmread(io.BytesIO(_planted_bytes()))
    out = deidentify_dataset(source, secret=SECRET, pixels_cleaned=True)
    removed = [
        "ConversionType",
        "SeriesType",
        "ProcessingFunction",
        "TransducerData",
        "SoftwareVersions",
        "StageName",
        "ViewName",
        "InterventionDescription",
        "EvaluatorName",
        "ReceivingAE",
        "RetrieveURL",
        "ManufacturerModelName",
        "EffectiveDuration",
        "HeartRate",
        "PixelSpacing",
        "AcquisitionTime",
        "RelatedGeneralSOPClassUID",
        "ContextUID",
        "BlendingLookupTableData",
    ]
    for keyword in removed:
        assert keyword not in out, keyword
    # Type 1/2 in the US image IODs: present, empty.
    for keyword in ("PositionReferenceIndicator", "Manufacturer", "SeriesNumber", "Modality"):
        assert keyword in out and out[keyword].is_empty, keyword
    assert "ImageType" in out and out["ImageType"].is_empty
    # Pixel description survives.
    assert (out.Rows, out.Columns, out.NumberOfFrames) == (4, 4, 2)
    assert out.FrameTime == 40.0 and out.FrameIncrementPointer == 0x00181063
    item = out.AnatomicRegionSequence[0]
    assert (item.CodeValue, item.CodingSchemeDesignator) == ("T-D4000", "SRT")
    assert item["CodeMeaning"].is_empty  # not ASCII
    for level in (item, item.AnatomicRegionModifierSequence[0]):
        for keyword in ("ConversionType", "ProcessingFunction", "EvaluatorName", "FrameDelay"):
            assert keyword not in level
        assert "ActualFrameDuration" not in level and "ContextUID" not in level


def _one(keyword: str, value: str, vr: str | None = None) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    ds.add(_raw(keyword, value, vr))
    return deidentify_dataset(ds, secret=SECRET, pixels_cleaned=False)


@pytest.mark.parametrize(
    ("keyword", "value", "kept"),
    [
        ("TransducerType", "CURVED LINEAR", "CURVED LINEAR"),
        ("TransducerType", "SECTOR_PHASED", "SECTOR_PHASED"),
        ("TransducerType", "curved linear", None),  # CS is upper case
        ("TransducerType", "ABCDEFGHIJKLMNOPQ", None),  # 17 characters
        ("PatientOrientation", "A\\F", ["A", "F"]),
        ("FrameTime", "33.333", 33.333),
        ("FrameTime", " 1e2 ", 100.0),
        ("FrameTime", "12345678901234567", None),  # 17 characters
        ("FrameTime", "NaN", None),
        ("CineRate", "+31", 31),
        ("CineRate", "3.5", None),
        ("CineRate", "4294967296", None),  # beyond a signed 32-bit integer
        ("ContentTime", "1015", "1015"),
        ("ContentTime", "101530.214743816", "101530.214743"),  # fraction cut to 6 digits
        ("ContentTime", "10:15:30", "101530"),  # ACR-NEMA form
        ("ContentTime", "2515", None),
        ("ContentTime", "1015 ZZ", None),
        ("RelatedGeneralSOPClassUID", "1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.6.1"),
        ("RelatedGeneralSOPClassUID", "1.2.840.10008..1", None),
        ("Manufacturer", "G.E. Medical Systems", "G.E. Medical Systems"),
        ("ManufacturerModelName", "x" * 65, None),  # LO is at most 64
        ("ProcessingFunction", "CARD_ADULT", None),  # LO not on the allow-list
    ],
)
def test_kept_values_must_be_valid_for_their_vr(keyword, value, kept):
    out = _one(keyword, value)
    if kept is None:
        assert keyword not in out or out[keyword].is_empty
    else:
        got = out[keyword].value
        assert (list(got) if isinstance(kept, list) else got) == kept


def test_invalid_dt_zone_and_time_are_emptied():
    for value in ("20190817101530+ZZPH", "2019081710ZZ", "201908171015301"):
        assert _one("AcquisitionDateTime", value)["AcquisitionDateTime"].is_empty


def test_instance_uid_outside_table_is_replaced_even_if_invalid():
    out = _one("PrivateRecordUID", f"9.9.{PHI}")
    assert str(out.PrivateRecordUID).startswith("2.25.")


def test_only_allow_listed_text_survives_a_real_file():
    path = get_testdata_file("examples_ybr_color.dcm")
    out = deidentify_dataset(dcmread(path), secret=SECRET, pixels_cleaned=False)
    ours = {"PatientName", "PatientID", "DeidentificationMethod"}
    for elem in out.iterall():
        if elem.VR in TEXT_VRS and not elem.is_empty:
            assert elem.keyword in KEPT_TEXT | ours, elem.keyword


def test_dicomdir_is_refused(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    source = get_testdata_file("DICOMDIR")
    target = tmp_path / "out.dcm"
    with pytest.raises(CineError, match="DICOMDIR") as excinfo:
        deidentify_file(source, target, secret=SECRET)
    names = [
        str(record.PatientName)
        for record in dcmread(source).DirectoryRecordSequence
        if "PatientName" in record
    ]
    assert names and not any(name in str(excinfo.value) + caplog.text for name in names)
    assert not target.exists() and not (tmp_path / "out.dcm.part").exists()
    with pytest.raises(CineError, match="DICOMDIR"):
        deidentify_dataset(dcmread(source), secret=SECRET, pixels_cleaned=False)


def test_wrong_vr_or_unknown_attribute_is_removed():
    out = _one("ProcessingFunction", PHI, "US")  # text written as numbers keeps its bytes
    assert "ProcessingFunction" not in out
    out = _one("FrameTime", PHI, "OB")  # type 1C: emptied
    assert out["FrameTime"].is_empty
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.6.1"
    unknown = Tag(0x0018, 0xFFF0)  # public group, not in the data dictionary
    ds[unknown] = RawDataElement(unknown, "CS", 8, PHI.encode(), 0, False, True)
    out = deidentify_dataset(ds, secret=SECRET, pixels_cleaned=False)
    assert unknown not in out


def test_text_behind_the_dicom_root_is_not_kept_as_a_uid():
    planted = f"1.2.840.10008.5.1.{PHI}"
    assert map_uid(SECRET, planted).startswith("2.25.")
    assert not is_valid_uid(planted)
    assert not is_valid_uid("1.2..3") and not is_valid_uid("1." + "2" * 63)
    assert is_valid_uid("1.2.840.10008.1.2.4.50") and is_valid_uid(" 1.2.3\x00")
