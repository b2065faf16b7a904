"""Item analysis against numbers worked by hand, and numpy as an independent check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from quizzes.analysis import AttemptRow, ItemStats, item_statistics, pearson


def by_question(stats: list[ItemStats]) -> dict[int, ItemStats]:
    return {s.question_id: s for s in stats}


def test_fully_hand_worked_example():
    """Four attempts, three right/wrong items; item 3 is answered right by the weaker half.

    Item 1: credits (1, 1, 0, 0), rest totals (item 2 + item 3) = (1, 0, 2, 1).
      Deviations from the means 0.5 and 1: (.5, .5, -.5, -.5) and (0, -1, 1, 0).
      Sum of products = 0 - .5 - .5 + 0 = -1; sums of squares 1 and 2; r = -1/√2.
    Item 2: rest totals (item 1 + item 3) = (1, 1, 1, 1): no variance, r undefined.
    Item 3: credits (0, 0, 1, 1), rest (item 1 + item 2) = (2, 1, 1, 0):
      (-.5, -.5, .5, .5) x (1, 0, 0, -1) = -1, sums of squares 1 and 2; r = -1/√2.
    """
    rows = [
        AttemptRow(100.0, {1: 1.0, 2: 1.0, 3: 0.0}, {1: [11], 2: [21]}),
        AttemptRow(33.3, {1: 1.0, 2: 0.0, 3: 0.0}, {1: [11], 2: [22]}),
        AttemptRow(66.7, {1: 0.0, 2: 1.0, 3: 1.0}, {1: [12], 2: [21]}),
        AttemptRow(33.3, {1: 0.0, 2: 0.0, 3: 1.0}, {1: [12, 13], 2: []}),
    ]
    stats = item_statistics(rows)
    assert [s.question_id for s in stats] == [1, 2, 3]
    one, two, three = stats
    assert (one.n, one.facility) == (4, 0.5)
    assert one.discrimination == pytest.approx(-1 / math.sqrt(2))
    assert one.negative_discrimination is True
    assert one.option_counts == {11: 2, 12: 2, 13: 1}
    assert (two.facility, two.discrimination, two.negative_discrimination) == (0.5, None, False)
    assert two.option_counts == {21: 2, 22: 1}
    assert three.discrimination == pytest.approx(-1 / math.sqrt(2))
    assert three.option_counts == {}


def test_a_discriminating_item_with_partial_credit_by_hand():
    """Item 7: credits (1, .5, 0), rest totals (2, 1, 0).
    Means .5 and 1; deviations (.5, 0, -.5) and (1, 0, -1): products 1, squares .5 and 2:
    r = 1 / √(.5 x 2) = 1. Facility = 1.5 / 3 = 0.5."""
    rows = [
        (90.0, {7: 1.0, 8: 1.0, 9: 1.0}, {}),
        (50.0, {7: 0.5, 8: 1.0, 9: 0.0}, {}),
        (0.0, {7: 0.0, 8: 0.0, 9: 0.0}, {}),
    ]
    seven = by_question(item_statistics(rows))[7]
    assert seven.facility == pytest.approx(0.5)
    assert seven.discrimination == pytest.approx(1.0)
    assert seven.negative_discrimination is False


def test_against_numpy_with_draws_ungraded_text_and_unanswered():
    rows = [
        (0, {1: 1.0, 2: 0.5, 3: 1.0, 4: None}, {}),
        (0, {1: 0.0, 2: 0.25, 3: 1.0, 4: 0.5}, {}),
        (0, {1: 1.0, 2: 1.0, 4: 1.0}, {}),  # item 3 not drawn for this attempt
        (0, {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}, {}),  # nothing answered: the caller sends 0s
        (0, {1: 1.0, 2: 0.75, 3: 0.0, 4: 1.0}, {}),
    ]
    stats = by_question(item_statistics(rows))

    def expected(question_id):
        pairs = [
            (credits[question_id], sum(c for q, c in credits.items() if q != question_id and c))
            for _, credits, _ in rows
            if credits.get(question_id) is not None
        ]
        xs, ys = zip(*pairs, strict=True)
        return len(xs), np.mean(xs), np.corrcoef(xs, ys)[0, 1]

    for question_id in (1, 2, 3, 4):
        n, facility, r = expected(question_id)
        assert stats[question_id].n == n
        assert stats[question_id].facility == pytest.approx(facility)
        assert stats[question_id].discrimination == pytest.approx(r)
    assert stats[3].n == 4  # drawn in four attempts
    assert stats[4].n == 4  # one free-text answer still waiting for grading


def test_undefined_discrimination():
    assert item_statistics([]) == []
    (only,) = item_statistics([(100.0, {1: 1.0}, {1: [5]})])
    assert (only.n, only.facility, only.discrimination) == (1, 1.0, None)
    assert only.option_counts == {5: 1}
    # Everyone right: the item has no variance.
    rows = [(0, {1: 1.0, 2: c}, {}) for c in (0.0, 1.0, 0.5)]
    assert by_question(item_statistics(rows))[1].discrimination is None
    # Only ungraded answers: nothing to count.
    (pending,) = item_statistics([(0, {1: None}, {}), (0, {1: None}, {})])
    assert (pending.n, pending.facility, pending.discrimination) == (0, None, None)


def test_pearson():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1], [1]) is None
    assert pearson([0.1, 0.1, 0.1], [1, 2, 3]) is None  # float noise is not variance
    assert pearson([1, 2], [1, 2, 3]) is None
