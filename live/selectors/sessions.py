"""Which sessions a user sees: those they may join, the upcoming ones, one with its people, the
list page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from live.models import LiveSession, LiveSessionQuerySet, SessionStatus
from live.rights import attendance_q, audience_q, managing_q


def joinable_sessions(user) -> LiveSessionQuerySet:
    """Every session ``user`` may join or replay (``live.rights.audience_q``)."""
    return LiveSession.objects.for_audience(user)


def with_people(sessions: QuerySet[LiveSession]) -> QuerySet[LiveSession]:
    return sessions.select_related("host", "institution", "consult").prefetch_related("co_hosts")


def upcoming_for(user, *, now: datetime | None = None) -> LiveSessionQuerySet:
    """Scheduled and running sessions ``user`` may join, soonest first (the dashboard)."""
    return joinable_sessions(user).upcoming(now or timezone.now())


def session_for(user, pk: int) -> LiveSession | None:
    """One session ``user`` may join, with its people, or None (a 404 for pages)."""
    return with_people(joinable_sessions(user)).filter(pk=pk).first()


@dataclass
class SessionsPage:
    """The list page: sessions running now, those to come (soonest first), those past (most
    recent first), and which of them the reader manages or reads the attendance of."""

    live: list[LiveSession]
    upcoming: list[LiveSession]
    past: list[LiveSession]
    managed: set[int]
    attendance: set[int]


PAST_SHOWN = 20


def sessions_page(user, *, now: datetime | None = None) -> SessionsPage:
    now = now or timezone.now()
    mine = with_people(LiveSession.objects.filter(audience_q(user) | attendance_q(user)))
    running = list(mine.filter(status=SessionStatus.LIVE).order_by("starts_at", "pk"))
    coming = list(
        mine.filter(status=SessionStatus.SCHEDULED, planned_end__gt=now).order_by("starts_at", "pk")
    )
    past = list(mine.filter(status=SessionStatus.ENDED).order_by("-ended_at", "-pk")[:PAST_SHOWN])
    ids = [s.pk for s in (*running, *coming, *past)]
    shown = LiveSession.objects.filter(pk__in=ids)
    managed = set(shown.filter(managing_q(user)).values_list("pk", flat=True))
    attendance = set(shown.filter(attendance_q(user)).values_list("pk", flat=True))
    return SessionsPage(running, coming, past, managed, attendance)


def visible_session(user, pk: int) -> LiveSession | None:
    """One session ``user`` may join, manage or read the attendance of (a 404 otherwise)."""
    q = audience_q(user) | attendance_q(user)
    return with_people(LiveSession.objects.filter(q)).filter(pk=pk).first()
