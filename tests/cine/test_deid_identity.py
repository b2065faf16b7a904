"""Pseudonyms and date offsets: one per real patient, never shared by placeholder identities."""

import datetime as dt

import pytest
from pydicom.dataset import Dataset

from cine.deid import deidentify_dataset
from cine.identity import is_placeholder, patient_key

SECRET = b"identity-secret-0123456789abcdef"
US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"
STUDY_DATE = "20190817"

PLACEHOLDER_NAMES = [
    "Anonymized",
    "ANONYMOUS",
    "Anonymous^Patient",
    "anonymous^patient^^^",
    "",
    "^",
    "^^^^",
    "UNKNOWN",
    "Unknown^Unknown",
    "N/A",
    "---",
    "  ",
    "Anonymized ",
    "ANONYMIZED\x00",
    "Anonymized==",
    "XXXXXXXXXXXXXXXX",
    "Doe^John",
]


def source_file(study_uid: str, sop_uid: str, *, name: str, patient_id: str = "") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = US_MULTIFRAME
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = study_uid + ".1"
    ds.Modality = "US"
    ds.PatientName = name
    ds.PatientID = patient_id
    ds.StudyDate = STUDY_DATE
    return ds


def deid(ds: Dataset) -> Dataset:
    return deidentify_dataset(ds, secret=SECRET, pixels_cleaned=False)


def shift_days(out: Dataset) -> int:
    def day(value: str) -> dt.date:
        return dt.datetime.strptime(value, "%Y%m%d").date()

    return (day(out.StudyDate) - day(STUDY_DATE)).days


@pytest.mark.parametrize("name", PLACEHOLDER_NAMES)
def test_placeholder_names_are_recognised(name):
    assert is_placeholder(name)


@pytest.mark.parametrize(
    "value", ["", "0", "00000000", "999999", "XXXXXX", "N/A", "none", "ANONYMIZED", "-"]
)
def test_placeholder_ids_are_recognised(value):
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["Smith^John", "张伟", "MRN0001", "12345", "Na^Young", "Test^Ann"]
)
def test_real_identities_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_keys_of_real_identities_are_unchanged():
    # Pseudonyms already handed out to real patients must not move.
    assert patient_key(" 123 ", "A^B") == "id:123"
    assert patient_key("", "A^B", "19500101") == "name:A^B|19500101"
    assert patient_key("N/A", "A^B", "19500101") == "name:A^B|19500101"


def test_placeholder_identity_falls_back_to_study_then_instance():
    assert patient_key("", "Anonymized", "19500101", "1.2.3") == "study:1.2.3"
    assert patient_key("ANONYMOUS", "^", "", "1.2.3\x00", "1.2.3.4") == "study:1.2.3"
    assert patient_key("", "", "", "", "1.2.3.4") == "instance:1.2.3.4"
    # No UID at all: a one-off key, never shared with another such file.
    assert patient_key("", "", "", "", "") != patient_key("", "", "", "", "")


@pytest.mark.parametrize("name", ["Anonymized", "", "^", "Anonymous^Patient", "N/A"])
def test_two_studies_with_placeholder_identity_get_different_pseudonyms(name):
    a = deid(source_file("1.2.826.0.1.3680043.99.1", "1.2.826.0.1.3680043.99.1.9", name=name))
    b = deid(source_file("1.2.826.0.1.3680043.99.2", "1.2.826.0.1.3680043.99.2.9", name=name))
    assert a.PatientName != b.PatientName
    assert a.PatientID != b.PatientID
    assert shift_days(a) != shift_days(b)  # keyed the same way: no shared "patient" offset


def test_five_placeholder_sources_get_five_pseudonyms():
    # The case found: five unrelated files, all "Anonymized" with no PatientID.
    names = ["Anonymized"] * 5
    outs = [
        deid(source_file(f"1.2.826.0.1.3680043.99.{i}", f"1.2.826.0.1.3680043.99.{i}.9", name=n))
        for i, n in enumerate(names, start=10)
    ]
    assert len({str(out.PatientName) for out in outs}) == 5
    assert len({out.PatientID for out in outs}) == 5


def test_files_of_one_study_with_placeholder_identity_agree():
    study = "1.2.826.0.1.3680043.99.3"
    a = deid(source_file(study, study + ".7", name="Anonymized"))
    b = deid(source_file(study, study + ".8", name="Anonymized", patient_id="N/A"))
    assert (a.PatientName, a.PatientID, shift_days(a)) == (
        b.PatientName,
        b.PatientID,
        shift_days(b),
    )


@pytest.mark.parametrize(("name", "patient_id"), [("Smith^John", "MRN0001"), ("Smith^John", "")])
def test_files_of_one_real_patient_in_two_studies_get_one_pseudonym(name, patient_id):
    a = deid(
        source_file(
            "1.2.826.0.1.3680043.99.4",
            "1.2.826.0.1.3680043.99.4.1",
            name=name,
            patient_id=patient_id,
        )
    )
    b = deid(
        source_file(
            "1.2.826.0.1.3680043.99.5",
            "1.2.826.0.1.3680043.99.5.1",
            name=name,
            patient_id=patient_id,
        )
    )
    assert (a.PatientName, a.PatientID, shift_days(a)) == (
        b.PatientName,
        b.PatientID,
        shift_days(b),
    )
    assert a.StudyInstanceUID != b.StudyInstanceUID
