"""What a trainee may send as an answer, and what a question needs before it can be asked.

``clean_response`` is the only gate between the browser and ``Answer.response``: it accepts
exactly the shape of the question's kind (no extra keys, no booleans for numbers, no NaN or
infinity, only option ids of the attempt's paper, coordinates on the loop's image) and returns
the normalised response that ``quizzes.scoring`` expects. ``clean_answer_key`` refuses a
question whose key is incomplete for its kind.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.geometry import ROI_KINDS, clean_geometry
from cases.models.choices import ArterialPattern, Enhancement, LiRads, Organ, WashoutDegree
from quizzes.models.choices import (
    OPTION_KINDS,
    CategoryVocabulary,
    CertaintyLevel,
    OverlapMetric,
    QuestionKind,
)

MAX_TEXT_LENGTH = 5000

# The case library's enums each category list draws its values from.
VOCABULARIES = {
    CategoryVocabulary.LIRADS: LiRads,
    CategoryVocabulary.ARTERIAL_ENHANCEMENT: Enhancement,
    CategoryVocabulary.ARTERIAL_PATTERN: ArterialPattern,
    CategoryVocabulary.WASHOUT: WashoutDegree,
    CategoryVocabulary.ORGAN: Organ,
}

# The keys a response of each kind has (exactly these).
RESPONSE_KEYS = {
    QuestionKind.SINGLE: {"option"},
    QuestionKind.TRUE_FALSE: {"option"},
    QuestionKind.MULTIPLE: {"options"},
    QuestionKind.ORDERING: {"order"},
    QuestionKind.NUMERIC: {"value"},
    QuestionKind.HOTSPOT: {"x", "y"},
    QuestionKind.DRAWN: {"points"},
    QuestionKind.TIME_POINT: {"time_s"},
    QuestionKind.CATEGORY: {"value"},
    QuestionKind.FREE_TEXT: {"text"},
}


def vocabulary_choices(vocabulary: str) -> list[tuple[str, str]]:
    """(value, translated label) of a category list; empty for an unknown or blank list."""
    enum = VOCABULARIES.get(vocabulary)
    return [(value, str(label)) for value, label in enum.choices] if enum else []


def _invalid(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code)


def _finite(value: Any, name: str) -> float:
    # bool is an int subclass: "true" must not pass for 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(_("“%(name)s” must be a number.") % {"name": name})
    number = float(value)
    if not math.isfinite(number):
        raise _invalid(_("“%(name)s” must be a finite number.") % {"name": name})
    return number


def _option_id(value: Any, option_ids: Iterable[int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(_("An option is identified by its number."))
    if value not in option_ids:
        raise _invalid(_("This option is not part of the question."), "unknown_option")
    return value


def _option_list(value: Any, option_ids: Iterable[int]) -> list[int]:
    if not isinstance(value, list):
        raise _invalid(_("The options must be a list."))
    ids = [_option_id(item, option_ids) for item in value]
    if len(set(ids)) != len(ids):
        raise _invalid(_("An option is listed twice."), "duplicate")
    return ids


def _loop_size(question) -> tuple[int, int] | None:
    """(columns, rows) of the question's loop when known: coordinates must lie on it."""
    loop = question.loop
    if loop is None or not loop.columns or not loop.rows:
        return None
    return (loop.columns, loop.rows)


def _loop_duration(question) -> float | None:
    loop = question.loop
    return loop.duration_s if loop is not None and loop.duration_s else None


def clean_response(question, response: Any, *, option_ids: Sequence[int]) -> dict:
    """The normalised response to ``question`` or a ``ValidationError`` (translated message).

    ``option_ids`` are the question's option ids on this attempt's paper. Multiple choice ids
    come back sorted; numbers as floats; polygon and click coordinates rounded to 1/1000 px.
    """
    kind = question.kind
    keys = RESPONSE_KEYS.get(kind)
    if keys is None:
        raise _invalid(_("Unknown question type."))
    if not isinstance(response, dict):
        raise _invalid(_("The answer must be an object."))
    if set(response) != keys:
        raise _invalid(
            _("This answer needs exactly these values: %(keys)s.")
            % {"keys": ", ".join(sorted(keys))}
        )
    ids = frozenset(option_ids)
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        return {"option": _option_id(response["option"], ids)}
    if kind == QuestionKind.MULTIPLE:
        return {"options": sorted(_option_list(response["options"], ids))}
    if kind == QuestionKind.ORDERING:
        order = _option_list(response["order"], ids)
        if len(order) != len(ids):
            raise _invalid(_("Put every option in the order, once."), "incomplete")
        return {"order": order}
    if kind == QuestionKind.NUMERIC:
        return {"value": _finite(response["value"], "value")}
    if kind == QuestionKind.HOTSPOT:
        point = clean_geometry("point", response, _loop_size(question))
        return {"x": point["x"], "y": point["y"]}
    if kind == QuestionKind.DRAWN:
        return clean_geometry("polygon", response, _loop_size(question))
    if kind == QuestionKind.TIME_POINT:
        time_s = _finite(response["time_s"], "time_s")
        duration = _loop_duration(question)
        if time_s < 0 or (duration is not None and time_s > duration):
            raise _invalid(_("The time is outside the loop."), "outside")
        return {"time_s": time_s}
    if kind == QuestionKind.CATEGORY:
        value = response["value"]
        if not isinstance(value, str) or value not in dict(vocabulary_choices(question.vocabulary)):
            raise _invalid(_("Choose one of the listed categories."), "unknown_choice")
        return {"value": value}
    text = response["text"]
    if not isinstance(text, str):
        raise _invalid(_("The answer must be text."))
    if len(text) > MAX_TEXT_LENGTH:
        raise _invalid(
            _("The answer is longer than %(max)s characters.") % {"max": MAX_TEXT_LENGTH},
            "too_long",
        )
    if "\x00" in text:  # PostgreSQL's jsonb cannot store NUL: refuse rather than fail later
        raise _invalid(_("The answer contains a forbidden character."))
    return {"text": text}


