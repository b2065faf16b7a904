"""Reads of institutions that several apps' pages and APIs need."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Institution
from core.api import parse_id


def institution_by_id(value: object) -> Institution | None:
    """The institution whose id ``value`` is (a form or query value), or None: not an id, or
    no such institution."""
    pk = parse_id(value)
    return Institution.objects.filter(pk=pk).first() if pk is not None else None


def all_institutions() -> QuerySet[Institution]:
    return Institution.objects.all()
