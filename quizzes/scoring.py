"""Server-side scoring of one response against its question's key, and the marks it earns.

Pure functions: they read the question (and ``question.options.all()``, prefetched or not) and
never write. Responses are expected to have been cleaned by ``quizzes.validation``; a response
that is malformed anyway scores 0 rather than breaking a whole submission.

Rules per kind (credit is the fraction of the question's points earned, 0 to 1):

- single, true/false: the chosen option is the correct one.
- multiple: all-or-nothing (the chosen set equals the correct set) or, with
  ``partial_credit``, ``max(0, (right chosen - wrong chosen) / number of right options)``.
- ordering: all-or-nothing or, with ``partial_credit``, the fraction of all pairs of options put
  in the right relative order (concordant pairs / n(n-1)/2, i.e. (1 + Kendall tau) / 2): one
  swap of neighbours costs 1/C(n, 2), the reversed order earns 0.
- numeric, time point: ``|response - key| <= tolerance`` (inclusive, 1e-9 slack for float
  rounding so that 12.0 ± 2 accepts 14.0 and 10.0).
- hotspot: the click lies inside the answer ellipse/polygon, its outline counting as inside.
- drawn: IoU or Dice of the drawn polygon and the answer ROI >= ``overlap_threshold``
  (default 0.5, inclusive); no partial credit, ``detail`` holds the overlap.
- category: the vocabulary value matches. Free text: an instructor grades it (credit None),
  except a blank one, which earns 0 at once (nothing to grade).
- no response at all (None or {}): credit 0, not correct.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cases.geometry import to_roi
from cine.tic import Roi, roi_contains
from quizzes.models.choices import GradingMethod, OverlapMetric, QuestionKind
from quizzes.roi_geometry import closest_on_outline, distance_mm, overlap

logger = logging.getLogger(__name__)

# Slack for float rounding in the inclusive comparisons (tolerances, thresholds, borders).
EPSILON = 1e-9
DEFAULT_OVERLAP_THRESHOLD = 0.5

# Gardner-Medwin's certainty-based marks: (mark if correct, mark if wrong) per certainty.
CBM_MARKS: dict[str, tuple[int, int]] = {"low": (1, 0), "medium": (2, -2), "high": (3, -6)}
CBM_MAX_MARK = 3


@dataclass(frozen=True)
class Scored:
    """``credit`` in [0, 1], None while an instructor has to grade; ``detail`` is what the
    feedback may show (distances, overlap, error), never more than the key itself reveals."""

    credit: float | None
    correct: bool | None
    detail: dict[str, Any] = field(default_factory=dict)


def _wrong(**detail: Any) -> Scored:
    return Scored(0.0, False, dict(detail))


def _graded(correct: bool, **detail: Any) -> Scored:
    return Scored(1.0 if correct else 0.0, correct, dict(detail))


def score_response(question, response: dict | None, *, regions: list[dict] | None = None) -> Scored:
    """Score ``response`` (a cleaned ``Answer.response``) for ``question``.

    ``regions`` are the question loop's stored ultrasound regions (``CineLoop.regions``): with
    them a hotspot's distance to the answer outline is also given in mm.
    """
    kind = question.kind
    if kind == QuestionKind.FREE_TEXT:
        text = response.get("text") if isinstance(response, dict) else None
        if not isinstance(text, str) or not text.strip():
            return _wrong(unanswered=True)  # nothing for an instructor to grade
        return Scored(None, None, {})
    if not response:
        return _wrong(unanswered=True)
    scorer = _SCORERS.get(kind)
    if scorer is None:
        raise ValueError(f"unknown question kind {kind!r}")
    try:
        return scorer(question, response, regions)
    except (KeyError, TypeError, ValueError, AttributeError):
        # A stored response or key that no longer fits its question (edited after the answer
        # was saved): the answer earns nothing, the submission still goes through.
        logger.warning("unscorable answer to question %s", getattr(question, "pk", None))
        return _wrong(invalid=True)


# --- choice kinds -------------------------------------------------------------------------


def _options(question) -> list:
    return list(question.options.all())


def _score_single(question, response: Mapping[str, Any], _regions) -> Scored:
    chosen = response["option"]
    correct_ids = {o.pk for o in _options(question) if o.is_correct}
    return _graded(chosen in correct_ids)


def _score_multiple(question, response: Mapping[str, Any], _regions) -> Scored:
    chosen = set(response["options"])
    options = _options(question)
    correct_ids = {o.pk for o in options if o.is_correct}
    right = len(chosen & correct_ids)
    wrong = len(chosen - correct_ids)
    detail = {"right_chosen": right, "wrong_chosen": wrong, "right_total": len(correct_ids)}
    if chosen == correct_ids:
        return Scored(1.0, True, detail)
    if not question.partial_credit or not correct_ids:
        return Scored(0.0, False, detail)
    return Scored(max(0.0, (right - wrong) / len(correct_ids)), False, detail)


def _score_ordering(question, response: Mapping[str, Any], _regions) -> Scored:
    key = [o.pk for o in _options(question)]  # Meta.ordering: ("order", "pk") is the key
    order = list(response["order"])
    if sorted(order) != sorted(key):
        raise ValueError("the order is not a permutation of the options")
    if order == key:
        return Scored(1.0, True, {"pairs_right": 1.0})
    rank = {pk: i for i, pk in enumerate(key)}
    positions = [rank[pk] for pk in order]
    n = len(positions)
    pairs = n * (n - 1) // 2
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if positions[i] < positions[j])
    fraction = concordant / pairs if pairs else 0.0
    credit = fraction if question.partial_credit else 0.0
    return Scored(credit, False, {"pairs_right": round(fraction, 4)})


def _score_category(question, response: Mapping[str, Any], _regions) -> Scored:
    value = response["value"]
    return _graded(isinstance(value, str) and value == question.answer["value"])


# --- numbers and time ---------------------------------------------------------------------


def within_tolerance(value: float, key: float, tolerance: float | None) -> bool:
    """``|value - key| <= tolerance``, inclusive, forgiving float rounding (1e-9)."""
    return abs(value - key) <= (tolerance or 0.0) + EPSILON


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _score_numeric(question, response: Mapping[str, Any], _regions) -> Scored:
    value, key = _number(response["value"]), _number(question.answer["value"])
    # Signed: positive means the answer was above the key.
    return _graded(within_tolerance(value, key, question.tolerance), error=round(value - key, 6))


def _score_time_point(question, response: Mapping[str, Any], _regions) -> Scored:
    value, key = _number(response["time_s"]), _number(question.answer["time_s"])
    # Signed: positive means the trainee paused after the moment asked.
    correct = within_tolerance(value, key, question.tolerance)
    return _graded(correct, error_s=round(value - key, 6))


def _answer_roi(question) -> Roi:
    return to_roi(question.answer["kind"], question.answer["geometry"])


def _score_hotspot(question, response: Mapping[str, Any], regions) -> Scored:
    x, y = _number(response["x"]), _number(response["y"])
    roi = _answer_roi(question)
    _, distance_px = closest_on_outline(roi, x, y)
    # The outline counts as inside; 1e-9 px absorbs the rounding of a point computed on it.
    inside = bool(roi_contains(roi, x, y)) or distance_px <= EPSILON
    detail: dict[str, Any] = {"distance_px": 0.0 if inside else round(distance_px, 9)}
    millimetres = distance_mm(roi, x, y, inside, regions)
    if millimetres is not None:
        detail["distance_mm"] = round(millimetres, 9)
    return _graded(inside, **detail)


def _score_drawn(question, response: Mapping[str, Any], _regions) -> Scored:
    points = [(_number(x), _number(y)) for x, y in response["points"]]
    metric = question.overlap_metric or OverlapMetric.IOU
    if len(points) < 3:
        return _wrong(overlap=0.0, metric=str(metric))
    value = overlap(points, _answer_roi(question), metric)
    threshold = question.overlap_threshold
    if threshold is None:
        threshold = DEFAULT_OVERLAP_THRESHOLD
    correct = value + EPSILON >= threshold
    return _graded(correct, overlap=round(value, 4), metric=str(metric))


_SCORERS = {
    QuestionKind.SINGLE: _score_single,
    QuestionKind.TRUE_FALSE: _score_single,
    QuestionKind.MULTIPLE: _score_multiple,
    QuestionKind.ORDERING: _score_ordering,
    QuestionKind.CATEGORY: _score_category,
    QuestionKind.NUMERIC: _score_numeric,
    QuestionKind.TIME_POINT: _score_time_point,
    QuestionKind.HOTSPOT: _score_hotspot,
    QuestionKind.DRAWN: _score_drawn,
}


# --- marks and grades ---------------------------------------------------------------------


def question_marks(
    credit: float | None,
    correct: bool | None,
    points: float,
    *,
    certainty: str = "",
    certainty_based: bool = False,
) -> tuple[float, float]:
    """(score, maximum) of one question.

    Without certainty-based marking: (credit * points, points). With it (Gardner-Medwin), an
    answer counts as correct only when its credit is 1 (partial credit is not "correct"), and
    scores points * mark with marks +1/+2/+3 if correct, 0/-2/-6 if wrong, for low/medium/high
    certainty (missing certainty = low); the maximum is points * 3. An ungraded answer (credit
    None) scores 0 for now: the attempt is flagged as waiting for grading.
    """
    if not certainty_based:
        return (0.0 if credit is None else credit * points), points
    maximum = points * CBM_MAX_MARK
    if credit is None:
        return 0.0, maximum
    right, wrong = CBM_MARKS.get(certainty or "low", CBM_MARKS["low"])
    return points * (right if credit >= 1 - EPSILON else wrong), maximum


def attempt_percent(score: float, max_score: float) -> float:
    """Score as a percentage, clamped to 0..100 (certainty-based totals may be negative);
    0 when there is nothing to score."""
    if not max_score or max_score <= 0:
        return 0.0
    # Multiply first: 3 * 100 / 5 is exactly 60, 3 / 5 * 100 is not.
    return round(min(100.0, max(0.0, score * 100 / max_score)), 6)


def final_percent(percents_in_attempt_order: list[float | None], method: str) -> float | None:
    """The quiz grade from the submitted attempts' percents (oldest first); None if none."""
    percents = [p for p in percents_in_attempt_order if p is not None]
    if not percents:
        return None
    if method == GradingMethod.HIGHEST:
        return max(percents)
    if method == GradingMethod.LAST:
        return percents[-1]
    if method == GradingMethod.FIRST:
        return percents[0]
    if method == GradingMethod.AVERAGE:
        return sum(percents) / len(percents)
    raise ValueError(f"unknown grading method {method!r}")
