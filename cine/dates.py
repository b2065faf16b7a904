"""Date shifting for the Retain Longitudinal Temporal Information with Modified Dates option.

Every date of one patient moves by the same secret number of whole days, so intervals (days
between studies, the order of events) survive while the real calendar dates do not. Times of
day are unchanged: a shift by whole days leaves them valid. The offset comes from
HMAC-SHA256(secret, patient key) and is never logged or returned to a user: with it, anyone
could restore the real dates.
"""

import datetime as dt
import hmac
import re

# Range of the offset in days (both ends included): always into the past, by one to ten
# years, so shifted dates never land in the future and look like ordinary dates.
OFFSET_RANGE_DAYS = (-3650, -365)

# DA is YYYYMMDD; DT is YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]. Precisions shorter than a
# day are shifted as the first day of the period, then cut back to the same precision.
_DATE_PRECISIONS = (4, 6, 8)
# TM is HH[MM[SS[.F{1,6}]]] (PS3.5 6.2); also the ACR-NEMA form HH:MM[:SS[.F]] seen in old
# files. A longer fraction (some vendors write nine digits) is cut to six: digits only.
_TIME = re.compile(r"([0-9]{2})(?:([0-9]{2})(?:([0-9]{2})(?:\.([0-9]+))?)?)?")
_OLD_TIME = re.compile(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_UTC_OFFSET = re.compile(r"[+-][0-9]{4}")
_MAX_FRACTION = 6


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


def normalise_tm(value: str) -> str | None:
    """Return one TM value in the standard form, or None when it is not a time of day.

    Surrounding spaces are dropped, the old ``HH:MM:SS`` form loses its colons and a fraction
    longer than six digits is cut; hours, minutes and seconds must be in range (60 s allowed
    for a leap second).
    """
    text = str(value).strip()
    if not text:
        return ""
    if _OLD_TIME.fullmatch(text):
        text = text.replace(":", "")
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes or 0) > 59 or int(seconds or 0) > 60:
        return None
    if fraction is not None:
        text = text[: text.index(".") + 1 + _MAX_FRACTION]
    return text


def shift_dt(value: str, days: int) -> str | None:
    """Shift the date part of one DT value, keeping time and UTC offset; None when invalid.

    The value must be YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]; a fraction longer than six digits
    is cut to six.
    """
    text = str(value).strip()
    if not text:
        return ""
    zone = ""
    for sign in "+-":
        pos = text.find(sign, 4)
        if pos != -1:
            text, zone = text[:pos], text[pos:]
            break
    if zone and not _UTC_OFFSET.fullmatch(zone):
        return None
    date_len = min(len(text), 8)
    date = _shift_date_part(text[:date_len], days)
    if date is None:
        return None
    rest = text[date_len:]
    if rest:
        time = normalise_tm(rest) if date_len == 8 and _TIME.fullmatch(rest) else None
        if not time:
            return None
        rest = time
    return date + rest + zone
