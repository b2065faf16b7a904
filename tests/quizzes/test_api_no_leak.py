"""No answer key leaves the API before the feedback policy allows it, for any question kind."""

from __future__ import annotations

from typing import Any

import pytest

from quizzes.models import FeedbackPolicy, QuestionKind
from tests.factories import api_for
from tests.quizzes.api import API, as_sent, put_answer, start, token_client
from tests.quizzes.factories import (
    ALL_KINDS,
    ELLIPSE_KEY,
    KEY_NUMBERS,
    NUMERIC_KEY,
    SECRETS,
    TIME_KEY,
    CaseFactory,
    QuizFactory,
    ReadyLoopFactory,
    correct_response,
    make_question,
)

pytestmark = pytest.mark.django_db


# --- No leak ---------------------------------------------------------------------------------

CASE_SECRETS = ("SECRET-CASE-TITLE", "SECRET-DIAGNOSIS")


def _walk(value: Any, keys: set[str], numbers: set[float]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(str(key))
            _walk(item, keys, numbers)
    elif isinstance(value, list):
        for item in value:
            _walk(item, keys, numbers)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        numbers.add(float(value))


def assert_no_key(response) -> None:
    """Nothing of any question's key in this body: no secret text, no key number anywhere in
    the JSON, no key-bearing field, and no feedback."""
    text = response.content.decode()
    for secret in (*SECRETS.values(), *CASE_SECRETS):
        assert secret not in text, (secret, response.request["PATH_INFO"])
    keys: set[str] = set()
    numbers: set[float] = set()
    body = response.json()
    _walk(body, keys, numbers)
    assert not numbers & KEY_NUMBERS, numbers & KEY_NUMBERS
    assert not keys & {
        "is_correct",
        "explanation",
        "explanation_html",
        "option_feedback",
        "rubric",
        "final_diagnosis",
        "annotations",
        "key",
        "geometry",
    }
    for question in body.get("questions", []):
        assert question["feedback"] is None
        assert "title" not in question
        assert question["loop"] is None or "annotations" not in question["loop"]


@pytest.fixture
def every_kind_quiz(hospital, instructor):
    loop = ReadyLoopFactory(institution=hospital)
    case = CaseFactory(
        institution=hospital,
        loops=[loop],
        title=CASE_SECRETS[0],
        final_diagnosis=CASE_SECRETS[1],
    )
    questions = [
        make_question(kind, institution=hospital, case=case, loop=loop) for kind in ALL_KINDS
    ]
    quiz = QuizFactory(
        institution=hospital,
        created_by=instructor,
        questions=questions,
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
        shuffle_options=True,
        shuffle_questions=True,
    )
    return quiz, {q.pk: q for q in questions}


def test_no_key_leaves_before_submission_then_feedback_does(trainee, every_kind_quiz):
    quiz, questions = every_kind_quiz
    api = token_client(trainee)
    bodies = [api.get(f"{API}/quizzes/"), api.get(f"{API}/quizzes/{quiz.pk}/")]
    started = start(api, quiz)
    bodies.append(started)
    attempt = started.json()
    assert {q["kind"] for q in attempt["questions"]} == set(ALL_KINDS)

    for entry in attempt["questions"]:
        question = questions[entry["id"]]
        saved = put_answer(
            api,
            attempt["id"],
            question.pk,
            {"response": as_sent(attempt["id"], correct_response(question))},
        )
        assert saved.status_code == 200, (question.kind, saved.content)
        bodies.append(saved)
    bodies.append(api.get(f"{API}/attempts/{attempt['id']}/"))
    bodies.append(start(api, quiz))  # resuming

    for response in bodies:
        assert response.status_code in (200, 201)
        assert_no_key(response)

    submitted = api.post(f"{API}/attempts/{attempt['id']}/submit/")

    payload = submitted.json()
    assert payload["result"]["needs_grading"] is True  # the free-text answer
    text = submitted.content.decode()
    assert SECRETS["explanation"] in text
    assert SECRETS["feedback"] in text
    feedback = {q["kind"]: q["feedback"] for q in payload["questions"]}
    assert all(feedback[kind] is not None for kind in ALL_KINDS)
    assert feedback[QuestionKind.NUMERIC]["key"]["value"] == NUMERIC_KEY
    assert feedback[QuestionKind.TIME_POINT]["key"]["time_s"] == TIME_KEY
    assert feedback[QuestionKind.HOTSPOT]["key"]["geometry"] == ELLIPSE_KEY
    assert feedback[QuestionKind.HOTSPOT]["correct"] is True
    assert feedback[QuestionKind.FREE_TEXT]["credit"] is None
    assert api.get(f"{API}/attempts/{attempt['id']}/").json() == payload


def test_never_policy_keeps_the_key_after_submission(trainee, every_kind_quiz):
    quiz, questions = every_kind_quiz
    quiz.feedback_policy = FeedbackPolicy.NEVER
    quiz.save()
    api = api_for(trainee)
    attempt = start(api, quiz).json()
    for question in questions.values():
        put_answer(
            api,
            attempt["id"],
            question.pk,
            {"response": as_sent(attempt["id"], correct_response(question))},
        )

    submitted = api.post(f"{API}/attempts/{attempt['id']}/submit/")

    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert_no_key(submitted)
    assert_no_key(api.get(f"{API}/attempts/{attempt['id']}/"))
