"""The trainee's quiz pages through the Django test client: list, quiz page, start, take,
submit and review — who may see them, what the HTML of an open attempt never contains, one
submission however often it is posted, and the deadline."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, AttemptStatus, FeedbackPolicy, QuestionKind, QuizKind
from quizzes.services.attempts import answer_check, answer_save, attempt_start
from tests import factories as people
from tests.quizzes.factories import (
    ALL_KINDS,
    ELLIPSE_KEY,
    KEY_NUMBERS,
    NUMERIC_KEY,
    SECRETS,
    QuizFactory,
    ReadyLoopFactory,
    correct_response,
    make_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind(hospital):
    loop = ReadyLoopFactory(institution=hospital)
    return [make_question(kind, institution=hospital, loop=loop) for kind in ALL_KINDS]


def exam(hospital, instructor, questions, **kw):
    fields = {"kind": QuizKind.EXAM, "feedback_policy": FeedbackPolicy.AFTER_SUBMIT} | kw
    return QuizFactory(institution=hospital, created_by=instructor, questions=questions, **fields)


@pytest.fixture
def signed_in(client, trainee):
    client.force_login(trainee)
    return client


def started(quiz, user, **kw) -> Attempt:
    return attempt_start(quiz=quiz, user=user, **kw)


def answer_all(attempt, user, questions, response=wrong_response, **kw) -> None:
    for question in questions:
        answer_save(
            attempt=attempt,
            user=user,
            question_id=question.pk,
            response=response(question),
            **kw,
        )


def numbers_in(html: str) -> set[float]:
    return {float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", html)}


# --- List and quiz page --------------------------------------------------------------------------


def test_the_list_groups_exams_and_shows_the_trainees_standing(
    signed_in, trainee, hospital, instructor, every_kind, quiz
):
    final = exam(hospital, instructor, every_kind[:2], title="Final CEUS exam", max_attempts=2)
    started(final, trainee)
    QuizFactory(institution=hospital, title="Draft quiz", status="draft")

    response = signed_in.get(reverse("quizzes:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Final CEUS exam" in html and quiz.title in html
    assert "Draft quiz" not in html
    assert html.index("Exams") < html.index("Final CEUS exam")
    assert 'data-status="in_progress"' in html and 'data-status="not_started"' in html
    assert "1 attempt left" in html
    assert reverse("quizzes:list") in signed_in.get(reverse("courses:dashboard")).content.decode()


def test_another_hospitals_quiz_is_not_listed_and_its_page_is_a_404(signed_in, other_hospital):
    other = QuizFactory(institution=other_hospital, title="Elsewhere")

    assert "Elsewhere" not in signed_in.get(reverse("quizzes:list")).content.decode()
    assert signed_in.get(reverse("quizzes:detail", args=[other.pk])).status_code == 404
    assert signed_in.post(reverse("quizzes:start", args=[other.pk])).status_code == 404


def test_the_quiz_page_explains_the_rules_and_starts_then_continues_one_attempt(
    signed_in, trainee, hospital, instructor, every_kind
):
    quiz = exam(hospital, instructor, every_kind[:3], time_limit_minutes=30, certainty_based=True)

    page = signed_in.get(reverse("quizzes:detail", args=[quiz.pk])).content.decode()
    assert "30 minutes" in page and "60 %" in page and "Certainty-based marking" in page
    assert "wrong \u22126" in page

    first = signed_in.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, user=trainee)
    assert first.url == reverse("quizzes:take", args=[attempt.pk])
    assert "Continue the attempt" in signed_in.get(quiz.get_absolute_url()).content.decode()
    again = signed_in.post(reverse("quizzes:start", args=[quiz.pk]))
    assert again.url == first.url
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1


def test_no_attempts_left_is_said_and_start_refuses_with_a_message(
    signed_in, trainee, hospital, instructor, every_kind
):
    quiz = exam(hospital, instructor, every_kind[:1], max_attempts=1)
    attempt = started(quiz, trainee)
    signed_in.post(reverse("quizzes:submit", args=[attempt.pk]))

    page = signed_in.get(quiz.get_absolute_url()).content.decode()
    assert "no attempts left" in page
    assert reverse("quizzes:review", args=[attempt.pk]) in page
    response = signed_in.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
    assert "no attempts left" in response.content.decode()
    assert Attempt.objects.filter(quiz=quiz).count() == 1


# --- Taking ----------------------------------------------------------------------------------


def test_the_take_page_renders_every_kind_with_the_saved_answers(
    signed_in, trainee, hospital, instructor, every_kind
):
    quiz = exam(hospital, instructor, every_kind, certainty_based=True)
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, every_kind, response=correct_response, certainty="high")

    response = signed_in.get(reverse("quizzes:take", args=[attempt.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for question in every_kind:
        assert f'data-question="{question.pk}"' in html
    assert 'type="radio"' in html and 'type="checkbox"' in html and "<textarea" in html
    assert "data-loop-widget" in html and 'preserveAspectRatio="xMidYMid meet"' in html
    assert "Mark this moment" in html and 'value="high" data-certainty checked' in html
    numeric = next(q for q in every_kind if q.kind == QuestionKind.NUMERIC)
    assert f'value="{correct_response(numeric)["value"]}"' in html
    data = json.loads(re.search(r'id="quiz-attempt"[^>]*>(.*?)</script>', html, re.S).group(1))
    hotspot = next(q for q in data["questions"] if q["kind"] == "hotspot")
    assert hotspot["answer"]["response"] == {"x": ELLIPSE_KEY["cx"] + 2, "y": ELLIPSE_KEY["cy"] - 2}
    assert "/static/js/quiz-take.js" in html and "cdn" not in html.lower()


@pytest.mark.parametrize("policy", [FeedbackPolicy.AFTER_SUBMIT, FeedbackPolicy.IMMEDIATE])
def test_the_take_page_of_an_open_attempt_holds_no_key_material(
    signed_in, trainee, hospital, instructor, every_kind, policy
):
    quiz = exam(hospital, instructor, every_kind, feedback_policy=policy)
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, every_kind)

    html = signed_in.get(reverse("quizzes:take", args=[attempt.pk])).content.decode()

    for secret in SECRETS.values():
        assert secret not in html
    for question in every_kind:
        assert question.title not in html
    for marker in ("is_correct", "option_feedback", "explanation", '"key"', "data-right-option"):
        assert marker not in html
    assert not KEY_NUMBERS & numbers_in(html)
    assert "data-feedback" not in html.replace("data-feedback-for", "")


def test_immediate_feedback_shows_only_for_the_checked_question(
    signed_in, trainee, hospital, instructor, every_kind
):
    single, numeric = (next(q for q in every_kind if q.kind == k) for k in ("single", "numeric"))
    quiz = exam(hospital, instructor, [single, numeric], feedback_policy=FeedbackPolicy.IMMEDIATE)
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, [single, numeric], response=correct_response)
    answer_check(attempt=attempt, user=trainee, question_id=single.pk)

    html = signed_in.get(reverse("quizzes:take", args=[attempt.pk])).content.decode()

    assert html.count('data-mark="correct"') == 1
    assert f"{SECRETS['feedback']} 1" in html  # the right option's feedback, checked question
    assert str(NUMERIC_KEY) not in html  # the unchecked numeric question keeps its key
    checked = html[html.index(f'id="q-{single.pk}"') : html.index(f'id="q-{numeric.pk}"')]
    assert "data-locked" in checked and "disabled" in checked


def test_another_trainees_attempt_is_a_404_everywhere(client, hospital, trainee, quiz):
    attempt = started(quiz, trainee)
    other = people.TraineeFactory(institution=hospital)
    client.force_login(other)

    assert client.get(reverse("quizzes:take", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("quizzes:submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_pages_need_a_login(client, trainee, quiz):
    attempt = started(quiz, trainee)
    for url in (reverse("quizzes:list"), reverse("quizzes:take", args=[attempt.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


# --- Submit, review, deadline ----------------------------------------------------------------


def test_submitting_twice_makes_one_submission(signed_in, trainee, quiz, choice_questions):
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, choice_questions, response=correct_response)
    url = reverse("quizzes:submit", args=[attempt.pk])

    first = signed_in.post(url)
    attempt.refresh_from_db()
    submitted_at, score = attempt.submitted_at, attempt.score
    second = signed_in.post(url)

    review = reverse("quizzes:review", args=[attempt.pk])
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == review
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert (attempt.submitted_at, attempt.score) == (submitted_at, score) == (submitted_at, 3.0)
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1
    assert signed_in.get(url).status_code == 405  # POST only
    # The take page of a submitted attempt leads to its review.
    assert signed_in.get(reverse("quizzes:take", args=[attempt.pk])).url == review


def test_review_after_submit_shows_marks_key_and_explanation(
    signed_in, trainee, hospital, instructor, every_kind
):
    quiz = exam(hospital, instructor, every_kind)
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, every_kind, response=correct_response)
    signed_in.post(reverse("quizzes:submit", args=[attempt.pk]))

    html = signed_in.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()

    assert 'data-outcome="pending"' in html  # the free-text answer waits for an instructor
    assert html.count('data-mark="correct"') == len(every_kind) - 1
    assert 'data-mark="pending"' in html
    assert SECRETS["explanation"] in html
    assert "data-key-shape" in html and "data-my-shape" in html and "data-key-time" in html
    assert f"{ELLIPSE_KEY['cx']}" in html  # the answer ellipse drawn on the frame
    assert "data-right-option" in html


def test_review_under_the_never_policy_shows_answers_but_no_feedback(
    signed_in, trainee, hospital, instructor, every_kind
):
    quiz = exam(hospital, instructor, every_kind, feedback_policy=FeedbackPolicy.NEVER)
    attempt = started(quiz, trainee)
    answer_all(attempt, trainee, every_kind)
    signed_in.post(reverse("quizzes:submit", args=[attempt.pk]))

    html = signed_in.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()

    assert "data-no-feedback" in html and "data-my-shape" in html
    for marker in ("data-mark=", "data-right-option", "data-key-shape", "data-key-time"):
        assert marker not in html
    for secret in SECRETS.values():
        assert secret not in html
    assert not KEY_NUMBERS & numbers_in(html)


def test_an_open_attempts_review_leads_back_to_taking_it(signed_in, trainee, quiz):
    attempt = started(quiz, trainee)
    response = signed_in.get(reverse("quizzes:review", args=[attempt.pk]))
    assert response.url == reverse("quizzes:take", args=[attempt.pk])


def test_after_the_deadline_the_take_page_shows_the_auto_submitted_result(
    signed_in, trainee, hospital, instructor, choice_questions
):
    quiz = exam(hospital, instructor, choice_questions, time_limit_minutes=10)
    began = timezone.now() - timedelta(minutes=30)
    attempt = started(quiz, trainee, now=began)
    answer_all(
        attempt, trainee, choice_questions[:2], response=correct_response,
        now=began + timedelta(minutes=2),
    )  # fmt: skip

    response = signed_in.get(reverse("quizzes:take", args=[attempt.pk]), follow=True)

    assert response.redirect_chain == [(reverse("quizzes:review", args=[attempt.pk]), 302)]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_by == "deadline"
    assert attempt.submitted_at == attempt.deadline
    html = response.content.decode()
    assert "the attempt was submitted with the saved answers" in html
    assert 'data-outcome="passed"' in html and "2 of 3 points" in html
