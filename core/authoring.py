"""Small helpers every authoring service shares: applying a whitelist of field changes, and
URL slugs made from titles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.text import slugify

from core.content_language import localized


def apply_fields(obj: models.Model, allowed: frozenset[str], fields: dict[str, Any]) -> list[str]:
    """Set ``fields`` on ``obj``; the names changed, for ``save(update_fields=…)``. A name
    outside ``allowed`` is a programming error (views pass cleaned form data), not user input."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)
    return list(fields)


def apply_translations(
    obj: models.Model, fields: Iterable[str], translations: dict[str, Any]
) -> list[str]:
    """Set per-language values (``title_en``, ``title_zh_hans`` …) of the translated ``fields``
    on ``obj``; the names set. Like ``apply_fields``, another name is a programming error."""
    unknown = set(translations) - set(localized(*fields))
    if unknown:
        raise TypeError(f"cannot set {sorted(unknown)}")
    for name, value in translations.items():
        setattr(obj, name, value or "")
    return list(translations)


def first_text(*values: str | None) -> str:
    """The first non-empty value (a title for a slug, whichever language it is in)."""
    return next((value for value in values if value), "")


def unique_slug(
    model: type[models.Model],
    title: str,
    *,
    fallback: str,
    exclude_pk: int | None = None,
    reserved: Iterable[str] = (),
) -> str:
    """A URL slug from the title, unique in ``model.slug`` (``-2``, ``-3`` … when taken);
    titles without Latin letters (e.g. Chinese) get ``fallback``. ``reserved`` slugs would
    shadow a fixed URL such as ``…/new/``."""
    base = slugify(title)[:180].strip("-") or fallback
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    ) | set(reserved)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
