"""Cleaning what the two sides write in the findings' terms: the requester's reading and the
expert's answer are checked by their models' own validation (the case library's choices and
ranges) and by the case library's category rule (a liver takes CEUS LI-RADS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from cases.models import CeusFindings, category_error
from consults import conf

READING_FIELDS = (*CeusFindings.FINDING_FIELDS, "impression")
ANSWER_FIELDS = (*CeusFindings.FINDING_FIELDS, "diagnosis", "certainty", "recommendation", "report")
# The fields that are free text (trimmed; checked for identifiers).
READING_TEXTS = ("impression",)
ANSWER_TEXTS = ("diagnosis", "recommendation", "report")


def _blank(value: Any) -> Any:
    return "" if value is None else value


def clean_record(
    model: type[models.Model],
    fields: tuple[str, ...],
    texts: tuple[str, ...],
    data: Mapping[str, Any],
    *,
    organ: str,
) -> dict[str, Any]:
    """``data`` checked as a ``model`` (a reading or an answer) would be; the cleaned values.

    Raises ``ValidationError`` with one message per field. A name outside ``fields`` is a
    programming error (the API and forms pass cleaned data), not user input.
    """
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"not a field of {model.__name__}: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name in fields:
        value = data.get(name)
        if name == "washout_onset_s":
            values[name] = value
        elif name == "category":
            values[name] = " ".join(str(_blank(value)).split())
        elif name in texts:
            values[name] = str(_blank(value)).strip()
        else:
            values[name] = _blank(value)
    errors: dict[str, list[str]] = {}
    for name in texts:
        if len(str(values[name])) > conf.MAX_TEXT:
            errors[name] = [_("At most %(limit)s characters, please.") % {"limit": conf.MAX_TEXT}]
    try:
        excluded = [field.name for field in model._meta.fields if field.name not in values]
        model(**values).full_clean(exclude=excluded)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    error = category_error(organ, values.get("category", ""))
    if error:
        errors.setdefault("category", []).append(error)
    if errors:
        raise ValidationError(errors)
    return values


def is_empty(values: Mapping[str, Any]) -> bool:
    return all(value in ("", None) for value in values.values())
