"""Which language a bilingual content value is shown in, and the marker when it fell back.

Content fields registered with django-modeltranslation (``*/translation.py``) read as the
active language's value, or the other language's when that one is empty. Pages mark such a
fallback with a small language tag after the text; this module is the only place that knows
how, used by the ``tr`` and ``lang_marker`` template filters.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname, get_language

# Short tags shown in the marker, per language code.
LANGUAGE_TAGS = {"en": "EN", "zh-hans": "中文"}


def localized(*fields: str) -> list[str]:
    """The per-language names of ``fields`` (``title_en``, ``title_zh_hans`` …), in order."""
    return [
        build_localized_fieldname(field, code)
        for field in fields
        for code in settings.MODELTRANSLATION_LANGUAGES
    ]


def in_any_language(field: str, lookup: str, value) -> Q:
    """``field__lookup=value`` in any language's column (``title__icontains`` alone would look
    only at the active language's column, so an English-only title is not found in Chinese)."""
    query = Q()
    for name in localized(field):
        query |= Q(**{f"{name}__{lookup}": value})
    return query


def _filled(value) -> bool:
    return value not in (None, "")


def is_translated_field(obj, field: str) -> bool:
    try:
        options = translator.get_options_for_model(type(obj))
    except NotRegistered:
        return False
    return field in options.all_fields


def shown_language(obj, field: str) -> str | None:
    """The language ``obj.<field>`` is read in now: the active one, a fallback, or None (empty).

    Also None for a field that is not registered for translation (nothing to mark).
    """
    if obj is None or not is_translated_field(obj, field):
        return None
    active = get_language()
    if _filled(getattr(obj, build_localized_fieldname(field, active), None)):
        return active
    for code in settings.MODELTRANSLATION_LANGUAGES:
        if code != active and _filled(getattr(obj, build_localized_fieldname(field, code), None)):
            return code
    return None


def fallback_language(obj, field: str) -> str | None:
    """The other language's code when ``obj.<field>`` is shown in it for lack of a translation."""
    shown = shown_language(obj, field)
    return shown if shown not in (None, get_language()) else None


def fallbacks(obj, *fields: str, names: dict[str, str] | None = None) -> dict[str, str]:
    """For a JSON payload: ``{key: language}`` for each of ``fields`` that ``obj`` shows in
    the other language for lack of a translation (empty when all are in the reader's).
    ``names`` renames a field to the payload key it appears under."""
    names = names or {}
    found = {}
    for field in fields:
        language = fallback_language(obj, field)
        if language:
            found[names.get(field, field)] = language
    return found


FALLBACK_HELP = (
    "The texts shown in the other language for lack of a translation: payload key → that "
    "language's code (en, zh-hans). Empty when every text is in the reader's language. "
    "Clients show a small language tag after such a text."
)


def fallback_marker(language: str | None) -> SafeString:
    """The small tag that follows a text shown in ``language`` instead of the reader's."""
    if not language:
        return mark_safe("")
    names = dict(settings.LANGUAGES)
    return format_html(
        '<span class="lang-fallback" lang="{}" title="{}">{}</span>',
        language,
        _("Not translated yet: shown in %(language)s") % {"language": names[language]},
        LANGUAGE_TAGS.get(language, language),
    )


def translated_html(obj, field: str) -> SafeString:
    """``obj.<field>`` escaped, followed by the fallback marker when it is in the other language."""
    value = getattr(obj, field, "") if obj is not None else ""
    language = fallback_language(obj, field)
    if not language:
        return format_html("{}", value or "")
    return format_html('<span lang="{}">{}</span>{}', language, value, fallback_marker(language))


def in_both_languages(chinese: dict[str, str], **texts: str) -> dict[str, str]:
    """``title_en=…, title_zh_hans=…`` for each ``title=…`` in ``texts``: the English value
    and its Simplified Chinese translation from ``chinese`` (keyed by the English text; a
    missing translation is a KeyError). For demo content, which is written in both."""
    values = {}
    for field, english in texts.items():
        values[build_localized_fieldname(field, "en")] = english
        values[build_localized_fieldname(field, "zh-hans")] = chinese[english] if english else ""
    return values
