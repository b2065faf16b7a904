"""Taking a quiz: start an attempt, autosave answers, check one ("immediately"), submit.

The server owns the clock: ``now`` defaults to ``timezone.now()`` and is a parameter only so
tests can move it. An answer arriving at or after the attempt's deadline is refused, and an
open attempt past its deadline is submitted — by the beat task every minute
(``submit_overdue_attempts``) and whenever it is read (``attempt_for_user``, ``attempt_start``).
Because saves and submission both lock the attempt row, a submitted attempt's score uses only
answers stored before its deadline.

Public functions (keyword-only):
    attempt_start(*, quiz, user, now=None, paper=None, seed=None) -> Attempt
    answer_save(*, attempt, user, question_id, response, certainty="", now=None) -> Answer
    answer_check(*, attempt, user, question_id, now=None) -> Answer
    attempt_submit(*, attempt_id, user, now=None) -> Attempt
    attempt_for_user(attempt_id, user, now=None) -> Attempt
    submit_overdue_attempts(now=None) -> int
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import lock
from core.scoping import PublicationStatus
from quizzes.models import (
    Answer,
    Attempt,
    AttemptStatus,
    FeedbackPolicy,
    Question,
    Quiz,
    SubmittedBy,
)
from quizzes.services.errors import (
    AnswerLocked,
    AttemptClosed,
    NotYourAttempt,
    QuestionNotOnPaper,
    QuizError,
    QuizUnavailable,
)
from quizzes.services.marking import attempt_rescore, mark_answer
from quizzes.services.paper import build_paper, new_seed, paper_entry
from quizzes.validation import clean_certainty, clean_response


def is_overdue(attempt: Attempt, now: datetime) -> bool:
    return attempt.is_open and attempt.deadline is not None and now >= attempt.deadline


def quiz_startable(quiz: Quiz, user, now: datetime) -> None:
    """Raise ``QuizUnavailable`` with the reason when ``user`` may not start a new attempt."""
    visible = Quiz.objects.for_user(user).filter(pk=quiz.pk, status=PublicationStatus.PUBLISHED)
    if not visible.exists():
        raise QuizUnavailable(_("This quiz is not available."))
    if quiz.opens_at and now < quiz.opens_at:
        raise QuizUnavailable(_("This quiz is not open yet."))
    if quiz.closes_at and now >= quiz.closes_at:
        raise QuizUnavailable(_("This quiz is closed."))
    if quiz.max_attempts and quiz.attempts.filter(user=user).count() >= quiz.max_attempts:
        raise QuizUnavailable(_("You have no attempts left on this quiz."))


def attempt_start(
    *,
    quiz: Quiz,
    user,
    now: datetime | None = None,
    paper: list[dict] | None = None,
    seed: int | None = None,
) -> Attempt:
    """The user's open attempt on ``quiz``, or a new one with its own paper.

    Two tabs or a double click get the same attempt: the ``one_open_attempt`` constraint
    refuses a second open row, and the loser of that race returns the winner's attempt.
    ``paper`` (with its ``seed``) is one drawn earlier by ``build_paper`` that the trainee has
    already answered (``offline.papers``); a new attempt takes it instead of drawing its own.
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        raise QuizUnavailable()
    submit_overdue_attempts(now=now, quiz=quiz, user=user)
    existing = _open_attempt(quiz, user)
    if existing is not None:
        # Visibility may have been withdrawn since it started.
        if not Quiz.objects.for_user(user).filter(pk=quiz.pk).exists():
            raise QuizUnavailable()
        return existing
    quiz_startable(quiz, user, now)

    if paper is None or seed is None:
        seed = new_seed()
        paper = build_paper(quiz, seed)
    deadlines = []
    if quiz.time_limit_minutes:
        deadlines.append(now + timedelta(minutes=quiz.time_limit_minutes))
    if quiz.closes_at:
        deadlines.append(quiz.closes_at)
    number = (
        quiz.attempts.filter(user=user).order_by("-number").values_list("number", flat=True).first()
        or 0
    ) + 1
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                user=user,
                number=number,
                seed=seed,
                paper=paper,
                deadline=min(deadlines) if deadlines else None,
            )
    except IntegrityError:
        existing = _open_attempt(quiz, user)
        if existing is None:
            raise QuizError(_("The attempt could not be started. Please try again.")) from None
        return existing
    # ``started_at`` is auto_now_add; keep it on the same clock as the deadline.
    Attempt.objects.filter(pk=attempt.pk).update(started_at=now)
    attempt.started_at = now
    return attempt


def _open_attempt(quiz: Quiz, user) -> Attempt | None:
    return (
        Attempt.objects.select_related("quiz")
        .filter(quiz=quiz, user=user, status=AttemptStatus.IN_PROGRESS)
        .first()
    )


def _locked_open_attempt(attempt_id: int, user, now: datetime) -> Attempt:
    """The attempt row, locked for this transaction, checked to be the user's and open."""
    attempt = lock(
        Attempt,
        attempt_id,
        user_id=getattr(user, "pk", None),
        select_related=("quiz",),
        missing_ok=True,
    )
    if attempt is None:
        raise NotYourAttempt()
    if not attempt.is_open:
        raise AttemptClosed(_("This attempt has been submitted."))
    if is_overdue(attempt, now):
        raise AttemptClosed(_("The time limit has passed: answers are no longer accepted."))
    return attempt


