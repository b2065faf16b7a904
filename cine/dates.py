"""Date shifting for the Retain Longitudinal Temporal Information with Modified Dates option.

Every date of one patient moves by the same secret number of whole days, so intervals (days
between studies, the order of events) survive while the real calendar dates do not. Times of
day are unchanged: a shift by whole days leaves them valid. The offset comes from
HMAC-SHA256(secret, patient key) and is never logged or returned to a user: with it, anyone
could restore the real dates.
"""

import datetime as dt
import hmac

# Range of the offset in days (both ends included): always into the past, by one to ten
# years, so shifted dates never land in the future and look like ordinary dates.
OFFSET_RANGE_DAYS = (-3650, -365)

# DA is YYYYMMDD; DT is YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]. Precisions shorter than a
# day are shifted as the first day of the period, then cut back to the same precision.
_DATE_PRECISIONS = (4, 6, 8)


def patient_key(
    patient_id: str, patient_name: str = "", birth_date: str = "", study_uid: str = ""
) -> str:
    """Key of one patient's offset: the ID, else name and birth date, else the study."""
    pid = str(patient_id or "").strip()
    if pid:
        return "id:" + pid
    name = str(patient_name or "").strip()
    if name:
        return "name:" + name + "|" + str(birth_date or "").strip()
    return "study:" + str(study_uid or "").strip()


def date_offset_days(secret: bytes, key: str) -> int:
    """Return the secret per-patient shift in days, within OFFSET_RANGE_DAYS."""
    low, high = OFFSET_RANGE_DAYS
    digest = hmac.new(bytes(secret), b"date-offset\x00" + key.encode("utf-8"), "sha256").digest()
    return low + int.from_bytes(digest[:8], "big") % (high - low + 1)


def _shift_date_part(text: str, days: int) -> str | None:
    if len(text) not in _DATE_PRECISIONS or not text.isdigit():
        return None
    padded = text + "0101"[len(text) - 4 :] if len(text) < 8 else text
    try:
        day = dt.date(int(padded[:4]), int(padded[4:6]), int(padded[6:8]))
        shifted = day + dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None
    return f"{shifted.year:04d}{shifted.month:02d}{shifted.day:02d}"[: len(text)]


def shift_da(value: str, days: int) -> str | None:
    """Shift one DA value (or a DA range ``a-b``); None when it is not a valid date."""
    text = str(value).strip()
    if not text:
        return ""
    if "-" in text:
        parts = [p.strip() for p in text.split("-", 1)]
        shifted = [_shift_date_part(p, days) if p else "" for p in parts]
        if any(part is None for part in shifted):
            return None
        return "-".join(part or "" for part in shifted)
    return _shift_date_part(text, days)


def shift_dt(value: str, days: int) -> str | None:
    """Shift the date part of one DT value, keeping time and UTC offset; None when invalid."""
    text = str(value).strip()
    if not text:
        return ""
    zone = ""
    for sign in "+-":
        pos = text.find(sign, 4)
        if pos != -1:
            text, zone = text[:pos], text[pos:]
            break
    date_len = min(len(text), 8)
    date = _shift_date_part(text[:date_len], days)
    if date is None:
        return None
    rest = text[date_len:]
    if rest and not rest.replace(".", "", 1).isdigit():
        return None
    return date + rest + zone
