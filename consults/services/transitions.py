"""The state machine and the event log: every change to a consultation goes through here.

``move`` checks the change against ``consults.models.TRANSITIONS`` on a row the caller locked
(``lock_consult``), stamps the state's time, and records a ``ConsultEvent``; ``record`` keeps
the other events (second opinions, consent, the teaching case, messages). Each event marks
the consult as seen by its actor (their own action is no news to them) and sends its e-mails
after the transaction commits (``consults.tasks.event_notify_task``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from consults import rights
from consults.models import (
    STATUS_TIMESTAMPS,
    TRANSITIONS,
    Consultation,
    ConsultEvent,
    ConsultMessage,
    ConsultSeen,
    ConsultStatus,
    EventKind,
)
from consults.tasks import event_notify_task
from core.locking import lock
from core.mail import is_muted
from training.tasks import dispatch_on_commit

# Codes of refusals that mean "the consult has moved on" (the API's 409) rather than bad input.
CONFLICT_CODES = frozenset(
    {
        "illegal_transition",
        "already_claimed",
        "already_answered",
        "teaching_case_exists",
        "consult_over",
    }
)


class ConsultError(ValidationError):
    """A refusal with a code (``CONFLICT_CODES`` are state conflicts)."""


def lock_consult(consult: Consultation) -> Consultation:
    """The consult's row, read afresh and locked until the transaction ends: decide on it,
    never on the instance the caller held (another request may have claimed it meanwhile)."""
    return lock(consult)


def require_expert(by: User, consult: Consultation) -> None:
    if not rights.is_expert(by, consult):
        raise PermissionDenied(_("Only instructors of the expert centre can do this."))


def require_claimer(by: User, locked: Consultation) -> None:
    """``by`` holds the claim on the (locked, fresh) consult."""
    if locked.status != ConsultStatus.CLAIMED:
        raise ConsultError(
            _("This consultation is not claimed (it is “%(status)s”).")
            % {"status": locked.get_status_display()},
            "illegal_transition",
        )
    if not rights.is_claimer(by, locked):
        raise PermissionDenied(
            _("%(name)s has claimed this consultation.") % {"name": person_name(locked.claimed_by)}
        )


def person_name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _label(status: str) -> str:
    return str(ConsultStatus(status).label) if status in ConsultStatus.values else status


def require_transition(consult: Consultation, to: str) -> None:
    if to not in TRANSITIONS.get(consult.status, frozenset()):
        raise ConsultError(
            _("A consultation that is “%(current)s” cannot become “%(target)s”.")
            % {"current": _label(consult.status), "target": _label(to)},
            "illegal_transition",
        )


def move(
    locked: Consultation,
    *,
    to: str,
    by,
    now: datetime,
    reason: str = "",
    also: Sequence[str] = (),
) -> ConsultEvent:
    """Change the status of a locked consult (``also``: other fields the caller set). The
    reason of a withdrawal or a refusal stays on the consult for the requester to read."""
    require_transition(locked, to)
    before = locked.status
    locked.status = to
    fields = ["status", "activity_at", "updated_at", *also]
    if to in (ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED):
        locked.status_reason = reason
        fields.append("status_reason")
    # A released claim goes back to the queue without resetting the waiting time.
    if to != ConsultStatus.SUBMITTED:
        setattr(locked, STATUS_TIMESTAMPS[to], now)
        fields.append(STATUS_TIMESTAMPS[to])
    locked.activity_at = now
    locked.save(update_fields=list(dict.fromkeys(fields)))
    return _event(locked, EventKind.STATUS, by, now, before, reason=reason)


def record(
    consult: Consultation,
    *,
    kind: str,
    by,
    now: datetime,
    reason: str = "",
    message: ConsultMessage | None = None,
) -> ConsultEvent:
    """An event that does not change the status."""
    consult.activity_at = now
    Consultation.objects.filter(pk=consult.pk).update(activity_at=now, updated_at=now)
    return _event(consult, kind, by, now, consult.status, reason=reason, message=message)


def record_submission(consult: Consultation, *, by, now: datetime) -> ConsultEvent:
    """The first event of a new consult: "" → submitted."""
    return _event(consult, EventKind.STATUS, by, now, "")


def _event(
    consult: Consultation,
    kind: str,
    by,
    now: datetime,
    from_status: str,
    *,
    reason: str = "",
    message: ConsultMessage | None = None,
) -> ConsultEvent:
    event = ConsultEvent.objects.create(
        consult=consult,
        kind=kind,
        actor=by,
        from_status=from_status,
        to_status=consult.status,
        reason=reason,
        message=message,
        created_at=now,
        # Muted (the demo loader): no mail now, none later.
        notified_at=now if is_muted() else None,
    )
    if by is not None:
        mark_seen(consult, by, now)
    if event.notified_at is None:
        dispatch_on_commit(event_notify_task, event_pk=event.pk)
    return event


def mark_seen(consult: Consultation, user, now: datetime) -> None:
    """``user`` has seen the consult as it is at ``now`` (its badge stops counting it)."""
    ConsultSeen.objects.update_or_create(consult=consult, user=user, defaults={"seen_at": now})
