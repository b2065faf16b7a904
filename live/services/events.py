"""Numbering and storing a session's events: the one place ``seq`` moves.

``record`` runs on a session row the caller locked (``core.locking.lock``): it bumps ``seq``,
stores the state when it changed, and keeps the ``LiveEvent`` the replay reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.locking import lock
from live import rights
from live.models import LiveEvent, LiveSession, SessionStatus
from live.services.errors import LiveError
from live.services.state import compact


def t_ms(session: LiveSession, now: datetime) -> int:
    """Milliseconds since the session started (0 before)."""
    if session.started_at is None:
        return 0
    return max(0, int((now - session.started_at).total_seconds() * 1000))


def record(
    session: LiveSession,
    *,
    kind: str,
    by,
    now: datetime,
    payload: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
) -> LiveEvent:
    """Store the next event of the locked ``session``; with ``state``, the room's new state
    too (saved on the session, and kept without drawings on the event)."""
    session.seq += 1
    fields = ["seq", "updated_at"]
    if state is not None:
        session.state = state
        fields.append("state")
    session.save(update_fields=fields)
    event = LiveEvent.objects.create(
        session=session,
        seq=session.seq,
        t_ms=t_ms(session, now),
        kind=kind,
        payload=payload or {},
        state=compact(session.state) if state is not None else None,
        actor=by if getattr(by, "pk", None) else None,
        created_at=now,
    )
    return event


def locked_session(session: LiveSession, *, live: bool = True) -> LiveSession:
    """``session`` read afresh under a row lock (inside ``transaction.atomic``); with
    ``live``, refused unless it is running."""
    fresh = lock(session)
    if live and fresh.status != SessionStatus.LIVE:
        raise LiveError("not_live", _("The session is not running."))
    return fresh


def locked_for_host(session: LiveSession, by) -> LiveSession:
    fresh = locked_session(session)
    if not rights.is_host(by, fresh):
        raise LiveError("not_host", _("Only the session's hosts may do this."))
    return fresh


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()
