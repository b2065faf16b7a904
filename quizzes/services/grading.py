"""Instructors grade free-text answers; the attempt's score is then recomputed.

Public functions:
    answer_grade(*, answer, by, credit, comment="", now=None) -> Answer
    grading_queue(user) -> QuerySet[Answer]   (oldest first)
    gradable_answers(user) -> QuerySet[Answer]  (free-text answers the user may grade, any state)

Who grades (``quizzes.results_access``): the trainee's own institution's instructors, and site
admins — not the instructors of the institution that owns a network quiz, who see only
aggregates of other hospitals' trainees.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import lock
from quizzes.models import Answer, Attempt, AttemptStatus, QuestionKind
from quizzes.results_access import detail_attempts_q, may_grade
from quizzes.services.errors import NotAllowed, QuizError
from quizzes.services.marking import attempt_rescore


def gradable_answers(user) -> QuerySet[Answer]:
    """Free-text answers of submitted attempts that ``user`` may grade (graded ones too, so a
    mark can be corrected)."""
    if not may_grade(user):
        return Answer.objects.none()
    return Answer.objects.filter(
        detail_attempts_q(user, "attempt__"),
        attempt__status=AttemptStatus.SUBMITTED,
        question__kind=QuestionKind.FREE_TEXT,
    ).select_related("attempt__quiz", "attempt__user", "question", "graded_by")


def grading_queue(user) -> QuerySet[Answer]:
    """Free-text answers waiting for a grade that ``user`` may give, oldest first."""
    return (
        gradable_answers(user).filter(credit__isnull=True).order_by("attempt__submitted_at", "pk")
    )


def answer_grade(
    *, answer: Answer, by, credit: float, comment: str = "", now: datetime | None = None
) -> Answer:
    """Give a free-text answer its credit (0 to 1; 1 counts as correct) and rescore the
    attempt. Grading again replaces the earlier grade."""
    now = now or timezone.now()
    try:
        credit = float(credit)
    except (TypeError, ValueError):
        raise ValidationError(_("The credit is a number from 0 to 1.")) from None
    if not math.isfinite(credit) or not 0 <= credit <= 1:
        raise ValidationError(_("The credit is a number from 0 to 1."))
    with transaction.atomic():
        attempt = lock(Attempt, answer.attempt_id, select_related=("quiz",))
        trainee_seen = Answer.objects.filter(detail_attempts_q(by, "attempt__"), pk=answer.pk)
        if not (may_grade(by) and trainee_seen.exists()):
            raise NotAllowed(_("Only instructors of the trainee's institution grade this answer."))
        if attempt.is_open:
            raise QuizError(_("The attempt has not been submitted yet."))
        answer = Answer.objects.select_related("question").get(pk=answer.pk)
        if answer.question.kind != QuestionKind.FREE_TEXT:
            raise QuizError(_("Only free-text answers are graded by hand."))
        answer.credit = credit
        answer.is_correct = credit >= 1
        answer.graded_by = by
        answer.graded_at = now
        answer.grader_comment = comment or ""
        answer.save(
            update_fields=["credit", "is_correct", "graded_by", "graded_at", "grader_comment"]
        )
        attempt_rescore(attempt)
    answer.refresh_from_db()
    return answer
