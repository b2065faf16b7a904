"""Building blocks of the question form: a select whose options carry data for
quiz-builder.js, and the parsing of tags and of a drawn answer region."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.geometry import ROI_KINDS, clean_geometry
from quizzes.models import QuestionTag

# A drawn outline is at most 500 points: far below this many characters.
MAX_ROI_JSON = 40_000


class DataSelect(forms.Select):
    """A select whose options carry ``data-*`` attributes (per value), read by
    quiz-builder.js to narrow the loop and annotation lists to the chosen case."""

    def __init__(self, *args, option_data: dict[str, dict[str, Any]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for key, data in self.option_data.get(str(value), {}).items():
            option["attrs"][f"data-{key}"] = data
        return option


def parse_tags(text: str) -> list[str]:
    """Comma-separated tag names, stripped, without blanks or repeats (first spelling kept)."""
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip()[: QuestionTag._meta.get_field("name").max_length]
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def parse_roi(text: str, size: tuple[int, int] | None) -> dict[str, Any]:
    """The ``{"kind", "geometry"}`` key of a drawn ROI from the hidden field's JSON, cleaned
    by ``cases.geometry.clean_geometry`` in the loop's original pixels."""
    if len(text) > MAX_ROI_JSON:
        raise ValidationError(_("The drawn region is too large."), "invalid")
    try:
        data = json.loads(text)
    except ValueError:
        raise ValidationError(_("The drawn region could not be read."), "invalid") from None
    if not isinstance(data, dict) or set(data) != {"kind", "geometry"}:
        raise ValidationError(_("The drawn region must be an ellipse or a polygon."), "invalid")
    if data["kind"] not in ROI_KINDS:
        raise ValidationError(_("The drawn region must be an ellipse or a polygon."), "invalid")
    try:
        geometry = clean_geometry(data["kind"], data["geometry"], size)
    except ValidationError as exc:
        raise ValidationError(
            _("The drawn region is not valid: %(reason)s") % {"reason": " ".join(exc.messages)},
            "invalid",
        ) from None
    return {"kind": data["kind"], "geometry": geometry}


def loop_size(loop) -> tuple[int, int] | None:
    return (loop.columns, loop.rows) if loop.columns and loop.rows else None
