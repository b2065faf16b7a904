"""Item analysis of a quiz from its submitted attempts (pure: rows in, statistics out).

For each question:

- facility: the mean credit (0 to 1) over the attempts whose paper held the question; an
  unanswered question counts 0 (the caller passes 0), a free-text answer still waiting for an
  instructor (credit None) is left out.
- discrimination: the point-biserial correlation, i.e. Pearson's r between the item's credit
  and the attempt's total on the OTHER items (the corrected item-total: leaving the item out
  of the total keeps it from correlating with itself). The rest total is the plain sum of the
  other items' credits (ungraded ones count 0), unweighted by points so a heavy item does not
  dominate. None with fewer than two attempts or when either side has no variance (everybody
  right, or identical rest totals). Negative discrimination is flagged: the stronger trainees
  tend to get the item wrong, a sign of a wrong key or a misleading question.
- option counts: for choice questions, how many attempts chose each option.

With random draws, attempts hold different items; each item's statistics use the attempts that
held it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class AttemptRow(NamedTuple):
    """One submitted attempt: its percent, {question id: credit or None} for every question of
    its paper, and {question id: chosen option ids} for its choice questions."""

    percent: float | None
    credits: Mapping[int, float | None]
    choices: Mapping[int, Sequence[int]] = {}


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    n: int  # attempts counted (the question on the paper, scored)
    facility: float | None
    discrimination: float | None
    option_counts: dict[int, int] = field(default_factory=dict)
    negative_discrimination: bool = False


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation coefficient; None when undefined (n < 2 or a constant side)."""
    n = len(xs)
    if n < 2 or n != len(ys):
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = sum(d * d for d in dx)
    syy = sum(d * d for d in dy)
    # Relative threshold: float noise on a constant column must not read as variance.
    if sxx <= 1e-12 * max(1.0, mean_x * mean_x) * n or syy <= 1e-12 * max(1.0, mean_y**2) * n:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


def item_statistics(
    rows: Iterable[AttemptRow | tuple[float | None, Mapping, Mapping]],
) -> list[ItemStats]:
    """Statistics per question, in the order questions first appear in ``rows``."""
    attempts = [AttemptRow(*row) for row in rows]
    question_ids: dict[int, None] = {}
    for row in attempts:
        question_ids.update(dict.fromkeys(row.credits))
    totals = [sum(c for c in row.credits.values() if c is not None) for row in attempts]

    stats = []
    for question_id in question_ids:
        items, rests = [], []
        counts: dict[int, int] = {}
        for row, total in zip(attempts, totals, strict=True):
            if question_id not in row.credits:
                continue
            for option_id in row.choices.get(question_id) or ():
                counts[option_id] = counts.get(option_id, 0) + 1
            credit = row.credits[question_id]
            if credit is None:
                continue
            items.append(float(credit))
            rests.append(total - credit)
        discrimination = pearson(items, rests)
        stats.append(
            ItemStats(
                question_id=question_id,
                n=len(items),
                facility=sum(items) / len(items) if items else None,
                discrimination=discrimination,
                option_counts=counts,
                negative_discrimination=discrimination is not None and discrimination < 0,
            )
        )
    return stats
