"""Replacement UIDs for de-identified objects (PS3.15 Annex E action "U").

A new UID is ``2.25.<int>`` where the integer is a version-8 UUID built from
HMAC-SHA256(secret, original UID): the same original always gives the same new UID (all files
of a study stay linked, runs are repeatable), and without the secret nobody can link the new
UID back to the original. UIDs under the DICOM root name classes, transfer syntaxes, coding
schemes and well-known frames of reference, never an instance: they are kept.
"""

import hashlib
import hmac
import uuid

from cine.deid_table import VALUE_RULES

# Registered by DICOM itself (PS3.6 Annex A); no instance UID may use this root.
DICOM_ROOT = "1.2.840.10008."

# Attributes whose value names a class or an encoding, never a patient's object.
CLASS_UID_KEYWORDS = frozenset(
    {
        "SOPClassUID",
        "MediaStorageSOPClassUID",
        "ReferencedSOPClassUID",
        "ReferencedSOPClassUIDInFile",
        "AffectedSOPClassUID",
        "RequestedSOPClassUID",
        "RelatedGeneralSOPClassUID",
        "OriginalSpecializedSOPClassUID",
        "SOPClassesInStudy",
        "TransferSyntaxUID",
        "ReferencedTransferSyntaxUIDInFile",
        "ImplementationClassUID",
        "CodingSchemeUID",
        "MappingResourceUID",
        "ContextGroupExtensionCreatorUID",
        "PrivateInformationCreatorUID",
    }
)

MIN_SECRET_BYTES = 16


def check_secret(secret: bytes) -> None:
    """Refuse secrets that are not bytes or too short to resist guessing (value never shown)."""
    if not isinstance(secret, bytes | bytearray):
        raise TypeError("the de-identification secret must be bytes")
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the de-identification secret must be at least {MIN_SECRET_BYTES} bytes")


def _uuid8_uid(digest: bytes) -> str:
    raw = bytearray(digest[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8: custom UUID (RFC 9562)
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return f"2.25.{uuid.UUID(bytes=bytes(raw)).int}"


def is_valid_uid(uid: object) -> bool:
    """True for a UI value of digits and dots, at most 64 characters (PS3.5 9.1)."""
    pattern, max_length = VALUE_RULES["UI"]
    value = str(uid).strip().rstrip("\x00").strip()
    return len(value) <= max_length and pattern.fullmatch(value) is not None


def map_uid(secret: bytes, uid: str) -> str:
    """Return the consistent replacement for `uid`; empty stays empty, DICOM-root UIDs stay.

    Only a valid UID under the DICOM root is kept as it is: anything else that merely starts
    with the root (text appended to a class UID) is replaced like any instance UID.
    """
    value = str(uid).strip().rstrip("\x00").strip()
    if not value or (value.startswith(DICOM_ROOT) and is_valid_uid(value)):
        return value
    digest = hmac.new(bytes(secret), b"uid\x00" + value.encode("utf-8", "replace"), "sha256")
    return _uuid8_uid(digest.digest())


def derived_uid(uid: str, purpose: str) -> str:
    """Return a new UID for an object derived from an already de-identified one.

    No secret is needed: `uid` is already a replacement, and the derivation only says "made
    from that instance for `purpose`", deterministically so that re-running a task rewrites the
    same object.
    """
    value = str(uid).strip()
    digest = hashlib.sha256(b"derived\x00" + purpose.encode() + b"\x00" + value.encode())
    return _uuid8_uid(digest.digest())


def is_class_uid(keyword: str, value: str) -> bool:
    """True when the element names a class/encoding or the value is DICOM-defined."""
    return keyword in CLASS_UID_KEYWORDS or str(value).strip().startswith(DICOM_ROOT)
