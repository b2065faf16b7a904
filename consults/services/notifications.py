"""E-mails of consultations: each event tells the people it concerns, in their language.

Who hears of what: a new request (or one released back to the queue) — the named expert, or
every instructor of the centre; claimed, answered, declined — the requester; withdrawn — the
expert who had claimed it (or those the request was addressed to); closed — the requester and
the expert; a second opinion asked — the second expert, and given — the expert who asked;
consent recorded — the expert who answered (a teaching case may now be made); the teaching
case made — the requester; a message — the other side. Never the actor, never twice.

A message says what happened and links to the consult's page; it carries no clinical text
(no question, reading, answer, reason or message) and never the local reference: mail leaves
the platform.

Each event is sent once (``ConsultEvent.notified_at``, set in the transaction that sends, so
a failed send is tried again by ``notify_pending``, run by beat).

Public functions:
    recipients(event) -> list[User]
    event_notify(*, event_pk) -> int
    notify_pending(now=None) -> int
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consults.models import ConsultEvent, ConsultStatus, EventKind
from consults.rights import is_requesting_side
from consults.tasks import event_notify_task
from core.locking import lock
from core.mail import absolute_url, in_language_of, send_to
from training.tasks import dispatch

logger = logging.getLogger(__name__)

# Events still unsent after this long are sent by the sweep; older ones are dropped (news
# from days ago is no longer news: the badge and the page tell the rest).
PENDING_AFTER = timedelta(minutes=10)
PENDING_UNTIL = timedelta(days=2)
# A mail server that refuses or cannot be reached: the event stays unsent, tried again later.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def _experts(consult) -> list[User]:
    if consult.expert_id:
        return [consult.expert]
    return list(
        User.objects.filter(
            institution_id=consult.target_id, role=User.Role.INSTRUCTOR, is_active=True
        ).order_by("pk")
    )


def _answerers(consult) -> list[User]:
    """Whoever holds the consult at the centre: its claimer, else those it was sent to."""
    return [consult.claimed_by] if consult.claimed_by is not None else _experts(consult)


def recipients(event: ConsultEvent) -> list[User]:
    consult = event.consult
    requester = [consult.requester]
    people: list[User] = []
    if event.kind == EventKind.STATUS:
        by_status: dict[str, list[User]] = {
            ConsultStatus.SUBMITTED: _experts(consult),
            ConsultStatus.CLAIMED: requester,
            ConsultStatus.ANSWERED: requester,
            ConsultStatus.DECLINED: requester,
            ConsultStatus.WITHDRAWN: _answerers(consult),
            ConsultStatus.CLOSED: requester + _answerers(consult),
        }
        people = by_status.get(event.to_status, [])
    elif event.kind == EventKind.SECOND_OPINION_ASKED:
        people = [consult.second_expert] if consult.second_expert is not None else []
    elif event.kind in (EventKind.SECOND_OPINION_GIVEN, EventKind.CONSENT):
        people = [consult.claimed_by] if consult.claimed_by is not None else []
    elif event.kind == EventKind.TEACHING_CASE:
        people = requester
    elif event.kind == EventKind.MESSAGE:
        actor = event.actor
        from_requesting_side = actor is not None and is_requesting_side(actor, consult)
        people = _answerers(consult) if from_requesting_side else requester
    unique: dict[int, User] = {}
    for user in people:
        if user.is_active and user.pk != event.actor_id:
            unique.setdefault(user.pk, user)
    return list(unique.values())


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _headline(event: ConsultEvent) -> tuple[str, str]:
    """(subject, the sentence that opens the message), in the active language."""
    consult = event.consult
    values = {
        "number": consult.pk,
        "organ": consult.get_organ_display(),
        "institution": consult.requesting_institution.name,
        "centre": consult.target.name,
        "name": _name(event.actor),
    }
    status = event.to_status if event.kind == EventKind.STATUS else ""
    if event.kind == EventKind.STATUS and status == ConsultStatus.SUBMITTED:
        if event.from_status:  # released by the expert who had claimed it
            subject = _("Consultation #%(number)s is waiting again: %(organ)s")
            sentence = _("%(name)s released consultation #%(number)s back to the queue.")
        elif consult.urgency == "urgent":
            subject = _("Urgent consultation request #%(number)s: %(organ)s, %(institution)s")
            sentence = _("%(institution)s asks %(centre)s for an urgent consultation.")
        else:
            subject = _("Consultation request #%(number)s: %(organ)s, %(institution)s")
            sentence = _("%(institution)s asks %(centre)s for a consultation.")
    else:
        headlines: dict[str, tuple[str, str]] = {
            ConsultStatus.CLAIMED: (
                _("Consultation #%(number)s was claimed"),
                _("%(name)s of %(centre)s is reading your consultation #%(number)s."),
            ),
            ConsultStatus.ANSWERED: (
                _("Consultation #%(number)s has been answered"),
                _(
                    "%(name)s answered your consultation #%(number)s. Compare the answer with "
                    "your own reading on its page."
                ),
            ),
            ConsultStatus.DECLINED: (
                _("Consultation #%(number)s was declined"),
                _("%(centre)s declined consultation #%(number)s. The reason is on its page."),
            ),
            ConsultStatus.WITHDRAWN: (
                _("Consultation #%(number)s was withdrawn"),
                _("%(institution)s withdrew consultation #%(number)s."),
            ),
            ConsultStatus.CLOSED: (
                _("Consultation #%(number)s is closed"),
                _("%(name)s closed consultation #%(number)s."),
            ),
            EventKind.SECOND_OPINION_ASKED: (
                _("Second opinion asked: consultation #%(number)s"),
                _("%(name)s asks for your second opinion on consultation #%(number)s."),
            ),
            EventKind.SECOND_OPINION_GIVEN: (
                _("Second opinion given: consultation #%(number)s"),
                _("%(name)s gave a second opinion on consultation #%(number)s."),
            ),
            EventKind.CONSENT: (
                _("Teaching consent recorded: consultation #%(number)s"),
                _(
                    "%(institution)s recorded that the patient of consultation #%(number)s "
                    "agreed to teaching use: it may now become a teaching case."
                ),
            ),
            EventKind.TEACHING_CASE: (
                _("Consultation #%(number)s became a teaching case"),
                _(
                    "%(name)s made a draft teaching case from consultation #%(number)s. It is "
                    "reviewed before anyone else sees it."
                ),
            ),
            EventKind.MESSAGE: (
                _("New message: consultation #%(number)s"),
                _("%(name)s wrote on consultation #%(number)s."),
            ),
        }
        subject, sentence = headlines[status or event.kind]
    return subject % values, sentence % values


def _send(user: User, event: ConsultEvent) -> bool:
    consult = event.consult
    with in_language_of(user):
        subject, sentence = _headline(event)
        body = render_to_string(
            "consults/email/event.txt",
            {
                "name": _name(user),
                "sentence": sentence,
                "organ": consult.get_organ_display(),
                "urgency": consult.get_urgency_display(),
                "status": consult.get_status_display(),
                "institution": consult.requesting_institution.name,
                "centre": consult.target.name,
                "url": absolute_url("consults:detail", pk=consult.pk),
            },
        )
    return send_to(user, subject, body)


def event_notify(*, event_pk: int, now: datetime | None = None) -> int:
    """Send the event's e-mails unless sent already; returns how many went out. A send that
    fails rolls back with the mark, for ``notify_pending`` to try again."""
    try:
        return _notify(event_pk, now or timezone.now())
    except MAIL_ERRORS:
        logger.exception("consultation event %s: e-mail not sent, tried again later", event_pk)
        return 0


def _notify(event_pk: int, now: datetime) -> int:
    with transaction.atomic():
        event = lock(
            ConsultEvent,
            event_pk,
            missing_ok=True,
            select_related=(
                "actor",
                "consult__requester",
                "consult__requesting_institution",
                "consult__target",
                "consult__expert",
                "consult__claimed_by",
                "consult__second_expert",
            ),
            of=("self",),
        )
        if event is None or event.notified_at is not None:
            return 0
        sent = sum(_send(user, event) for user in recipients(event))
        event.notified_at = now
        event.save(update_fields=["notified_at"])
    return sent


def notify_pending(now: datetime | None = None) -> int:
    """Queue again the events whose e-mails did not go out (a broker or mail server down)."""
    now = now or timezone.now()
    pending = ConsultEvent.objects.filter(
        notified_at__isnull=True,
        created_at__lte=now - PENDING_AFTER,
        created_at__gt=now - PENDING_UNTIL,
    ).values_list("pk", flat=True)
    queued = 0
    for pk in pending[:500]:
        if not dispatch(event_notify_task, event_pk=pk):
            break
        queued += 1
    return queued
