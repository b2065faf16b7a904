"""Attendance: who was in the room, how long, and how long with the tab in view.

The consumer calls ``attendance_join`` when a socket opens (counted as visible: a tab that
just opened the room is in view), ``attendance_visibility`` when the client reports its tab
hidden or shown, and ``attendance_leave`` when the socket closes (with the last visibility it
reported). Time counts only between the session's start and its end; ``session_end`` closes
every open interval at the end (``close_all``). The driving host's first and last socket
also tell the room the host is back or gone (``room.host_presence``).

Public functions (keyword-only):
    attendance_join(*, session, user, now=None) -> (Attendance, LiveEvent | None)
    attendance_leave(*, session, user, visible, now=None) -> (Attendance | None, LiveEvent | None)
    attendance_visibility(*, session, user, visible, now=None) -> Attendance | None
    close_all(session, *, now)
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from core.locking import lock
from live.models import Attendance, LiveEvent, LiveSession
from live.services.events import now_or
from live.services.room import host_presence


def _seconds(session: LiveSession, since: datetime | None, until: datetime) -> float:
    """The part of [since, until] inside the session's run."""
    if since is None or session.started_at is None:
        return 0.0
    start = max(since, session.started_at)
    end = min(until, session.ended_at) if session.ended_at else until
    return max(0.0, (end - start).total_seconds())


def _locked_row(session: LiveSession, user, now: datetime) -> Attendance:
    row = Attendance.objects.filter(session=session, user=user).first()
    if row is None:
        try:
            with transaction.atomic():
                row = Attendance.objects.create(session=session, user=user, first_joined=now)
        except IntegrityError:  # another socket of the same user created it just now
            pass
    return lock(Attendance, session=session, user=user)


def _drives(session: LiveSession, user) -> bool:
    return LiveSession.objects.filter(pk=session.pk, state__driver=user.pk).exists()


def attendance_join(
    *, session: LiveSession, user, now: datetime | None = None
) -> tuple[Attendance, LiveEvent | None]:
    now = now_or(now)
    with transaction.atomic():
        fresh = LiveSession.objects.get(pk=session.pk)
        row = _locked_row(fresh, user, now)
        if row.connections == 0:
            row.connected_since = now
        if row.visible_connections == 0:
            row.visible_since = now
        row.connections += 1
        row.visible_connections += 1
        row.save()
    event = None
    if _drives(session, user):
        event = host_presence(session=session, user=user, online=True, now=now)
    return row, event


def attendance_leave(
    *, session: LiveSession, user, visible: bool, now: datetime | None = None
) -> tuple[Attendance | None, LiveEvent | None]:
    now = now_or(now)
    with transaction.atomic():
        fresh = LiveSession.objects.get(pk=session.pk)
        row = Attendance.objects.filter(session=fresh, user=user).first()
        if row is None:
            return None, None
        row = lock(row)
        if visible and row.visible_connections:
            _hide(fresh, row, now)
        if row.connections:
            row.connections -= 1
            if row.connections == 0:
                row.connected_seconds += _seconds(fresh, row.connected_since, now)
                row.connected_since = None
                # Both intervals closed: active time is within connected time.
                row.active_seconds = min(row.active_seconds, row.connected_seconds)
        row.last_left = now
        row.save()
        gone = row.connections == 0
    event = None
    if gone and _drives(session, user):
        event = host_presence(session=session, user=user, online=False, now=now)
    return row, event


def _hide(session: LiveSession, row: Attendance, now: datetime) -> None:
    row.visible_connections -= 1
    if row.visible_connections == 0:
        row.active_seconds += _seconds(session, row.visible_since, now)
        row.visible_since = None


def attendance_visibility(
    *, session: LiveSession, user, visible: bool, now: datetime | None = None
) -> Attendance | None:
    """One socket's tab became ``visible`` or hidden (the consumer reports changes only)."""
    now = now_or(now)
    with transaction.atomic():
        fresh = LiveSession.objects.get(pk=session.pk)
        row = Attendance.objects.filter(session=fresh, user=user).first()
        if row is None or not row.connections:
            return None
        row = lock(row)
        if visible:
            if row.visible_connections == 0:
                row.visible_since = now
            row.visible_connections = min(row.visible_connections + 1, row.connections)
        elif row.visible_connections:
            _hide(fresh, row, now)
        row.save()
    return row


def close_all(session: LiveSession, *, now: datetime) -> None:
    """The session ended (``session.ended_at`` set): every open interval ends there, and the
    sockets still open count for nothing more."""
    for row in Attendance.objects.select_for_update().filter(session=session, connections__gt=0):
        row.connected_seconds += _seconds(session, row.connected_since, now)
        if row.visible_connections:
            row.active_seconds += _seconds(session, row.visible_since, now)
        row.active_seconds = min(row.active_seconds, row.connected_seconds)
        row.connections = row.visible_connections = 0
        row.connected_since = row.visible_since = None
        row.last_left = now
        row.save()
