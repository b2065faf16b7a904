# ruff: noqa: RUF001, RUF002, RUF003 -- Chinese labels and examples use the full-width colon on purpose
"""Spotting text that looks like a patient identifier in what authors type.

Teaching cases must not identify patients, yet clinical histories are often pasted from
reports. These checks are heuristics for a *warning* (saving is never blocked): Chinese
resident ID numbers (18 characters with a birth date and a check character), phone numbers,
dates of birth next to a "DOB"/出生日期 label, medical-record numbers next to their label, and
names: after a name label ("Patient: Zhang Wei", 姓名：张伟, 患者王芳), after a courtesy title
("Mr. Li", 张先生). An unlabelled name ("Wang Wei DOB …") is not looked for: clinical text is
full of capitalised words and Chinese characters, and the warning must stay rare to be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from core.content_language import LANGUAGE_TAGS, is_translated_field

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    r"(?:\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?日?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    rf"|\d{{1,2}}\s+{_MONTHS}\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}},?\s+\d{{4}})"
)

# Common Chinese surnames, leaving out those that also begin everyday clinical words after
# 患者 (高血压, 左叶, 石 = stone, 于 = at, 方, 白, 金 …): a surname is what tells "患者王芳"
# (a name) from "患者男性" or "患者肝内" (not one).
_SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|慕容|"
    "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡杜叶程苏魏"
    "吕丁沈姚卢姜崔钟谭陆汪范贾夏韦付傅邹孟熊秦邱尹薛闫段雷侯龙陶黎贺顾毛郝龚邵钱严覃武"
    "戴莫孔汤庞樊兰殷柯倪葛]"
)
_HAN = r"[\u4e00-\u9fff]"
# Name-like values that are not names: placeholders and words a clinician writes after a label.
_NOT_A_NAME = (
    r"(?!(?:Male|Female|Man|Woman|Boy|Girl|Adult|Child|Infant|Elderly|Anonymous|Anon|"
    r"Unknown|Withheld|Redacted|Removed|None|Not|No|Known|Referred|Presented|Outpatient|"
    r"Inpatient|Asymptomatic|Healthy|Volunteer|Phantom|Test|Demo|Case|The|This|A|An)\b)"
)
_LATIN_NAME_WORD = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?"
_LATIN_NAME_WORD_OR_CAPS = rf"(?:{_LATIN_NAME_WORD}|[A-Z]{{2,}})"

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
    # Not IGNORECASE as a whole: the labels are (?i:…), the name itself must be capitalised.
    "name": re.compile(
        "|".join(
            [
                # "Name: Zhang Wei", "Patient name: ZHANG WEI" (a bare "name" label only at the
                # start of a line or after punctuation, so "drug name: SonoVue" passes).
                rf"(?:(?:^|(?<=[\n,;.(（]))\s*(?i:name)|(?i:patient'?s?\s+name|full\s+name"
                rf"|surname|family\s+name|given\s+name|first\s+name|last\s+name))\s*[:：]\s*"
                rf"{_NOT_A_NAME}(?:{_LATIN_NAME_WORD_OR_CAPS}|{_HAN}{{2,4}}(?<!匿名)(?<!不详))",
                # "Patient: Zhang Wei": two capitalised words (one could be "Patient: Male").
                rf"(?i:\bpatient|\bpt)\s*[:：]\s*{_NOT_A_NAME}{_LATIN_NAME_WORD}\s+"
                rf"{_LATIN_NAME_WORD}",
                # "Mr. Li's liver", "Mrs Wang" (case-sensitive: "MR", "MS" are other things).
                rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Madam)\.?\s+{_LATIN_NAME_WORD_OR_CAPS}",
                # 姓名：张伟 — 2 to 4 characters that are not a placeholder (某某, 匿名, 不详 …).
                rf"姓名\s*[:：]?\s*(?:(?![某匿不保略无]){_HAN}){{2,4}}(?!{_HAN})",
                # 患者王芳, 病人：李建国 — a surname first, not "王某", and then the name ends.
                rf"(?:患者|病人|病员)\s*[:：]?\s*(?!黄疸|黄染|周身|周期|周围|毛细)"
                rf"(?:{_SURNAMES})(?:(?!某){_HAN}){{1,3}}(?!{_HAN})",
                # 张先生, 王女士, 李小姐 (but not 该女士 "this lady" or 某先生).
                rf"(?:(?![某该此位这那其本每]){_HAN})(?:先生|女士|小姐)",
            ]
        )
    ),
}

KIND_LABELS = {
    "id_number": _("an ID card number"),
    "phone": _("a phone number"),
    "birth_date": _("a date of birth"),
    "record_number": _("a medical record number"),
    "name": _("a name"),
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
    """Warnings for the named text fields of a model instance (labels: verbose names).

    A field stored in English and Chinese (``*/translation.py``) is checked in each language,
    not only in the one being read: one warning per language with findings, under the field's
    own name and labelled with the language ("Title (中文)").
    """
    meta = obj._meta  # type: ignore[attr-defined]
    warnings = []
    for name in fields:
        label = str(meta.get_field(name).verbose_name).capitalize()
        if not is_translated_field(obj, name):
            warnings += check_texts({name: (label, getattr(obj, name) or "")})
            continue
        for code in settings.MODELTRANSLATION_LANGUAGES:
            text = getattr(obj, build_localized_fieldname(name, code)) or ""
            warnings += check_texts({name: (f"{label} ({LANGUAGE_TAGS[code]})", text)})
    return warnings
