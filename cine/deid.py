"""Header de-identification: PS3.15 Annex E Basic Application Confidentiality Profile.

Options applied: Retain Longitudinal Temporal Information with Modified Dates (every kept date
shifted by one secret per-patient offset) and, when the caller has blanked the burned-in text,
Clean Pixel Data. The pseudonym (PatientName, PatientID) and the offset share one key
(``identity.patient_key``): the real identity, or the study when the identity is a placeholder.
The action for each attribute comes from the table in ``deid_table``; it is
applied at every nesting level. All private elements, elements of unknown VR, curves,
overlays and stray items are removed.

Attributes the table does not list are judged by their VR (rules in ``deid_table``): free
text, names, AE titles and URIs are removed unless on the short KEPT_TEXT allow-list, binary
values unless on KEPT_BINARY; UIDs are replaced unless they name a class. Every value that is
kept, at any depth, must then be valid for its VR (PS3.5 6.2: CS, AS, DS, IS, TM, UI, DA, DT;
allowed text: printable ASCII within the VR's length). A value that is not is removed, or
emptied when the attribute is type 1 or 2 in the US image IODs. A DICOMDIR is refused.

Nothing here logs or raises with a header value or the secret: messages name tag keywords
only, and pydicom's own validation warnings (which quote the offending value) are silenced
while it runs.
"""

import base64
import copy
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    MediaStorageDirectoryStorage,
)

from cine.dataset_checks import quiet_pydicom
from cine.dates import date_offset_days, normalise_tm, shift_da, shift_dt
from cine.deid_table import (
    BINARY_VRS,
    DATE_VRS,
    IS_RANGE,
    KEPT_BINARY,
    KEPT_TEXT,
    TABLE,
    TEXT_MAX_LENGTH,
    TEXT_VRS,
    US_IOD_TYPE_1_2,
    VALUE_RULES,
    in_removed_group,
    resolve,
)
from cine.errors import CineError
from cine.identity import patient_key
from cine.uids import check_secret, is_class_uid, is_valid_uid, map_uid

logger = logging.getLogger(__name__)

IMPLEMENTATION_VERSION_NAME = "CINE_DEID_1"

# PS3.16 CID 7050 codes for what was done (DCM coding scheme).
BASIC_PROFILE_CODE = ("113100", "Basic Application Confidentiality Profile")
CLEAN_PIXEL_CODE = ("113101", "Clean Pixel Data Option")
MODIFIED_DATES_CODE = ("113107", "Retain Longitudinal Temporal Information Modified Dates Option")

# Non-empty placeholders for action D, by VR (DA/DT/UI never get here: shifted or remapped).
DUMMY_BY_VR: dict[str, object] = {
    "PN": "ANONYMOUS",
    "LO": "ANONYMIZED",
    "SH": "ANONYMIZED",
    "LT": "ANONYMIZED",
    "ST": "ANONYMIZED",
    "UT": "ANONYMIZED",
    "UC": "ANONYMIZED",
    "CS": "ANONYMIZED",
    "AE": "ANONYMIZED",
    "AS": "000D",
    "TM": "000000",
    "DA": "19000101",
    "DT": "19000101000000",
    "IS": "0",
    "DS": "0",
    "US": 0,
    "SS": 0,
    "UL": 0,
    "SL": 0,
    "UV": 0,
    "SV": 0,
    "FL": 0.0,
    "FD": 0.0,
}

# Groups never kept in a stored dataset body: command group, file meta, item delimiters.
_DROPPED_GROUPS = frozenset({0x0000, 0x0002, 0xFFFE})
# Pixel data is kept byte for byte: never decoded here.
_PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
# (implicit VR, little endian) as read -> the transfer syntax that encoding is.
_SYNTAX_BY_ENCODING = {
    (True, True): ImplicitVRLittleEndian,
    (False, True): ExplicitVRLittleEndian,
    (False, False): ExplicitVRBigEndian,
}