def answer_save(
    *,
    attempt: Attempt,
    user,
    question_id: int,
    response: dict | None,
    certainty: str = "",
    now: datetime | None = None,
) -> Answer:
    """Store (or replace) the answer to one question of an open attempt — the autosave.

    ``response`` None clears the answer. Raises ``AttemptClosed`` after submission or the
    deadline (an overdue attempt is submitted on the way), ``AnswerLocked`` once checked,
    ``QuestionNotOnPaper``, or ``ValidationError`` for a response of the wrong shape.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked_open_attempt(attempt.pk, user, now)
            entry = paper_entry(locked.paper, int(question_id))
            if entry is None:
                raise QuestionNotOnPaper()
            question = (
                Question.objects.select_related("loop")
                .prefetch_related("options")
                .get(pk=entry["question"])
            )
            current = Answer.objects.filter(attempt=locked, question=question).first()
            if current is not None and current.checked_at is not None:
                raise AnswerLocked()
            cleaned = (
                None
                if response is None
                else clean_response(question, response, option_ids=list(entry["options"]))
            )
            answer, _created = Answer.objects.update_or_create(
                attempt=locked,
                question=question,
                defaults={
                    "response": cleaned,
                    "certainty": clean_certainty(
                        certainty, certainty_based=locked.quiz.certainty_based
                    ),
                },
            )
            return answer
    except AttemptClosed:
        _submit_if_overdue(attempt.pk, now)
        raise


def answer_check(
    *, attempt: Attempt, user, question_id: int, now: datetime | None = None
) -> Answer:
    """Score one saved answer and lock it, to show its feedback at once.

    Only on quizzes whose feedback policy is "immediately". Checking twice returns the
    checked answer unchanged.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked_open_attempt(attempt.pk, user, now)
            if locked.quiz.feedback_policy != FeedbackPolicy.IMMEDIATE:
                raise QuizError(_("Answers on this quiz are marked when you submit it."))
            entry = paper_entry(locked.paper, int(question_id))
            if entry is None:
                raise QuestionNotOnPaper()
            answer = (
                Answer.objects.select_related("question__loop")
                .filter(attempt=locked, question_id=entry["question"])
                .first()
            )
            if answer is None or answer.response is None:
                raise QuizError(_("Answer the question before checking it."))
            if answer.checked_at is not None:
                return answer
            mark_answer(answer, answer.question, points=float(entry["points"]), quiz=locked.quiz)
            answer.checked_at = now
            answer.save(update_fields=["credit", "is_correct", "detail", "score", "checked_at"])
            return answer
    except AttemptClosed:
        _submit_if_overdue(attempt.pk, now)
        raise


def attempt_submit(*, attempt_id: int, user, now: datetime | None = None) -> Attempt:
    """Submit and score the user's attempt. Idempotent: an attempt already submitted (a double
    click, a retried request, the deadline task first) is returned unchanged."""
    now = now or timezone.now()
    user_pk = getattr(user, "pk", None)
    if user_pk is None or not Attempt.objects.filter(pk=attempt_id, user_id=user_pk).exists():
        raise NotYourAttempt()
    return _submit(attempt_id, now)[0]


def _submit(attempt_id: int, now: datetime) -> tuple[Attempt, bool]:
    """Submit and score; returns the attempt and whether this call submitted it."""
    with transaction.atomic():
        attempt = lock(Attempt, attempt_id, select_related=("quiz",))
        if not attempt.is_open:
            return attempt, False
        late = attempt.deadline is not None and now >= attempt.deadline
        attempt.status = AttemptStatus.SUBMITTED
        attempt.submitted_at = attempt.deadline if late else now
        attempt.submitted_by = SubmittedBy.DEADLINE if late else SubmittedBy.TRAINEE
        attempt.save(update_fields=["status", "submitted_at", "submitted_by"])
        return attempt_rescore(attempt), True


def _submit_if_overdue(attempt_id: int, now: datetime) -> None:
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is not None and is_overdue(attempt, now):
        _submit(attempt_id, now)


def submit_overdue_attempts(
    now: datetime | None = None, *, quiz: Quiz | None = None, user=None
) -> int:
    """Submit every open attempt whose deadline has passed (optionally of one quiz / user);
    returns how many this call submitted. Safe to run twice or on two workers at once."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=now)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if user is not None:
        overdue = overdue.filter(user_id=user.pk)
    count = 0
    for attempt_id in overdue.values_list("pk", flat=True):
        count += _submit(attempt_id, now)[1]
    return count


def attempt_for_user(attempt_id: int, user, now: datetime | None = None) -> Attempt:
    """The user's own attempt (``NotYourAttempt`` for anyone else's or a missing one); an open
    attempt past its deadline is submitted first."""
    now = now or timezone.now()
    user_pk = getattr(user, "pk", None)
    attempt = (
        Attempt.objects.select_related("quiz").filter(pk=attempt_id, user_id=user_pk).first()
        if user_pk is not None
        else None
    )
    if attempt is None:
        raise NotYourAttempt()
    if is_overdue(attempt, now):
        attempt = _submit(attempt.pk, now)[0]
    return attempt
