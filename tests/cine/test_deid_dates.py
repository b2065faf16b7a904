"""Date shifting (Modified Dates option) and the action table."""

import datetime as dt

import pytest
from pydicom.datadict import tag_for_keyword

from cine.dates import (
    OFFSET_RANGE_DAYS,
    date_offset_days,
    normalise_tm,
    shift_da,
    shift_dt,
)
from cine.deid_table import E1_1_ACTIONS, TABLE, in_removed_group, resolve

SECRET = b"date-secret-0123456789abcdef"


def test_offset_in_range_stable_and_secret_dependent():
    offsets = {date_offset_days(SECRET, f"id:{i}") for i in range(200)}
    low, high = OFFSET_RANGE_DAYS
    assert all(low <= o <= high for o in offsets)
    assert len(offsets) > 150  # spread over the range, not a constant
    assert date_offset_days(SECRET, "id:1") == date_offset_days(SECRET, "id:1")
    assert date_offset_days(SECRET, "id:1") != date_offset_days(b"other-secret-0123456789", "id:1")


@pytest.mark.parametrize(
    ("value", "days", "expected"),
    [
        ("20200301", -1, "20200229"),
        ("20200101", -366, "20181231"),
        ("202003", -1, "202002"),  # month precision: shifted as its first day
        ("2020", -1, "2019"),
        ("20200101-20200201", 10, "20200111-20200211"),
        ("-20200201", 1, "-20200202"),
        ("", 5, ""),
    ],
)
def test_shift_da(value, days, expected):
    assert shift_da(value, days) == expected


@pytest.mark.parametrize("value", ["2020013", "20201301", "abcdefgh", "00000000"])
def test_invalid_dates_give_none(value):
    assert shift_da(value, -10) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20200301101530.123456+0100", "20200229101530.123456+0100"),
        ("20200301101530-0500", "20200229101530-0500"),
        ("2020030110", "2020022910"),
        ("20200301", "20200229"),
    ],
)
def test_shift_dt_keeps_time_and_zone(value, expected):
    assert shift_dt(value, -1) == expected


def test_interval_preserved():
    offset = date_offset_days(SECRET, "id:p")
    a, b = shift_da("20210105", offset), shift_da("20210317", offset)
    days = (dt.datetime.strptime(b, "%Y%m%d") - dt.datetime.strptime(a, "%Y%m%d")).days
    assert days == 71


def test_table_covers_annex_e_and_resolves():
    assert len(TABLE) >= 580
    for keywords in E1_1_ACTIONS.values():
        assert all(tag_for_keyword(k) for k in keywords.split())
    assert TABLE[tag_for_keyword("PatientName")] == "Z"
    assert TABLE[tag_for_keyword("SOPInstanceUID")] == "U"
    assert TABLE[tag_for_keyword("IconImageSequence")] == "X"
    assert TABLE[tag_for_keyword("StationAETitle")] == "X"  # project extension


@pytest.mark.parametrize(
    ("code", "vr", "keyword", "action"),
    [
        ("Z", "DA", "StudyDate", "C"),
        ("Z", "TM", "StudyTime", "K"),
        ("X", "DA", "AdmittingDate", "X"),
        ("Z", "DA", "PatientBirthDate", "Z"),
        ("X/Z/D", "LO", "InstitutionName", "X"),
        ("X/Z/U", "SQ", "ReferencedImageSequence", "U"),
        ("Z/D", "LO", "ContrastBolusAgent", "Z"),
        ("D", "SQ", "ContentSequence", "X"),
        ("D", "PN", "PersonName", "D"),
    ],
)
def test_resolve(code, vr, keyword, action):
    assert resolve(code, vr, keyword) == action


def test_removed_groups():
    assert in_removed_group(0x6000) and in_removed_group(0x601E) and in_removed_group(0x5010)
    assert not in_removed_group(0x6001) and not in_removed_group(0x6020)


@pytest.mark.parametrize(
    "value", ["20200301101530+ZZPH", "2020030110ZZ", "202003011015301", "202003+0100x", "2020X"]
)
def test_shift_dt_refuses_text_in_time_or_zone(value):
    assert shift_dt(value, -1) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", "10"),
        (" 1015 ", "1015"),
        ("101530.5", "101530.5"),
        ("101530.123456789", "101530.123456"),
        ("10:15:30.25", "101530.25"),
        ("235960", "235960"),  # leap second
        ("", ""),
        ("2400", None),
        ("1060", None),
        ("101", None),
        ("1015ZZ", None),
        ("10:15ZZ", None),
    ],
)
def test_normalise_tm(value, expected):
    assert normalise_tm(value) == expected
