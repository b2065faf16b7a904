"""Authoring forms show each translated content field twice: English and Chinese (中文).

A form lists ``*localized("title", "summary")`` in ``Meta.fields`` instead of the plain names;
``BilingualFormMixin`` labels the pair and asks for at least one language of each field that
``bilingual_required`` names (the reader sees the other language, marked, until it is added).
The cleaned data carries the per-language names (``title_en``, ``title_zh_hans``), which the
authoring services accept next to the plain ones.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from core.content_language import LANGUAGE_TAGS, localized

__all__ = ["BilingualFormMixin", "localized"]


class BilingualFormMixin:
    """For ``ModelForm``s listing ``localized(...)`` fields; put it before ``ModelForm``."""

    bilingual_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for code in settings.MODELTRANSLATION_LANGUAGES:
            for name, field in self.fields.items():
                base = name.removesuffix("_" + code.replace("-", "_"))
                if base == name or name != build_localized_fieldname(base, code):
                    continue
                label = model._meta.get_field(base).verbose_name
                field.label = f"{str(label).capitalize()} ({LANGUAGE_TAGS[code]})"
                field.required = False

    def clean(self):
        cleaned = super().clean()
        for base in self.bilingual_required:
            names = localized(base)
            if not any((cleaned.get(name) or "").strip() for name in names):
                self.add_error(names[0], _("Fill in at least one language."))
        return cleaned
