# ruff: noqa: RUF001 -- Chinese labels in the patterns use the full-width colon on purpose
"""Spotting text that looks like a patient identifier in what authors type.

Teaching cases must not identify patients, yet clinical histories are often pasted from
reports. These checks are heuristics for a *warning* (saving is never blocked): Chinese
resident ID numbers (18 characters with a birth date and a check character), phone numbers,
dates of birth next to a "DOB"/出生日期 label, and medical-record numbers next to their label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?日?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    rf"|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}})"
)

PATTERNS: dict[str, re.Pattern[str]] = {
    # GB 11643: 6-digit area code, birth date YYYYMMDD, 3-digit sequence, check digit or X.
    "id_number": re.compile(
        r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
        r"\d{3}[0-9Xx](?![0-9A-Za-z])"
    ),
    "phone": re.compile(
        # Mainland mobiles (optionally +86, grouped 3-4-4), landlines with an area code (not
        # inside a DOI or code: no letter, dot, slash or hyphen before), any number after a
        # phone label.
        r"(?<![\w./-])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"
        r"|(?<![\w./-])(?:\(0\d{2,3}\)\s?|0\d{2,3}-)\d{7,8}(?!\d)"
        r"|(?:\b(?:tel|phone|mobile)\b|电话|手机|联系方式)\.?\s*[:：]?\s*\+?\(?\d[\d\s()-]{6,}\d",
        re.IGNORECASE,
    ),
    "birth_date": re.compile(
        rf"(?:\bD\.?O\.?B\b\.?|\bdate\s+of\s+birth\b|\bborn(?:\s+on)?\b|出生日期|出生于|生日)"
        rf"\s*[:：]?\s*{_DATE}",
        re.IGNORECASE,
    ),
    "record_number": re.compile(
        r"(?:\bMRN\b|\bmedical\s+record\s+(?:number|no)\b\.?|\bhospital\s+(?:number|no)\b\.?"
        r"|\bpatient\s+(?:id|number|no)\b\.?|病历号|住院号|门诊号|登记号|病案号|影像号)"
        r"\s*[:：#]?\s*[A-Za-z]{0,3}-?\d[\dA-Za-z-]{3,}",
        re.IGNORECASE,
    ),
}

KIND_LABELS = {
    "id_number": _("an ID card number"),
    "phone": _("a phone number"),
    "birth_date": _("a date of birth"),
    "record_number": _("a medical record number"),
}


def identifier_kinds(text: str) -> list[str]:
    """The kinds of identifier ``text`` seems to contain, in a fixed order."""
    if not text:
        return []
    return [kind for kind, pattern in PATTERNS.items() if pattern.search(text)]


@dataclass(frozen=True)
class PhiWarning:
    field: str  # field name, or "annotations" for labels
    label: str  # what the author sees (translated)
    kinds: tuple[str, ...]

    @property
    def message(self) -> str:
        kinds = ", ".join(str(KIND_LABELS[kind]) for kind in self.kinds)
        return gettext(
            "“%(field)s” seems to contain %(kinds)s. Teaching cases must not identify a "
            "patient: please remove it unless it is made up."
        ) % {"field": self.label, "kinds": kinds}

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "kinds": list(self.kinds), "message": self.message}


def check_texts(texts: Mapping[str, tuple[str, str]]) -> list[PhiWarning]:
    """``texts`` maps field name → (label, text); one warning per field with findings."""
    warnings = []
    for field, (label, text) in texts.items():
        kinds = identifier_kinds(text)
        if kinds:
            warnings.append(PhiWarning(field, str(label), tuple(kinds)))
    return warnings


def check_fields(obj: object, fields: Iterable[str]) -> list[PhiWarning]:
    """Warnings for the named text fields of a model instance (labels: verbose names)."""
    meta = obj._meta  # type: ignore[attr-defined]
    texts = {
        name: (str(meta.get_field(name).verbose_name).capitalize(), getattr(obj, name) or "")
        for name in fields
    }
    return check_texts(texts)