@dataclass(frozen=True)
class _Context:
    secret: bytes
    offset_days: int


def _read_text(ds: Dataset, keyword: str) -> str:
    """Value of a top-level attribute as text, or "" when absent or undecodable."""
    try:
        value = ds.get(keyword)
    except Exception:  # malformed values must not stop de-identification
        return ""
    return "" if value is None else str(value)


def _pseudonym(secret: bytes, key: str) -> str:
    digest = hmac.new(secret, b"patient\x00" + key.encode("utf-8"), "sha256").digest()
    return base64.b32encode(digest[:10]).decode("ascii")


def _values(value: object) -> list[Any]:
    if isinstance(value, MultiValue | list | tuple):
        return list(value)
    return [] if value is None else [value]


def _set_values(elem: DataElement, values: list[Any]) -> None:
    elem.value = values[0] if len(values) == 1 else values


def _empty(elem: DataElement) -> None:
    elem.value = Sequence([]) if elem.VR == "SQ" else None


def _shift(elem: DataElement, ctx: _Context) -> None:
    shifter: Callable[[str, int], str | None] = shift_da if elem.VR == "DA" else shift_dt
    shifted = [shifter(str(v), ctx.offset_days) for v in _values(elem.value)]
    if any(v is None for v in shifted):
        logger.info("emptied %s: not a valid date", elem.keyword or elem.tag)
        _empty(elem)
    elif shifted:
        _set_values(elem, shifted)


def _remap(elem: DataElement, ctx: _Context) -> None:
    if elem.VR == "UI":
        _set_values(elem, [map_uid(ctx.secret, str(v)) for v in _values(elem.value)])
    elif elem.VR != "SQ":
        _empty(elem)


def _dummy(elem: DataElement, ctx: _Context) -> None:
    if elem.VR == "UI":
        _remap(elem, ctx)
        return
    if elem.VR in DATE_VRS:
        _shift(elem, ctx)
        return
    dummy = DUMMY_BY_VR.get(elem.VR)
    if dummy is None:
        _empty(elem)  # binary VRs: an empty value is the only safe "dummy"
    else:
        elem.value = dummy


def _is_binary(vr: str) -> bool:
    return any(part in BINARY_VRS for part in vr.split(" or "))


def _unkept(keyword: str) -> str:
    """X, or Z for an attribute the US image IODs require to be present."""
    return "Z" if keyword in US_IOD_TYPE_1_2 else "X"


def _default_action(vr: str, keyword: str, value: object) -> str:
    """Action for a standard attribute the table does not list, chosen by its VR."""
    if vr == "UI":
        return "K" if all(is_class_uid(keyword, str(v)) for v in _values(value)) else "U"
    if vr in DATE_VRS:
        return "C"
    if vr in TEXT_VRS:
        return "K" if keyword in KEPT_TEXT else _unkept(keyword)
    if _is_binary(vr):
        return "K" if keyword in KEPT_BINARY else "X"
    return "K"


def _valid_text(vr: str, keyword: str, value: object) -> bool:
    if keyword not in KEPT_TEXT:
        return False
    max_length = TEXT_MAX_LENGTH.get(vr)
    for item in _values(value):
        text = str(item)
        if not all(" " <= char <= "~" for char in text):
            return False
        if max_length is not None and len(text.strip()) > max_length:
            return False
    return True


def _valid_number_or_code(vr: str, item: object) -> bool:
    # Set by code, not read from a file: a plain number.
    numeric = isinstance(item, int | float) and not hasattr(item, "original_string")
    if vr in ("DS", "IS") and numeric and isinstance(item, int | float):
        return vr == "DS" or IS_RANGE[0] <= int(item) <= IS_RANGE[1]
    text = str(item).strip()
    if not text:
        return True
    if vr == "UI":
        return is_valid_uid(text)
    pattern, max_length = VALUE_RULES[vr]
    if len(text) > max_length or pattern.fullmatch(text) is None:
        return False
    return vr != "IS" or IS_RANGE[0] <= int(text) <= IS_RANGE[1]


