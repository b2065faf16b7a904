"""Which cases and loops would answer a user's questions: the key lock the assessment app
registers with the case library (``cases.access``, in ``QuizzesConfig.ready``).

An image question takes its key from its case: the lesion ROI (hotspot, outline), the phase
markers (time point), the category and diagnosis (category, and any question naming the case).
So the cases and loops on the paper of a user's attempt are locked for that user:

* **while the attempt is open**: in progress and before its deadline (answers are refused from
  the deadline on; the sweep then submits it);
* **after submission, while its answers wait for the quiz to close**: feedback "after the quiz
  closes" keeps them locked until ``closes_at`` (for ever while the quiz has no closing date,
  as its feedback). Feedback "immediately" and "after submission" show the key once submitted,
  so nothing stays locked. Feedback "never" hides the key inside the attempt only: once
  submitted the library opens again — a case that must stay secret for good is marked
  "for assessment only" (``Case.assessment_only``), which no trainee lists or opens.

The loop a question plays stays playable (its video carries no annotations, and the attempt
page plays it); ``cases.access`` locks only what is drawn on it (its curves).

Public functions:
    exam_key_lock(user, now=None) -> cases.access.KeyLock
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from cases.access import KeyLock
from quizzes.models import Attempt, AttemptStatus, FeedbackPolicy, Question


def _locking_attempts_q(now: datetime) -> tuple[Q, Q]:
    """(open attempts, submitted ones whose answers wait for the quiz to close)."""
    open_ = Q(status=AttemptStatus.IN_PROGRESS) & (Q(deadline__isnull=True) | Q(deadline__gt=now))
    until_close = Q(quiz__feedback_policy=FeedbackPolicy.AFTER_CLOSE) & (
        Q(quiz__closes_at__isnull=True) | Q(quiz__closes_at__gt=now)
    )
    return open_, until_close


def exam_key_lock(user, now: datetime | None = None) -> KeyLock:
    """The cases and loops of the papers of ``user``'s open attempts, and of their submitted
    attempts whose answers wait for the quiz to close (two queries; one without attempts)."""
    if not getattr(user, "is_authenticated", False):
        return KeyLock()
    now = now or timezone.now()
    open_, until_close = _locking_attempts_q(now)
    rows = Attempt.objects.filter(user_id=user.pk).filter(open_ | until_close)
    open_questions: set[int] = set()
    waiting_questions: set[int] = set()
    for paper, status, deadline in rows.values_list("paper", "status", "deadline"):
        is_open = status == AttemptStatus.IN_PROGRESS and (deadline is None or deadline > now)
        target = open_questions if is_open else waiting_questions
        target.update(entry["question"] for entry in paper or [])
    if not (open_questions or waiting_questions):
        return KeyLock()
    questions = Question.objects.filter(pk__in=open_questions | waiting_questions)
    open_cases: set[int] = set()
    waiting_cases: set[int] = set()
    loops: set[int] = set()
    for pk, case_id, loop_id in questions.values_list("pk", "case_id", "loop_id"):
        if case_id:
            (open_cases if pk in open_questions else waiting_cases).add(case_id)
        if loop_id:
            loops.add(loop_id)
    waiting = waiting_cases - open_cases
    return KeyLock(frozenset(open_cases | waiting), frozenset(loops), frozenset(waiting))
