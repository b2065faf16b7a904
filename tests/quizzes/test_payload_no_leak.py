"""Nothing of a question's key leaves the server before the feedback policy allows it.

Every question kind is on one quiz, every question answered (wrongly), the payload serialised
to JSON and searched — keys, strings and numbers — for the key material of ``factories``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cineloops.models import CineLoop
from quizzes.models import FeedbackPolicy, QuestionKind
from quizzes.option_tokens import attempt_tokens, response_to_tokens
from quizzes.payload import attempt_payload, feedback_allowed, quiz_summary
from quizzes.services.attempts import answer_check, answer_save, attempt_start, attempt_submit
from tests.quizzes.factories import (
    ALL_KINDS,
    KEY_NUMBERS,
    NUMERIC_KEY,
    SECRETS,
    CaseFactory,
    QuizFactory,
    ReadyLoopFactory,
    make_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db

FORBIDDEN_KEYS = {"is_correct", "key", "option_feedback", "explanation_html", "case_url", "title"}


def _leaves(value, keys: set, strings: list, numbers: set) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            keys.add(str(k))
            _leaves(v, keys, strings, numbers)
    elif isinstance(value, list):
        for v in value:
            _leaves(v, keys, strings, numbers)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        numbers.add(float(value))
    else:
        strings.append(str(value))


def _scan(payload: dict) -> tuple[set, str, set]:
    """(dict keys at any depth minus the quiz's own title, all strings joined, all numbers)."""
    data = json.loads(json.dumps(payload))  # exactly what an API response would carry
    questions = {k: v for k, v in data.items() if k != "quiz"}  # the quiz has a title of its own
    keys, strings, numbers = set(), [], set()
    _leaves(questions, keys, strings, numbers)
    return keys, "\n".join(strings), numbers


@pytest.fixture
def case_loop(hospital):
    return ReadyLoopFactory(institution=hospital)


@pytest.fixture
def case(hospital, instructor, case_loop):
    return CaseFactory(
        institution=hospital,
        loops=[case_loop],
        created_by=instructor,
        title="Case of the hidden diagnosis",
        final_diagnosis="Secret focal nodular hyperplasia",
    )


@pytest.fixture
def every_kind_quiz(hospital, case, case_loop):
    questions = [
        make_question(kind, institution=hospital, case=case, loop=case_loop) for kind in ALL_KINDS
    ]
    return QuizFactory(institution=hospital, questions=questions)


def _open_attempt(quiz, policy, trainee, now, **fields):
    quiz.feedback_policy = policy
    for name, value in fields.items():
        setattr(quiz, name, value)
    quiz.save()
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    for item in quiz.items.select_related("question"):
        answer_save(
            attempt=attempt,
            user=trainee,
            question_id=item.question_id,
            response=wrong_response(item.question),
            now=now,
        )
    return attempt


def assert_no_key_material(payload: dict, case, questions) -> None:
    keys, text, numbers = _scan(payload)
    assert not keys & FORBIDDEN_KEYS, keys & FORBIDDEN_KEYS
    for secret in SECRETS.values():
        assert secret not in text
    for question in questions:
        assert question.title not in text
    assert case.title not in text and case.final_diagnosis not in text
    assert "annotation" not in text.lower() and not {"annotations", "rois"} & keys
    assert not numbers & KEY_NUMBERS, numbers & KEY_NUMBERS
    assert all(q["feedback"] is None for q in payload["questions"])


def assert_feedback_shown(payload: dict) -> None:
    keys, text, numbers = _scan(payload)
    assert {"key", "option_feedback", "explanation_html", "case_url"} <= keys
    assert SECRETS["explanation"] in text and SECRETS["feedback"] in text
    assert numbers >= KEY_NUMBERS
    assert all(q["feedback"] is not None for q in payload["questions"])
    by_kind = {q["kind"]: q for q in payload["questions"]}
    single = by_kind[QuestionKind.SINGLE]["feedback"]
    assert single["key"]["options"] and single["correct"] is False
    assert by_kind[QuestionKind.HOTSPOT]["feedback"]["case_url"].startswith("/")


@pytest.mark.parametrize(
    "policy",
    [
        FeedbackPolicy.IMMEDIATE,
        FeedbackPolicy.AFTER_SUBMIT,
        FeedbackPolicy.AFTER_CLOSE,
        FeedbackPolicy.NEVER,
    ],
)
def test_an_open_attempt_shows_no_key_material(every_kind_quiz, case, policy, trainee, now):
    attempt = _open_attempt(every_kind_quiz, policy, trainee, now)
    payload = attempt_payload(attempt, user=trainee, now=now)
    assert len(payload["questions"]) == len(ALL_KINDS)
    assert {q["kind"] for q in payload["questions"]} == set(ALL_KINDS)
    questions = [i.question for i in every_kind_quiz.items.all()]
    assert_no_key_material(payload, case, questions)
    assert payload["result"] is None
    assert not feedback_allowed(attempt, now)


def test_what_an_open_question_does_show(every_kind_quiz, trainee, now):
    attempt = _open_attempt(every_kind_quiz, FeedbackPolicy.AFTER_SUBMIT, trainee, now)
    payload = attempt_payload(attempt, user=trainee, now=now)
    by_kind = {q["kind"]: q for q in payload["questions"]}
    hotspot = by_kind[QuestionKind.HOTSPOT]
    assert hotspot["loop"]["video_url"] and hotspot["loop"]["poster_url"]
    assert (hotspot["loop"]["columns"], hotspot["loop"]["rows"]) == (320, 240)
    assert hotspot["loop"]["regions"][0]["cm_per_px_x"] == 0.05
    assert hotspot["frame_time_s"] == 12.0
    assert by_kind[QuestionKind.NUMERIC]["tolerance"] == 2.5
    assert by_kind[QuestionKind.NUMERIC]["unit"] == "s"
    assert by_kind[QuestionKind.HOTSPOT]["tolerance"] is None
    assert {c["value"] for c in by_kind[QuestionKind.CATEGORY]["choices"]} >= {"LR-1", "LR-5"}
    single = by_kind[QuestionKind.SINGLE]
    assert [set(o) for o in single["options"]] == [{"id", "text", "fallback"}] * 3
    # Saved answers show the attempt's option tokens, like the options themselves.
    assert single["answer"]["response"] == response_to_tokens(
        wrong_response(every_kind_quiz.items.get(question__kind=QuestionKind.SINGLE).question),
        attempt_tokens(attempt),
    )
    assert payload["urls"]["answer"] == f"/api/v1/attempts/{attempt.pk}/answers/{{question_id}}/"
    assert payload["urls"]["submit"] == f"/api/v1/attempts/{attempt.pk}/submit/"


def test_after_submit_the_feedback_appears(every_kind_quiz, trainee, now):
    attempt = _open_attempt(every_kind_quiz, FeedbackPolicy.AFTER_SUBMIT, trainee, now)
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    payload = attempt_payload(attempt, user=trainee, now=now)
    assert_feedback_shown(payload)
    assert payload["result"]["needs_grading"] is True  # the free-text answer
    free_text = next(q for q in payload["questions"] if q["kind"] == QuestionKind.FREE_TEXT)
    assert free_text["feedback"]["credit"] is None
    assert SECRETS["rubric"] in free_text["feedback"]["key"]["rubric"]


def test_under_never_nothing_appears_even_after_submit(every_kind_quiz, case, trainee, now):
    attempt = _open_attempt(every_kind_quiz, FeedbackPolicy.NEVER, trainee, now)
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    payload = attempt_payload(attempt, user=trainee, now=now + timedelta(days=365))
    questions = [i.question for i in every_kind_quiz.items.all()]
    assert_no_key_material(payload, case, questions)
    assert payload["result"]["max_score"] == len(ALL_KINDS)  # the total is not key material


def test_after_close_only_once_the_quiz_has_closed(every_kind_quiz, case, trainee, now):
    closes = now + timedelta(days=2)
    attempt = _open_attempt(
        every_kind_quiz, FeedbackPolicy.AFTER_CLOSE, trainee, now, closes_at=closes
    )
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    questions = [i.question for i in every_kind_quiz.items.all()]
    before = attempt_payload(attempt, user=trainee, now=closes - timedelta(seconds=1))
    assert_no_key_material(before, case, questions)
    assert not feedback_allowed(attempt, closes - timedelta(seconds=1))
    assert feedback_allowed(attempt, closes)
    assert_feedback_shown(attempt_payload(attempt, user=trainee, now=closes))


def test_immediate_shows_a_checked_question_only(every_kind_quiz, case, trainee, now):
    attempt = _open_attempt(every_kind_quiz, FeedbackPolicy.IMMEDIATE, trainee, now)
    numeric = every_kind_quiz.items.get(question__kind=QuestionKind.NUMERIC).question
    checked = answer_check(attempt=attempt, user=trainee, question_id=numeric.pk, now=now)
    assert checked.checked_at == now and checked.credit == 0.0
    payload = attempt_payload(attempt, user=trainee, now=now)
    shown = [q for q in payload["questions"] if q["feedback"] is not None]
    assert [q["id"] for q in shown] == [numeric.pk]
    assert shown[0]["feedback"]["key"]["value"] == NUMERIC_KEY
    others = {**payload, "questions": [q for q in payload["questions"] if q["id"] != numeric.pk]}
    assert_no_key_material(others, case, [i.question for i in every_kind_quiz.items.all()])
    assert_feedback_shown(
        attempt_payload(
            attempt_submit(attempt_id=attempt.pk, user=trainee, now=now), user=trainee, now=now
        )
    )


def test_case_url_only_for_a_case_the_trainee_may_see(hospital, other_hospital, trainee, now):
    hidden_case = CaseFactory(institution=other_hospital)
    question = make_question(QuestionKind.SINGLE, institution=hospital, case=hidden_case)
    quiz = QuizFactory(institution=hospital, questions=[question])
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    feedback = attempt_payload(attempt, user=trainee, now=now)["questions"][0]["feedback"]
    assert feedback["case_url"] is None
    assert feedback["key"]["options"]


def test_the_loop_of_a_quiz_question_is_visible_to_its_trainees(hospital, other_hospital, trainee):
    loop = ReadyLoopFactory(institution=hospital)  # in no case
    question = make_question(QuestionKind.TIME_POINT, institution=hospital, loop=loop)
    assert not CineLoop.objects.for_user(trainee).filter(pk=loop.pk).exists()
    quiz = QuizFactory(institution=hospital, questions=[question], status="draft")
    assert not CineLoop.objects.for_user(trainee).filter(pk=loop.pk).exists()
    quiz.status = "published"
    quiz.save()
    assert CineLoop.objects.for_user(trainee).filter(pk=loop.pk).exists()
    outsider = type(trainee).objects.create(username="outsider", institution=other_hospital)
    assert not CineLoop.objects.for_user(outsider).filter(pk=loop.pk).exists()


def test_quiz_summary(quiz, trainee, now):
    summary = quiz_summary(quiz, trainee, now)
    assert summary["can_start"] and summary["open_attempt"] is None
    assert summary["question_count"] == 3
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    summary = quiz_summary(quiz, trainee, now)
    assert summary["open_attempt"] == attempt.pk
    json.dumps(summary)
    quiz.max_attempts = 1
    quiz.save()
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    summary = quiz_summary(quiz, trainee, now)
    assert not summary["can_start"] and summary["unavailable_reason"]
    assert summary["grade"]["attempts_left"] == 0