def _enforce_vr(ds: Dataset, elem: DataElement) -> None:
    """Remove (or empty) a kept element whose value is not valid for its VR; fix TM form."""
    vr = elem.VR
    if vr in TEXT_VRS:
        valid = _valid_text(vr, elem.keyword, elem.value)
    elif vr == "TM":
        times = [normalise_tm(str(v)) for v in _values(elem.value)]
        valid = all(t is not None for t in times)
        if valid and times:
            _set_values(elem, times)
    elif vr in VALUE_RULES:
        valid = all(_valid_number_or_code(vr, v) for v in _values(elem.value))
    else:
        return  # numbers, tags, sequences, allowed binaries; dates were checked by the shift
    if not valid:
        _drop(ds, elem.tag, elem.keyword, "its value is not valid for its VR")


def _drop(ds: Dataset, tag: BaseTag, keyword: str, reason: str) -> None:
    """Remove an element whose value cannot be kept, or empty it if the IOD requires it."""
    if keyword in US_IOD_TYPE_1_2:
        vr = dictionary_VR(tag).split(" or ")[0]
        ds[tag] = DataElement(tag, vr, Sequence([]) if vr == "SQ" else None)
        logger.info("emptied %s: %s", keyword, reason)
    else:
        del ds[tag]
        logger.info("removed %s: %s", keyword or _tag_name(tag), reason)


def _clean(ds: Dataset, ctx: _Context) -> None:
    """Apply the profile to one dataset level, then to every item of every kept sequence."""
    for tag in list(ds.keys()):
        tag = Tag(tag)
        if (
            tag.is_private
            or tag.element == 0
            or tag.group in _DROPPED_GROUPS
            or in_removed_group(tag.group)
        ):
            del ds[tag]
            continue
        if int(tag) in _PIXEL_TAGS:
            continue
        try:
            elem = ds[tag]  # converts raw elements: VR and character set resolved here
        except Exception:
            logger.warning("undecodable element %s", _tag_name(tag))
            _drop(ds, tag, keyword_for_tag(tag), "it could not be decoded")
            continue
        if elem.VR == "UN" or elem.VR is None or not elem.keyword:
            del ds[tag]  # unknown VR, or an attribute not in the dictionary: cannot be judged
            continue
        standard_vr = dictionary_VR(tag)
        if elem.VR not in (standard_vr, *standard_vr.split(" or ")):
            # A VR the attribute never has: its bytes would be kept under rules meant for
            # another kind of value (text written as numbers would pass as numbers).
            _drop(ds, tag, elem.keyword, "its VR is not the one the standard gives it")
            continue
        code = TABLE.get(int(tag))
        if code is None:
            action = _default_action(elem.VR, elem.keyword, elem.value)
        else:
            action = resolve(code, elem.VR, elem.keyword)
        _apply(ds, elem, action, ctx)


def _apply(ds: Dataset, elem: DataElement, action: str, ctx: _Context) -> None:
    if action == "X":
        del ds[elem.tag]
        return
    if action == "Z":
        _empty(elem)
    elif action == "D":
        _dummy(elem, ctx)
    elif action == "C" and elem.VR in DATE_VRS:
        _shift(elem, ctx)
    elif action == "U":
        _remap(elem, ctx)
    if action in ("K", "U", "C"):
        _enforce_vr(ds, elem)
        if elem.VR == "SQ" and elem.tag in ds:
            for item in elem.value:
                _clean(item, ctx)


def _tag_name(tag: BaseTag) -> str:
    return keyword_for_tag(tag) or str(tag)


def _code_item(code: tuple[str, str]) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodeMeaning = code
    item.CodingSchemeDesignator = "DCM"
    return item


