"""Practice quizzes taken without a connection: the paper handed out, the answers received.

The device is given a paper before any attempt exists (``paper_for``: the trainee's paper
waiting for this quiz, or a new one) and shows it from its cache; options are named by tokens
keyed to the paper (``paper_tokens``), never by their ids. When the device is online again it
sends the answers with an id of its own (``submission_receive``); the server then starts an
attempt on that very paper, saves each answer and submits it with the services every attempt
goes through (``quizzes.services.attempts``), so the score, the feedback and the grade are
those of any attempt. A resend with the same id — a lost response, two tabs — gets the same
attempt back: the ``(user, client_id)`` row is written in the same transaction as the attempt,
so two requests cannot both score it.

Refused (nothing stored, the device keeps the answers or drops them as told):
``NotYourPaper`` (no such paper of this user, 404), ``QuizUnavailable`` (an exam, or a quiz
that may no longer be taken offline or started, 403: ``offline.rules``), ``AttemptOpen`` (the
trainee has an attempt open online on the quiz: submit it first, 409).

Public functions (keyword-only):
    paper_for(*, user, quiz) -> OfflinePaper
    paper_tokens(paper) -> dict[int, str]
    paper_payload(paper) -> dict
    submission_receive(*, user, client_id, paper_id, answers, now=None)
        -> tuple[OfflineSubmission, bool]                 (the submission, whether it is new)
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from offline.models import OfflinePaper, OfflineSubmission
from offline.rules import quiz_refusal
from quizzes.models import Attempt, AttemptStatus, Quiz
from quizzes.option_tokens import TOKEN_LENGTH, response_from_tokens
from quizzes.payload import unanswered_paper_payload
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from quizzes.services.errors import QuestionNotOnPaper, QuizError, QuizUnavailable
from quizzes.services.paper import build_paper, new_seed, paper_entry

_SALT = "offline.papers.options"


class NotYourPaper(QuizError):
    default_message = _("This offline paper was not found.")


class AttemptOpen(QuizError):
    default_message = _(
        "You have an attempt in progress on this quiz. Submit it, and the answers you gave "
        "offline are sent next."
    )


def paper_for(*, user, quiz: Quiz) -> OfflinePaper:
    """The user's paper waiting for ``quiz``, or a new one (the caller checked the quiz may be
    taken offline)."""
    waiting = OfflinePaper.objects.filter(user=user, quiz=quiz, used_at__isnull=True).first()
    if waiting is not None:
        return waiting
    seed = new_seed()
    try:
        with transaction.atomic():
            return OfflinePaper.objects.create(
                user=user, quiz=quiz, seed=seed, paper=build_paper(quiz, seed)
            )
    except IntegrityError:  # another request drew one first: theirs is the one
        return OfflinePaper.objects.get(user=user, quiz=quiz, used_at__isnull=True)


def _token(paper_id: uuid.UUID, option_id: int) -> str:
    digest = salted_hmac(_SALT, f"{paper_id}:{int(option_id)}", algorithm="sha256")
    return digest.hexdigest()[:TOKEN_LENGTH]


def paper_tokens(paper: OfflinePaper) -> dict[int, str]:
    """Option id -> token for every option listed on the paper (``quizzes.option_tokens`` does
    the same per attempt; these differ from any attempt's)."""
    return {
        option_id: _token(paper.pk, option_id)
        for entry in paper.paper
        for option_id in entry.get("options") or ()
    }


def paper_payload(paper: OfflinePaper) -> dict:
    """The paper as the offline page shows it: ``quizzes.payload`` decides what, as for an
    open attempt without answers."""
    return {
        "paper": str(paper.pk),
        **unanswered_paper_payload(paper.quiz, paper.paper, tokens=paper_tokens(paper)),
    }


def submission_receive(
    *,
    user,
    client_id: uuid.UUID,
    paper_id: uuid.UUID,
    answers: Sequence[dict],
    now: datetime | None = None,
) -> tuple[OfflineSubmission, bool]:
    """Score the answers a device gave offline to ``paper_id``, once per ``client_id``.

    ``answers``: ``[{"question": id, "response": {...} (options as paper tokens),
    "certainty": ""}]``. An answer that no longer fits its question (changed since the paper
    was drawn) is left out and listed in ``skipped``; the rest are scored.
    """
    now = now or timezone.now()
    received = _received(user, client_id)
    if received is not None:
        return received, False
    paper = OfflinePaper.objects.select_related("quiz").filter(pk=paper_id, user=user).first()
    if paper is None:
        raise NotYourPaper()
    quiz = paper.quiz
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = OfflineSubmission.objects.create(
                    user=user, client_id=client_id, paper=paper
                )
        except IntegrityError:
            # The same answers, sent twice at once: the other request has scored them.
            return OfflineSubmission.objects.select_related("attempt").get(
                user=user, client_id=client_id
            ), False
        refusal = quiz_refusal(user, quiz, now)
        if refusal:
            raise QuizUnavailable(refusal)
        if Attempt.objects.filter(quiz=quiz, user=user, status=AttemptStatus.IN_PROGRESS).exists():
            raise AttemptOpen()
        attempt = attempt_start(quiz=quiz, user=user, now=now, paper=paper.paper, seed=paper.seed)
        if attempt.seed != paper.seed:  # an attempt opened online in the meantime
            raise AttemptOpen()
        submission.skipped = _save_answers(attempt, paper, user, answers, now)
        submission.attempt = attempt_submit(attempt_id=attempt.pk, user=user, now=now)
        submission.save(update_fields=["attempt", "skipped"])
        if paper.used_at is None:
            paper.used_at = now
            paper.save(update_fields=["used_at"])
    return submission, True


def _received(user, client_id: uuid.UUID) -> OfflineSubmission | None:
    return (
        OfflineSubmission.objects.select_related("attempt")
        .filter(user=user, client_id=client_id)
        .first()
    )


def _save_answers(
    attempt: Attempt, paper: OfflinePaper, user, answers: Sequence[dict], now: datetime
) -> list[int]:
    """Save each answer through ``answer_save``; the ids of those left out."""
    skipped = []
    for answer in answers:
        question_id = int(answer["question"])
        entry = paper_entry(paper.paper, question_id)
        try:
            if entry is None:
                raise QuestionNotOnPaper()
            tokens = {option_id: _token(paper.pk, option_id) for option_id in entry["options"]}
            answer_save(
                attempt=attempt,
                user=user,
                question_id=question_id,
                response=response_from_tokens(answer["response"], tokens),
                certainty=answer.get("certainty") or "",
                now=now,
            )
        except (ValidationError, QuestionNotOnPaper):
            skipped.append(question_id)
    return skipped
