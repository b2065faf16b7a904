"""The time limit is the server's: late answers are refused, overdue attempts submit."""

from __future__ import annotations

import pytest

from quizzes.models import AttemptStatus, SubmittedBy
from quizzes.services.attempts import (
    answer_save,
    attempt_for_user,
    attempt_start,
    attempt_submit,
    submit_overdue_attempts,
)
from quizzes.services.errors import AttemptClosed
from quizzes.tasks import submit_overdue_attempts as submit_overdue_task
from tests.factories import TraineeFactory
from tests.quizzes.factories import correct_response, wrong_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def timed_quiz(quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    return quiz


@pytest.fixture
def questions(timed_quiz):
    return [item.question for item in timed_quiz.items.all()]


def _save(attempt, user, question, response, at):
    return answer_save(
        attempt=attempt, user=user, question_id=question.pk, response=response, now=at
    )


def test_an_answer_after_the_deadline_is_refused(timed_quiz, questions, trainee, now, later):
    attempt = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    assert attempt.deadline == later(minutes=10)
    _save(attempt, trainee, questions[0], correct_response(questions[0]), later(minutes=9))
    with pytest.raises(AttemptClosed) as refused:
        _save(attempt, trainee, questions[1], correct_response(questions[1]), later(minutes=10))
    assert refused.value.message == "The time limit has passed: answers are no longer accepted."
    assert attempt.answers.count() == 1
    # Refusing a late answer also submits the overdue attempt.
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.submitted_by == SubmittedBy.DEADLINE


def test_the_score_counts_only_answers_saved_before_the_deadline(
    timed_quiz, questions, trainee, now, later
):
    attempt = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    _save(attempt, trainee, questions[0], correct_response(questions[0]), later(minutes=2))
    _save(attempt, trainee, questions[1], wrong_response(questions[1]), later(minutes=5))
    # A late change of answer 2 and a late answer 3 are both refused.
    for question in questions[1:]:
        with pytest.raises(AttemptClosed):
            _save(attempt, trainee, question, correct_response(question), later(minutes=11))
    submitted = attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=12))
    assert submitted.score == 1.0 and submitted.max_score == 3.0
    assert submitted.submitted_at == attempt.deadline
    assert submitted.submitted_by == SubmittedBy.DEADLINE


def test_the_beat_task_submits_overdue_attempts(timed_quiz, questions, hospital, now, later):
    trainees = [TraineeFactory(institution=hospital) for _ in range(3)]
    early = attempt_start(quiz=timed_quiz, user=trainees[0], now=now)
    _save(early, trainees[0], questions[0], correct_response(questions[0]), later(minutes=1))
    attempt_start(quiz=timed_quiz, user=trainees[1], now=now)
    fresh = attempt_start(quiz=timed_quiz, user=trainees[2], now=later(minutes=8))

    assert submit_overdue_attempts(now=later(minutes=9)) == 0
    assert submit_overdue_attempts(now=later(minutes=10)) == 2
    assert submit_overdue_attempts(now=later(minutes=10)) == 0  # safe to run twice
    early.refresh_from_db()
    fresh.refresh_from_db()
    assert early.status == AttemptStatus.SUBMITTED
    assert early.submitted_by == SubmittedBy.DEADLINE
    assert early.score == 1.0
    assert fresh.is_open


def test_the_task_runs_the_service(timed_quiz, trainee, now, later, monkeypatch):
    attempt = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    # The task reads the clock itself: move the attempt's deadline into the past instead.
    type(attempt).objects.filter(pk=attempt.pk).update(deadline=now.replace(year=now.year - 1))
    assert submit_overdue_task.run() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


def test_reading_an_overdue_attempt_submits_it(timed_quiz, questions, trainee, now, later):
    attempt = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    _save(attempt, trainee, questions[2], correct_response(questions[2]), later(minutes=3))
    assert attempt_for_user(attempt.pk, trainee, now=later(minutes=9)).is_open
    read = attempt_for_user(attempt.pk, trainee, now=later(minutes=15))
    assert read.status == AttemptStatus.SUBMITTED
    assert read.submitted_at == attempt.deadline
    assert read.score == 1.0


def test_starting_again_after_the_deadline_submits_and_starts_a_new_attempt(
    timed_quiz, trainee, now, later
):
    first = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    second = attempt_start(quiz=timed_quiz, user=trainee, now=later(minutes=30))
    assert second.pk != first.pk and second.number == 2
    first.refresh_from_db()
    assert first.submitted_by == SubmittedBy.DEADLINE


def test_a_submit_in_time_is_the_trainees(timed_quiz, trainee, now, later):
    attempt = attempt_start(quiz=timed_quiz, user=trainee, now=now)
    submitted = attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=4))
    assert submitted.submitted_by == SubmittedBy.TRAINEE
    assert submitted.submitted_at == later(minutes=4)


def test_the_beat_schedule_runs_the_task_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["quizzes-submit-overdue"]
    assert entry["task"] == submit_overdue_task.name == "quizzes.submit_overdue_attempts"
    assert entry["schedule"] == 60.0
