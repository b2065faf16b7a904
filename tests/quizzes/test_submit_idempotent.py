"""A double click or a retried request makes one submission."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from quizzes.models import Attempt, AttemptStatus, SubmittedBy
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from quizzes.services.errors import AttemptClosed
from tests.quizzes.factories import correct_response

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _answer_all(attempt, user, quiz, now):
    for item in quiz.items.all():
        answer_save(
            attempt=attempt,
            user=user,
            question_id=item.question_id,
            response=correct_response(item.question),
            now=now,
        )


@pytest.mark.django_db
def test_submitting_twice_returns_the_same_submission(quiz, trainee, now, later):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    _answer_all(attempt, trainee, quiz, now)
    first = attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=1))
    second = attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=2))
    assert second.pk == first.pk
    assert second.submitted_at == first.submitted_at == later(minutes=1)
    assert (second.score, second.max_score, second.percent, second.passed) == (3, 3, 100, True)
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1


@pytest.mark.django_db
def test_the_score_is_not_recomputed_by_a_second_submit(quiz, trainee, now, later):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=1))
    # Even if an answer slipped in (it cannot through the services), a retry changes nothing.
    with pytest.raises(AttemptClosed):
        _answer_all(attempt, trainee, quiz, later(minutes=1))
    again = attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=5))
    assert again.score == 0 and again.submitted_at == later(minutes=1)


@pytest.mark.django_db
def test_the_trainee_and_the_deadline_task_submit_once(quiz, trainee, now, later):
    from quizzes.services.attempts import submit_overdue_attempts

    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=later(minutes=4))
    assert submit_overdue_attempts(now=later(minutes=6)) == 0
    attempt.refresh_from_db()
    assert attempt.submitted_by == SubmittedBy.TRAINEE


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="concurrent submits need row locks (select_for_update) and concurrent connections: "
    "PostgreSQL only (DATABASE_URL=postgres://…); SQLite serialises writers anyway",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_make_one_submission(quiz, trainee, now, later):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    _answer_all(attempt, trainee, quiz, now)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def submit(offset: int) -> None:
        try:
            barrier.wait()
            submitted = attempt_submit(
                attempt_id=attempt.pk, user=trainee, now=later(minutes=1, seconds=offset)
            )
            results.append((submitted.submitted_at, submitted.score))
        except Exception as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # Every request saw the one submission, whoever won the lock.
    assert len(set(results)) == 1 and results[0][1] == 3
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.status == AttemptStatus.SUBMITTED
    assert (stored.submitted_at, stored.score) == results[0]
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent starts: PostgreSQL only (see above)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_make_one_open_attempt(quiz, trainee, now):
    barrier = threading.Barrier(6)
    started, errors = [], []

    def start() -> None:
        try:
            barrier.wait()
            started.append(attempt_start(quiz=quiz, user=trainee, now=now).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(started)) == 1
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1
