"""Marks from credit: certainty-based marking, attempt percentages, grading methods."""

from __future__ import annotations

import pytest

from quizzes.scoring import (
    CBM_MARKS,
    attempt_percent,
    final_percent,
    question_marks,
)

# --- marks --------------------------------------------------------------------------------


def test_marks_without_certainty():
    assert question_marks(1.0, True, 2.0, certainty="", certainty_based=False) == (2.0, 2.0)
    assert question_marks(0.5, False, 2.0, certainty="high", certainty_based=False) == (1.0, 2.0)
    assert question_marks(None, None, 2.0, certainty_based=False) == (0.0, 2.0)


@pytest.mark.parametrize(
    ("certainty", "right", "wrong"),
    [("low", 1, 0), ("medium", 2, -2), ("high", 3, -6), ("", 1, 0)],
)
def test_certainty_based_marks(certainty, right, wrong):
    assert question_marks(1.0, True, 2.0, certainty=certainty, certainty_based=True) == (
        2.0 * right,
        6.0,
    )
    assert question_marks(0.0, False, 2.0, certainty=certainty, certainty_based=True) == (
        2.0 * wrong,
        6.0,
    )
    # Partial credit is not "correct" under certainty-based marking.
    assert question_marks(0.5, False, 2.0, certainty=certainty, certainty_based=True)[0] == (
        2.0 * wrong
    )


def test_cbm_table_and_ungraded():
    assert CBM_MARKS == {"low": (1, 0), "medium": (2, -2), "high": (3, -6)}
    assert question_marks(None, None, 1.0, certainty="high", certainty_based=True) == (0.0, 3.0)


def test_a_negative_cbm_total_clamps_to_zero_percent():
    marks = [
        question_marks(0.0, False, 1.0, certainty="high", certainty_based=True),
        question_marks(0.0, False, 1.0, certainty="high", certainty_based=True),
        question_marks(1.0, True, 1.0, certainty="low", certainty_based=True),
    ]
    score, maximum = sum(m[0] for m in marks), sum(m[1] for m in marks)
    assert (score, maximum) == (-11.0, 9.0)
    assert attempt_percent(score, maximum) == 0.0
    # All right with high certainty: the maximum.
    assert attempt_percent(9.0, 9.0) == 100.0
    assert attempt_percent(5.0, 9.0) == pytest.approx(500 / 9)


def test_attempt_percent():
    assert attempt_percent(3, 5) == 60.0  # exactly: 3 / 5 * 100 would be 60.00000000000001
    assert attempt_percent(0, 0) == 0.0
    assert attempt_percent(7, 5) == 100.0
    assert attempt_percent(-1, 5) == 0.0


@pytest.mark.parametrize(
    ("method", "expected"),
    [("highest", 80.0), ("last", 55.0), ("first", 40.0), ("average", 175 / 3)],
)
def test_final_percent(method, expected):
    assert final_percent([40.0, 80.0, 55.0], method) == pytest.approx(expected)
    assert final_percent([], method) is None
    assert final_percent([70.0], method) == 70.0


def test_final_percent_unknown_method():
    with pytest.raises(ValueError, match="grading method"):
        final_percent([1.0], "median")
