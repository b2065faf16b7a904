"""The thread between the two sides, and the reader's last visit (the menu badge).

Public functions (keyword-only):
    message_post(*, consult, by, body, confirmed=False, now=None) -> ConsultMessage
    consult_mark_seen(*, consult, user, now=None) -> None
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consults import conf, rights
from consults.models import Consultation, ConsultMessage, EventKind
from consults.services import identifiers
from consults.services.transitions import ConsultError, lock_consult, mark_seen, record


def message_post(
    *,
    consult: Consultation,
    by: User,
    body: str,
    confirmed: bool = False,
    now: datetime | None = None,
) -> ConsultMessage:
    """A question or reply in the thread, from the requesting side or the centre's staff,
    while the consult is not over."""
    if not (rights.is_requesting_side(by, consult) or rights.is_centre_staff(by, consult)):
        raise PermissionDenied(_("Only the two hospitals of a consultation write in its thread."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("Write a message.")]})
    if len(body) > conf.MAX_TEXT:
        raise ValidationError(
            {"body": [_("At most %(limit)s characters, please.") % {"limit": conf.MAX_TEXT}]}
        )
    warnings = identifiers.checked({"body": body}, confirmed=confirmed)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        if not rights.may_post(by, locked):
            raise ConsultError(
                _("This consultation is over: its thread is closed."), "consult_over"
            )
        message = ConsultMessage.objects.create(
            consult=locked, author=by, body=body, phi_warnings=warnings, created_at=now
        )
        record(locked, kind=EventKind.MESSAGE, by=by, now=now, message=message)
    return message


def consult_mark_seen(*, consult: Consultation, user: User, now: datetime | None = None) -> None:
    """``user`` opened the consult's page: its activity so far leaves their badge."""
    if rights.may_see(user, consult):
        mark_seen(consult, user, now or timezone.now())
