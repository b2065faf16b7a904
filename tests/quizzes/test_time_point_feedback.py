"""Time-point feedback says in words whether the mark was early or late (issue 10 §6: a late
mark read "too early", the signed error shown beside the hint "negative: too early")."""

import pytest
from django.template.loader import render_to_string


def feedback(error_s: float) -> str:
    q = {
        "kind": "time_point",
        "feedback": {"credit": 0, "correct": False, "detail": {"error_s": error_s}, "key": {}},
        "view": {},
    }
    html = render_to_string("quizzes/_take_feedback.html", {"q": q})
    return " ".join(html.split())


@pytest.mark.parametrize(
    ("error_s", "said", "not_said"),
    [(2.5, "2.50 s too late", "early"), (-1.25, "1.25 s too early", "late")],
)
def test_the_mark_is_called_early_or_late_by_its_sign(error_s, said, not_said):
    text = feedback(error_s)
    assert said in text
    assert not_said not in text


def test_a_mark_on_the_moment_is_neither_early_nor_late():
    text = feedback(0.001)
    assert "on the moment" in text
    assert "early" not in text and "late" not in text
