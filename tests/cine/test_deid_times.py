"""Times under the Retain Longitudinal Temporal Information with Modified Dates option.

The date offset is whole days, so every time of day stays valid and is kept; every DT has its
date part shifted by the same days with time, fraction and UTC offset kept. DA+TM pairs and DTs
of one file therefore still agree and every interval survives. The method codes must list
exactly the options applied (PS3.16 CID 7050).
"""

import datetime as dt

import pytest
from pydicom.dataset import Dataset

from cine.dates import date_offset_days
from cine.deid import deidentify_dataset

SECRET = b"times-secret-0123456789abcdef"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
PAIRS = ("Study", "Series", "Content", "Acquisition", "InstanceCreation")
PAIR_VALUES = {
    "Study": ("20190817", "235930"),  # a minute before midnight: a day boundary nearby
    "Series": ("20190817", "235931.5"),
    "Content": ("20190818", "000105.123456"),
    "Acquisition": ("20190818", "000102.25"),
    "InstanceCreation": ("20190818", "001500"),
}
ACQUISITION_DT = "20190818000102.25+0200"  # = AcquisitionDate + AcquisitionTime, local zone
FRAME_DT = "20190818000103.123456-0500"


def source() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = US_MULTIFRAME
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.99.77.3"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.99.77"
    ds.Modality = "US"
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "MRN-77"
    ds.PatientSex = "F"
    ds.PatientAge = "045Y"
    ds.PatientWeight = "61"
    ds.DeviceSerialNumber = "SN-1234"
    ds.StationName = "US-ROOM-3"
    for prefix, (date, time) in PAIR_VALUES.items():
        setattr(ds, prefix + "Date", date)
        setattr(ds, prefix + "Time", time)
    ds.AcquisitionDateTime = ACQUISITION_DT
    frame = Dataset()
    content = Dataset()
    content.FrameAcquisitionDateTime = FRAME_DT
    content.FrameReferenceDateTime = FRAME_DT
    frame.FrameContentSequence = [content]
    ds.PerFrameFunctionalGroupsSequence = [frame]
    return ds


def parse_dt(value: str) -> dt.datetime:
    """A full-precision DT (or DA+TM joined) as a datetime, UTC offset applied when present."""
    text = str(value)
    zone = ""
    if len(text) > 5 and text[-5] in "+-":
        text, zone = text[:-5], text[-5:]
    moment = dt.datetime.strptime(text.split(".")[0], "%Y%m%d%H%M%S")
    if "." in text:
        moment += dt.timedelta(microseconds=int(text.split(".")[1].ljust(6, "0")))
    if zone:
        minutes = int(zone[1:3]) * 60 + int(zone[3:])
        moment = moment.replace(
            tzinfo=dt.timezone(dt.timedelta(minutes=minutes if zone[0] == "+" else -minutes))
        )
    return moment


def pair(ds: Dataset, prefix: str) -> dt.datetime:
    return parse_dt(str(ds[prefix + "Date"].value) + str(ds[prefix + "Time"].value))


@pytest.fixture(scope="module")
def before_after() -> tuple[Dataset, Dataset]:
    ds = source()
    return ds, deidentify_dataset(ds, secret=SECRET, pixels_cleaned=False)


def test_offset_is_whole_days_so_times_of_day_are_kept(before_after):
    before, after = before_after
    offset = date_offset_days(SECRET, "id:MRN-77")
    assert isinstance(offset, int) and offset != 0
    for prefix in PAIRS:
        assert str(after[prefix + "Time"].value) == PAIR_VALUES[prefix][1]
        assert pair(after, prefix) - pair(before, prefix) == dt.timedelta(days=offset)


def test_intervals_between_all_dates_and_times_are_unchanged(before_after):
    before, after = before_after
    moments_before = [pair(before, p) for p in PAIRS]
    moments_after = [pair(after, p) for p in PAIRS]
    for moment_before, moment_after in zip(moments_before, moments_after, strict=True):
        assert moment_after - moments_after[0] == moment_before - moments_before[0]
    # The DT and the study's DA+TM: same interval, to the microsecond.
    naive_dt = parse_dt(str(after.AcquisitionDateTime)).replace(tzinfo=None)
    original = parse_dt(ACQUISITION_DT).replace(tzinfo=None)
    assert naive_dt - pair(after, "Study") == original - pair(before, "Study")


def test_dt_and_its_da_tm_pair_agree(before_after):
    _, after = before_after
    value = str(after.AcquisitionDateTime)
    assert value.endswith("000102.25+0200")  # time, fraction and UTC offset kept
    assert value[:-5] == str(after.AcquisitionDate) + str(after.AcquisitionTime)


def test_nested_dt_shifted_by_the_same_days(before_after):
    before, after = before_after
    offset = dt.timedelta(days=date_offset_days(SECRET, "id:MRN-77"))
    content = after.PerFrameFunctionalGroupsSequence[0].FrameContentSequence[0]
    for keyword in ("FrameAcquisitionDateTime", "FrameReferenceDateTime"):
        assert str(content[keyword].value).endswith("000103.123456-0500")
        assert parse_dt(str(content[keyword].value)) - parse_dt(FRAME_DT) == offset
    assert parse_dt(FRAME_DT) - parse_dt(ACQUISITION_DT) == parse_dt(
        str(content.FrameAcquisitionDateTime)
    ) - parse_dt(str(after.AcquisitionDateTime))
    assert before.AcquisitionDateTime == ACQUISITION_DT  # the source is left alone


@pytest.mark.parametrize(
    ("pixels_cleaned", "codes"),
    [(False, ["113100", "113107"]), (True, ["113100", "113101", "113107"])],
)
def test_method_codes_are_exactly_the_options_applied(pixels_cleaned, codes):
    out = deidentify_dataset(source(), secret=SECRET, pixels_cleaned=pixels_cleaned)
    items = out.DeidentificationMethodCodeSequence
    assert [item.CodeValue for item in items] == codes
    assert {item.CodingSchemeDesignator for item in items} == {"DCM"}
    meanings = {
        "113100": "Basic Application Confidentiality Profile",
        "113101": "Clean Pixel Data Option",
        "113107": "Retain Longitudinal Temporal Information Modified Dates Option",
    }
    assert [item.CodeMeaning for item in items] == [meanings[c] for c in codes]
    assert list(out.DeidentificationMethod) == [meanings[c] for c in codes]
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    # Options not claimed are not applied: patient characteristics (113108) and device
    # identity (113109) are gone, and dates are not kept as they were (113106).
    assert not out.get("PatientSex")
    for keyword in ("PatientAge", "PatientWeight", "DeviceSerialNumber", "StationName"):
        assert keyword not in out
    assert out.StudyDate != PAIR_VALUES["Study"][0]
