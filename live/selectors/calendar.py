"""Sessions as iCalendar (RFC 5545, written by the ``icalendar`` library): a user's personal
feed (every session of their audience from a month back, cancelled ones marked CANCELLED) and
a single session's file.

Each VEVENT has a UID that stays the session's for ever (calendar programs update the event
in place when its time or status changes), DTSTART/DTEND in UTC, the title in the reader's
language, the session page's address and the conference link (LOCATION and DESCRIPTION).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core.mail import absolute_url
from live.models import LiveSession, SessionStatus
from live.selectors.sessions import joinable_sessions

# How far back the feed reaches: past sessions stay in the calendar for a while.
FEED_PAST = timedelta(days=31)
FEED_LIMIT = 500


def uid(session: LiveSession) -> str:
    """The event's identifier: the session's, on this platform's host name."""
    host = urlsplit(settings.PLATFORM_BASE_URL).hostname or "ceus-training"
    return f"live-session-{session.pk}@{host}"


def feed_sessions(user, *, now: datetime | None = None) -> list[LiveSession]:
    """The sessions of ``user``'s feed: their audience's, from ``FEED_PAST`` ago, soonest
    first, at most ``FEED_LIMIT``."""
    since = (now or timezone.now()) - FEED_PAST
    sessions = joinable_sessions(user).filter(planned_end__gte=since).order_by("starts_at", "pk")
    return list(sessions[:FEED_LIMIT])


def _event(session: LiveSession, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.planned_end.astimezone(UTC))
    event.add("summary", session.title)
    url = absolute_url("live:session", pk=session.pk)
    event.add("url", url)
    lines = [session.description] if session.description else []
    if session.conference_url:
        event.add("location", session.conference_url)
        lines.append(_("Sound: %(link)s") % {"link": session.conference_url})
    lines.append(_("Session page: %(link)s") % {"link": url})
    event.add("description", "\n\n".join(lines))
    event.add("last-modified", session.updated_at.astimezone(UTC))
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_ics(
    sessions: Iterable[LiveSession], *, language: str, name: str, now: datetime | None = None
) -> bytes:
    """``sessions`` as one iCalendar document, texts in ``language``."""
    stamp = (now or timezone.now()).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//CEUS Training//Live sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    with translation.override(language):
        calendar.add("x-wr-calname", name)
        for session in sessions:
            calendar.add_component(_event(session, stamp))
    return calendar.to_ical()
