"""How the quiz API answers errors: always ``{"detail": message}``, one status per service
error (``quizzes.services.errors``), and a JSON parser that keeps request bodies small."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.serializers import Serializer

from quizzes.services.errors import (
    AnswerLocked,
    AttemptClosed,
    NotAllowed,
    NotYourAttempt,
    QuestionNotOnPaper,
    QuizError,
    QuizUnavailable,
)

# Looked up along the exception's MRO, so a subclass H2 adds later keeps its parent's status.
STATUS_OF: dict[type[QuizError], int] = {
    QuizUnavailable: status.HTTP_403_FORBIDDEN,
    NotAllowed: status.HTTP_403_FORBIDDEN,
    NotYourAttempt: status.HTTP_404_NOT_FOUND,
    QuestionNotOnPaper: status.HTTP_404_NOT_FOUND,
    AttemptClosed: status.HTTP_409_CONFLICT,
    AnswerLocked: status.HTTP_409_CONFLICT,
}


class QuizApiError(APIException):
    """A refusal rendered by DRF as ``{"detail": message}`` with the given status."""

    def __init__(self, message: str, status_code: int, code: str | None = None) -> None:
        self.status_code = status_code
        super().__init__(message, code)


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self) -> None:
        super().__init__(_("The request body is too large."))


def status_for(exc: QuizError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return status.HTTP_400_BAD_REQUEST


@contextmanager
def quiz_errors() -> Iterator[None]:
    """A service's errors as API errors; a malformed answer (django ValidationError) is a 400."""
    try:
        yield
    except QuizError as exc:
        raise QuizApiError(exc.message, status_for(exc)) from exc
    except DjangoValidationError as exc:
        raise QuizApiError(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST) from exc


def validated(serializer: Serializer) -> dict[str, Any]:
    """The serializer's data, or a 400 with its messages as one ``detail`` string (the quiz
    API's error shape), e.g. "response: This field is required."."""
    if serializer.is_valid():
        return dict(serializer.validated_data)
    messages = []
    errors = serializer.errors
    for field, problems in errors.items():
        items = problems if isinstance(problems, list) else [problems]
        text = " ".join(str(p) for p in items)
        messages.append(text if field == "non_field_errors" else f"{field}: {text}")
    raise QuizApiError(" ".join(messages), status.HTTP_400_BAD_REQUEST)


class BoundedJSONParser(JSONParser):
    """JSON of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, however DRF hands the body over
    (recent versions read ``request.body``, which applies Django's cap; older ones pass the raw
    stream, which does not). Deeply nested JSON is refused as bad JSON rather than exhausting
    the parser's recursion (a 500).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > limit:
            raise BodyTooLarge()
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise BodyTooLarge()
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON document is nested too deeply.")) from exc


class QuizApiErrorsMixin:
    """For the quiz viewsets: a body over Django's cap is a 413 ``{"detail"}`` like our other
    refusals, not Django's bare 400 page."""

    def handle_exception(self, exc: Exception):
        if isinstance(exc, RequestDataTooBig):
            exc = BodyTooLarge()
        return super().handle_exception(exc)