def _mark(out: Dataset, pseudonym: str, *, pixels_cleaned: bool, burned_in: str) -> None:
    out.PatientName = "ANON^" + pseudonym
    out.PatientID = "ANON-" + pseudonym
    out.PatientIdentityRemoved = "YES"
    out.LongitudinalTemporalInformationModified = "MODIFIED"
    # Pixels untouched: anything but an explicit NO may hide burned-in text.
    out.BurnedInAnnotation = "NO" if pixels_cleaned or burned_in == "NO" else "YES"
    # Exactly the options applied: the offset is whole days, so times of day are kept and every
    # DT keeps its time and zone (113107); patient characteristics and device identity are
    # removed, not retained, so 113108 and 113109 are not claimed.
    codes = [BASIC_PROFILE_CODE, *([CLEAN_PIXEL_CODE] if pixels_cleaned else [])]
    codes.append(MODIFIED_DATES_CODE)
    out.DeidentificationMethod = [meaning[:64] for _, meaning in codes]
    out.DeidentificationMethodCodeSequence = [_code_item(code) for code in codes]


def _file_meta(out: Dataset, original: FileMetaDataset | None) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.FileMetaInformationVersion = b"\x00\x01"
    if "SOPClassUID" in out:
        meta.MediaStorageSOPClassUID = out.SOPClassUID
    if "SOPInstanceUID" in out:
        meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    transfer_syntax = original.get("TransferSyntaxUID") if original is not None else None
    if transfer_syntax is not None and not is_valid_uid(transfer_syntax):
        transfer_syntax = None
    if transfer_syntax is None:  # e.g. a file without meta: say how it was actually encoded
        implicit, little = out.original_encoding
        if implicit is not None and little is not None:
            transfer_syntax = _SYNTAX_BY_ENCODING.get((implicit, little))
    if transfer_syntax is not None:
        meta.TransferSyntaxUID = UID(str(transfer_syntax))
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta


def deidentify_dataset(ds: Dataset, *, secret: bytes, pixels_cleaned: bool) -> Dataset:
    """Return a de-identified deep copy of `ds`; `ds` itself is left unchanged.

    `pixels_cleaned` says the caller has blanked every burned-in annotation in the pixel data
    it will store: only then is BurnedInAnnotation set to NO and the Clean Pixel Data option
    declared. Pixel Data is copied as it is.
    """
    check_secret(secret)
    with quiet_pydicom():
        refuse_dicomdir(ds)
        return _deidentify(ds, bytes(secret), pixels_cleaned)


def refuse_dicomdir(ds: Dataset) -> None:
    """Raise CineError for a DICOMDIR (Media Storage Directory Storage): an index of a disc,
    full of patient names, no image."""
    meta = getattr(ds, "file_meta", None)
    sop_class = meta.get("MediaStorageSOPClassUID") if meta is not None else None
    if (
        str(sop_class or "").strip().rstrip("\x00") == MediaStorageDirectoryStorage
        or 0x00041220 in ds  # DirectoryRecordSequence
    ):
        raise CineError(
            "this is a DICOMDIR (the index of a disc or folder, listing patients' names), "
            "not an image: upload the image files it lists instead"
        )


def _deidentify(ds: Dataset, secret: bytes, pixels_cleaned: bool) -> Dataset:
    out = copy.deepcopy(ds)
    # A stray Item at top level (seen in the wild) makes element iteration raise: use tags.
    for tag in [t for t in out.keys() if Tag(t).group == 0xFFFE]:  # noqa: SIM118
        del out[tag]
    key = patient_key(
        _read_text(out, "PatientID"),
        _read_text(out, "PatientName"),
        _read_text(out, "PatientBirthDate"),
        _read_text(out, "StudyInstanceUID"),
        _read_text(out, "SOPInstanceUID"),
    )
    burned_in = _read_text(out, "BurnedInAnnotation").strip().upper()
    ctx = _Context(secret=secret, offset_days=date_offset_days(secret, key))
    _clean(out, ctx)
    _mark(out, _pseudonym(secret, key), pixels_cleaned=pixels_cleaned, burned_in=burned_in)
    out.file_meta = _file_meta(out, getattr(ds, "file_meta", None))
    return out
