"""Which practice quizzes may be taken offline — one rule, asked by the bundles, the offline
take page and the submissions.

Offline means untimed, unlimited practice: an exam never leaves the server, and neither does a
quiz whose time limit or number of attempts the server must keep (a device off the network
can keep neither, and a paper seen offline would be seen before its attempt counts). A quiz
that cannot be started now (closed, not open yet) is not offered either.

Public functions:
    quiz_refusal(user, quiz, now=None) -> str      ("" when it may be taken offline)
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import PublicationStatus
from quizzes.models import Quiz, QuizKind
from quizzes.services.attempts import quiz_startable
from quizzes.services.errors import QuizUnavailable


def exam_message() -> str:
    return _("Exams need a connection: they cannot be saved for offline study.")


def unpublished_message() -> str:
    return _("Only published content can be saved for offline study.")


def quiz_refusal(user, quiz: Quiz, now: datetime | None = None) -> str:
    """Why ``user`` may not take ``quiz`` offline now; "" when they may."""
    if quiz.kind == QuizKind.EXAM:
        return exam_message()
    if quiz.status != PublicationStatus.PUBLISHED:
        return unpublished_message()
    if quiz.time_limit_minutes:
        return _("This quiz has a time limit, which only the server can keep: take it online.")
    if quiz.max_attempts:
        return _("This quiz limits your attempts, which only the server can count: take it online.")
    try:
        quiz_startable(quiz, user, now or timezone.now())
    except QuizUnavailable as exc:
        return exc.message
    return ""
