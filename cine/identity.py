"""Whose file is it: the key of one patient's pseudonym and date offset.

A real identity (PatientID, else PatientName with PatientBirthDate) gives the same key in
every file, so one patient's studies stay linked under one pseudonym. An empty or placeholder
identity ("Anonymized", "", "^", "N/A" …: ``deid_table.PLACEHOLDER_IDENTITIES``) says nothing
about who the patient is: keying on it would pool every such file, from unrelated patients,
under one pseudonym and one date offset. Those files are keyed by their study instead (every
file of one study still agrees), or by their own instance when even the study UID is missing.

The key is only ever used inside an HMAC with the secret; it is never logged or stored.
"""

import secrets

from cine.deid_table import PLACEHOLDER_IDENTITIES

# DICOM pads text with spaces and UIDs with NUL (PS3.5 6.2): not part of the value.
_PADDING = " \x00"


def compact(value: object) -> str:
    """Upper-case letters and digits of `value`, separators and repeated words dropped."""
    text = "".join(char if char.isalnum() else " " for char in str(value or "").upper())
    return "".join(dict.fromkeys(text.split()))  # dict keeps order, drops repeats


def is_placeholder(value: object) -> bool:
    """True when a patient name or ID is empty or a known stand-in for "no identity"."""
    letters = compact(value)
    # One character repeated ("", "0", "XXXXXXXX", "999999") is a mask, never a person.
    return len(set(letters)) <= 1 or letters in PLACEHOLDER_IDENTITIES


def patient_key(
    patient_id: str,
    patient_name: str = "",
    birth_date: str = "",
    study_uid: str = "",
    instance_uid: str = "",
) -> str:
    """Key of one patient: the ID, else name and birth date, else the study, else the file.

    Keys of real identities are the ones used before placeholders were recognised, so
    pseudonyms and offsets already handed out for real patients do not change.
    """
    pid = str(patient_id or "").strip(_PADDING)
    if not is_placeholder(pid):
        return "id:" + pid
    name = str(patient_name or "").strip(_PADDING)
    if not is_placeholder(name):
        return "name:" + name + "|" + str(birth_date or "").strip(_PADDING)
    study = str(study_uid or "").strip(_PADDING)
    if study:
        return "study:" + study
    instance = str(instance_uid or "").strip(_PADDING)
    if instance:
        return "instance:" + instance
    # Nothing links this file to anything: a one-off key, so it is never pooled with others.
    return "unlinked:" + secrets.token_hex(16)
