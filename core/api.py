"""Shared API input helpers: the one way to read a row id from a query string or a body.

Ids are BigAutoField primary keys. A number past 64 bits cannot be sent to the database
(SQLite raises OverflowError, PostgreSQL an out-of-range error: both were 500s), and
``str.isdigit`` accepts digits ``int`` refuses ("²"); so ids are ASCII digits from 1 to
``MAX_ID``, checked here before any query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ParseError

# The largest value of a PostgreSQL bigint and of a SQLite INTEGER.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """``value`` as a row id, or None when it cannot be one (not a number, 0, past 64 bits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    text = str(value or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def id_param(params: Mapping[str, str], name: str) -> int | None:
    """The id in query parameter ``name``; None when absent or empty; 400 when malformed."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    number = parse_id(raw)
    if number is None:
        raise ParseError(_("%(name)s must be an id (a whole number from 1).") % {"name": name})
    return number


def id_list_param(params: Mapping[str, str], name: str, *, limit: int) -> list[int] | None:
    """Comma-separated ids in ``name`` (the first ``limit`` parts); None when absent. Parts
    that are not ids are skipped: polling clients send whatever ids they hold."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    numbers = (parse_id(part) for part in raw.split(",")[:limit])
    return [number for number in numbers if number is not None]


class IdField(serializers.IntegerField):
    """A row id in a request body: 1 to ``MAX_ID`` (the schema says so too)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class ApiErrorSerializer(serializers.Serializer):
    """``{"detail": message}``: how the API refuses (parse errors, rights, not found)."""

    detail = serializers.CharField()
