"""Small helpers every authoring service shares: applying a whitelist of field changes, and
URL slugs made from titles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.text import slugify


def apply_fields(obj: models.Model, allowed: frozenset[str], fields: dict[str, Any]) -> list[str]:
    """Set ``fields`` on ``obj``; the names changed, for ``save(update_fields=…)``. A name
    outside ``allowed`` is a programming error (views pass cleaned form data), not user input."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"cannot update {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)
    return list(fields)


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