def clean_certainty(value: Any, *, certainty_based: bool) -> str:
    """The certainty sent beside an answer: "" unless the quiz uses certainty-based marking,
    where it must be low, medium or high (or empty: scored as low)."""
    if value in (None, ""):
        return ""
    if not certainty_based:
        return ""
    if not isinstance(value, str) or value not in CertaintyLevel.values:
        raise _invalid(_("Certainty is low, medium or high."))
    return value


# --- answer keys --------------------------------------------------------------------------


def _key_options(question, options) -> list:
    if options is not None:
        return list(options)
    if question.pk is None:
        return []
    return list(question.options.all())


def _answer_keys(answer: Any, keys: set[str]) -> dict:
    if not isinstance(answer, dict) or set(answer) != keys:
        raise _invalid(_("The answer key is missing or incomplete."), "no_key")
    return answer


def _check_tolerance(question) -> None:
    if question.tolerance is not None:
        tolerance = _finite(question.tolerance, "tolerance")
        if tolerance < 0:
            raise _invalid(_("The tolerance cannot be negative."))


def _check_loop(question) -> None:
    if question.loop is None:
        raise _invalid(_("This type of question needs a cine loop."), "no_loop")
    if question.frame_time_s is not None:
        frame = _finite(question.frame_time_s, "frame_time_s")
        duration = _loop_duration(question)
        if frame < 0 or (duration is not None and frame > duration):
            raise _invalid(_("The frame shown is outside the loop."), "outside")


def _check_options(kind: str, options: list) -> None:
    correct = sum(1 for option in options if option.is_correct)
    if kind == QuestionKind.TRUE_FALSE and len(options) != 2:
        raise _invalid(_("A true/false question has exactly two options."))
    if len(options) < 2:
        raise _invalid(_("Give at least two options."))
    if any(not str(option.text).strip() for option in options):
        raise _invalid(_("Every option needs a text."))
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct != 1:
        raise _invalid(_("Mark exactly one option as correct."))
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise _invalid(_("Mark at least one option as correct."))
    if kind == QuestionKind.ORDERING:
        orders = [option.order for option in options]
        if len(set(orders)) != len(orders):
            raise _invalid(_("Each option needs its own place in the order."))


def clean_answer_key(question, *, options: Sequence | None = None) -> None:
    """Raise ``ValidationError`` when ``question`` cannot be scored as it stands.

    ``options`` (objects with ``text``, ``is_correct`` and ``order``) stand for the question's
    options when they are not saved yet; by default they are read from the database.
    """
    kind = question.kind
    if kind not in RESPONSE_KEYS:
        raise _invalid(_("Unknown question type."))
    points = _finite(question.points, "points")
    if points <= 0:
        raise _invalid(_("A question is worth more than 0 points."))
    _check_tolerance(question)
    if kind in OPTION_KINDS:
        _check_options(kind, _key_options(question, options))
    elif kind == QuestionKind.NUMERIC:
        _finite(_answer_keys(question.answer, {"value"})["value"], "value")
    elif kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN):
        _check_loop(question)
        answer = _answer_keys(question.answer, {"kind", "geometry"})
        if answer["kind"] not in ROI_KINDS:
            raise _invalid(_("The answer region is an ellipse or a polygon."))
        clean_geometry(answer["kind"], answer["geometry"], _loop_size(question))
        if kind == QuestionKind.DRAWN:
            if question.overlap_metric not in OverlapMetric.values:
                raise _invalid(_("Unknown overlap measure."))
            threshold = question.overlap_threshold
            if threshold is not None and not 0 < _finite(threshold, "overlap_threshold") <= 1:
                raise _invalid(_("The overlap threshold is between 0 and 1."))
    elif kind == QuestionKind.TIME_POINT:
        _check_loop(question)
        time_s = _finite(_answer_keys(question.answer, {"time_s"})["time_s"], "time_s")
        duration = _loop_duration(question)
        if time_s < 0 or (duration is not None and time_s > duration):
            raise _invalid(_("The time point is outside the loop."), "outside")
    elif kind == QuestionKind.CATEGORY:
        choices = dict(vocabulary_choices(question.vocabulary))
        if not choices:
            raise _invalid(_("Choose the list the category comes from."))
        value = _answer_keys(question.answer, {"value"})["value"]
        if not isinstance(value, str) or value not in choices:
            raise _invalid(_("The correct category is not in the chosen list."))
