"""Replacement UIDs: 2.25 form, stable, keyed by the secret, classes kept."""

import pytest
from pydicom.uid import UID

from cine.uids import check_secret, derived_uid, is_class_uid, map_uid

SECRET = b"uid-secret-0123456789abcdef"


def test_map_uid_is_a_valid_stable_2_25_uid():
    new = map_uid(SECRET, "1.2.3.4.5")
    assert new.startswith("2.25.") and len(new) <= 64
    assert UID(new).is_valid
    assert new == map_uid(SECRET, "1.2.3.4.5")
    assert new == map_uid(SECRET, " 1.2.3.4.5\x00")  # padding is not part of the UID
    assert new != map_uid(SECRET, "1.2.3.4.6")
    assert new != map_uid(b"another-secret-0123456789", "1.2.3.4.5")


def test_uuid_version_8_bits():
    import uuid

    value = uuid.UUID(int=int(map_uid(SECRET, "1.2.3").split(".")[-1]))
    assert value.version == 8


def test_dicom_root_and_empty_kept():
    assert map_uid(SECRET, "1.2.840.10008.5.1.4.1.1.3.1") == "1.2.840.10008.5.1.4.1.1.3.1"
    assert map_uid(SECRET, "") == ""


def test_class_uids_recognised():
    assert is_class_uid("SOPClassUID", "1.3.46.670589.private.class")
    assert is_class_uid("SomethingUID", "1.2.840.10008.1.2.4.50")
    assert not is_class_uid("SOPInstanceUID", "1.2.3")


def test_derived_uid_is_deterministic_and_distinct():
    base = map_uid(SECRET, "1.2.3")
    assert derived_uid(base, "jpeg") == derived_uid(base, "jpeg")
    assert derived_uid(base, "jpeg") not in {base, derived_uid(base, "rle")}
    assert UID(derived_uid(base, "jpeg")).is_valid


@pytest.mark.parametrize("secret", [b"", b"short", "a-text-secret-of-length"])
def test_bad_secrets_refused(secret):
    with pytest.raises((TypeError, ValueError)):
        check_secret(secret)
