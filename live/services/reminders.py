"""E-mail reminders of scheduled sessions: one about a day before, one shortly before, to each
person the session is for (``rights.audience_members``), in their language and time zone.

Each reminder goes out once: its ``ReminderSent`` row (unique per session, user and kind) is
written in the transaction that sends, so a second run — or one at the same moment — finds it
and skips; a refused send rolls the row back and the next run tries again. A reminder names
the session, its time and its page; never a patient (a consultation's session is named by its
number).

Public function:
    send_due_reminders(*, now=None) -> int     run by beat every few minutes
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.mail import absolute_url, in_language_of, send_to
from live.models import OPEN_STATUSES, LiveSession, ReminderKind, ReminderSent
from live.rights import audience_members
from live.services.events import now_or

logger = logging.getLogger(__name__)

# (kind, sent from this long before the start, until this long before it). A session
# scheduled later than the window's end gets no reminder of that kind.
WINDOWS = (
    (ReminderKind.DAY, timedelta(hours=24), timedelta(hours=1)),
    (ReminderKind.SOON, timedelta(minutes=15), timedelta(0)),
)
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send every reminder that is due and not yet sent; returns how many went out."""
    now = now_or(now)
    sent = 0
    for kind, before, until in WINDOWS:
        sessions = LiveSession.objects.filter(
            status__in=OPEN_STATUSES, starts_at__lte=now + before, starts_at__gt=now + until
        ).select_related("consult")
        for session in sessions:
            done = ReminderSent.objects.filter(session=session, kind=kind).values("user_id")
            for user in audience_members(session).exclude(pk__in=done).exclude(email=""):
                sent += _send_once(session, user, kind, now)
    return sent


def _send_once(session: LiveSession, user: User, kind: str, now: datetime) -> int:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(session=session, user=user, kind=kind, sent_at=now)
            subject, body = compose(session, user, kind)
            send_to(user, subject, body)
    except IntegrityError:  # sent by another run meanwhile
        return 0
    except MAIL_ERRORS:
        logger.warning(
            "live reminder %s of session %s to user %s: not sent", kind, session.pk, user.pk
        )
        return 0
    return 1


def _zone(user: User) -> zoneinfo.ZoneInfo:
    platform = str(settings.TIME_ZONE)
    try:
        return zoneinfo.ZoneInfo(user.timezone or platform)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(platform)


def compose(session: LiveSession, user: User, kind: str) -> tuple[str, str]:
    """(subject, body) of ``kind``'s reminder to ``user``, in their language and time zone."""
    with in_language_of(user), timezone.override(_zone(user)):
        title = session.title
        if kind == ReminderKind.DAY:
            subject = _("Live session tomorrow: %(title)s") % {"title": title}
        else:
            subject = _("Live session starting soon: %(title)s") % {"title": title}
        starts = timezone.localtime(session.starts_at)
        body = render_to_string(
            "live/email/reminder.txt",
            {
                "name": user.get_full_name() or user.get_username(),
                "title": title,
                "when": formats.date_format(starts, "DATETIME_FORMAT"),
                "zone": str(starts.tzinfo),
                "minutes": int((session.planned_end - session.starts_at).total_seconds() // 60),
                "conference_url": session.conference_url,
                "url": absolute_url("live:session", pk=session.pk),
            },
        )
    return subject, body
