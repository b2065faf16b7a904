"""Which sessions a user sees: those they may join, the upcoming ones, one with its people."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from live.models import LiveSession, LiveSessionQuerySet


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
