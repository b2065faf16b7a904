"""Shared API helpers: the one way to read a row id from a query string or a body, and to
refuse with ``{"detail": message, …}``.

Ids are BigAutoField primary keys. A number past 64 bits cannot be sent to the database
(SQLite raises OverflowError, PostgreSQL an out-of-range error: both were 500s), and
``str.isdigit`` accepts digits ``int`` refuses ("²"); so ids are ASCII digits from 1 to
``MAX_ID``, checked here before any query.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError

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


class ApiRefusal(APIException):
    """A refusal rendered as ``{"detail": message, ...extra}`` with the given status."""

    def __init__(self, message: str, status_code: int, **extra: object) -> None:
        self.status_code = status_code
        super().__init__(message)
        self.detail = {"detail": message, **extra}  # type: ignore[assignment]


def error_text(errors: dict[str, Any] | list[Any]) -> str:
    """Field errors (a serializer's, a ``ValidationError``'s ``message_dict``) as one line:
    "field: message. other: message."."""
    if isinstance(errors, list):
        return " ".join(str(e) for e in errors)
    parts = []
    for field, problems in errors.items():
        text = error_text(problems if isinstance(problems, list | dict) else [problems])
        parts.append(text if field in ("non_field_errors", "__all__") else f"{field}: {text}")
    return " ".join(parts)


def validated(serializer: serializers.Serializer) -> dict[str, Any]:
    """The serializer's validated data, or a 400 ``{"detail"}`` naming every problem."""
    if not serializer.is_valid():
        raise ApiRefusal(error_text(serializer.errors), status.HTTP_400_BAD_REQUEST)
    return dict(serializer.validated_data)


def service_refusal(
    exc: DjangoValidationError | DjangoPermissionDenied,
    *,
    conflicts: Collection[str] = (),
    phi_warnings: list[dict[str, Any]] | None = None,
) -> ApiRefusal:
    """How the API answers a service's refusal: ``PermissionDenied`` 403; ``ValidationError``
    409 when its code is one of ``conflicts`` (the object has moved on), else 400 naming every
    problem — with ``phi_warnings`` when given (text that looks like a patient identifier)."""
    if isinstance(exc, DjangoPermissionDenied):
        return ApiRefusal(str(exc), status.HTTP_403_FORBIDDEN)
    if phi_warnings is not None:
        return ApiRefusal(exc.messages[0], status.HTTP_400_BAD_REQUEST, phi_warnings=phi_warnings)
    if getattr(exc, "code", None) in conflicts:
        return ApiRefusal(" ".join(exc.messages), status.HTTP_409_CONFLICT)
    detail = error_text(exc.message_dict) if hasattr(exc, "error_dict") else " ".join(exc.messages)
    return ApiRefusal(detail, status.HTTP_400_BAD_REQUEST)
