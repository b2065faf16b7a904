"""The room: starting and ending a session, and the hosts' actions on its state.

Server-authoritative: every action locks the session row, checks that the actor is a host (and
the driver) on that fresh row, checks every value (``live.services.state``), stores the new
state with the next ``seq`` and a ``LiveEvent``. The consumer only forwards what comes back.

Public functions (keyword-only; ``now`` defaults to the server's clock):
    session_start(*, session, by, now=None) -> LiveEvent
    session_end(*, session, by, now=None) -> LiveEvent
    apply_host_action(*, session, by, action, now=None) -> (state, LiveEvent | None)
        actions: loop, play, pause, seek, step, rate, ab, reveal, pointer, draw, clear, drive
        (``pointer`` returns no event when it is not stored: at most 5 a second are)
    host_presence(*, session, user, online, now=None) -> LiveEvent | None
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cases.models import Annotation, CaseLoop
from cineloops.models import CineLoop
from live import conf, rights
from live.clock import epoch_ms
from live.models import TRANSITIONS, AgendaItem, EventKind, LiveEvent, LiveSession, SessionStatus
from live.services import state as room_state
from live.services.errors import LiveError
from live.services.events import locked_for_host, locked_session, now_or, record


def session_start(*, session: LiveSession, by, now: datetime | None = None) -> LiveEvent:
    """Open the room: the session goes live with ``by`` driving, on the agenda's first loop."""
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_session(session, live=False)
        if not rights.may_manage(by, fresh):
            raise LiveError("forbidden", _("You may not start this session."))
        if SessionStatus.LIVE not in TRANSITIONS[fresh.status]:
            raise LiveError("not_scheduled", _("This session cannot start: it is not scheduled."))
        fresh.status, fresh.started_at = SessionStatus.LIVE, now
        fresh.save(update_fields=["status", "started_at", "updated_at"])
        at_ms = epoch_ms(now)
        state = room_state.blank_state(driver=by.pk, at_ms=at_ms)
        first = agenda_loops(fresh)[:1]
        if first:
            state = room_state.show_loop(state, first[0], now_ms=at_ms)
        event = record(fresh, kind=EventKind.START, by=by, now=now, state=state)
    _copy(fresh, session)
    return event


def session_end(*, session: LiveSession, by, now: datetime | None = None) -> LiveEvent:
    """Close the room: an open poll closes with its results, attendance stops counting."""
    from live.services.attendance import close_all
    from live.services.polls import close_open_poll

    now = now_or(now)
    with transaction.atomic():
        fresh = locked_session(session)
        if not rights.may_manage(by, fresh):
            raise LiveError("forbidden", _("You may not end this session."))
        close_open_poll(fresh, by=by, now=now)
        state = dict(fresh.state)
        state.update(
            frame=room_state.frame_at(state, epoch_ms(now)),
            at_ms=epoch_ms(now),
            playing=False,
            host_online=False,
            pointer=None,
        )
        fresh.status, fresh.ended_at = SessionStatus.ENDED, now
        fresh.save(update_fields=["status", "ended_at", "updated_at"])
        close_all(fresh, now=now)
        event = record(fresh, kind=EventKind.END, by=by, now=now, state=state)
    _copy(fresh, session)
    return event


def apply_host_action(
    *, session: LiveSession, by, action: Any, now: datetime | None = None
) -> tuple[dict[str, Any], LiveEvent | None]:
    """Apply one host action (``{"action": name, ...}``) and return the new state and its
    event. Refused (``LiveError``) unless ``by`` is a host of the running session and — but for
    ``drive`` — the one driving; every value is checked."""
    now = now_or(now)
    if not isinstance(action, dict) or action.get("action") not in room_state.HOST_ACTIONS:
        raise LiveError("unknown_action", _("This room action does not exist."))
    name = action["action"]
    if name == "pointer":
        return _pointer(session, by, action, now)
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        current = fresh.state
        at_ms = epoch_ms(now)
        if name == "drive":
            state = {**current, "driver": by.pk, "host_online": True}
            event = record(fresh, kind=EventKind.DRIVE, by=by, now=now, state=state)
            return state, event
        if current.get("driver") not in (None, by.pk):
            raise LiveError("not_driver", _("Another host is driving: take the controls first."))
        if name == "loop":
            loop = _agenda_loop(fresh, action)
            state = room_state.show_loop(current, loop, now_ms=at_ms)
            payload: dict[str, Any] = {"loop": loop}
        elif name == "reveal":
            annotation = _annotation(current, action.get("annotation"))
            if annotation["id"] in current["revealed"]:
                raise LiveError("invalid", _("This annotation is already shown."))
            state = {**current, "revealed": [*current["revealed"], annotation["id"]]}
            payload = {"annotation": annotation}
        else:
            state, name, payload = room_state.apply(current, action, now_ms=at_ms)
        state["driver"], state["host_online"] = by.pk, True
        event = record(fresh, kind=name, by=by, now=now, payload=payload, state=state)
    return state, event


def _pointer(
    session: LiveSession, by, action: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], LiveEvent | None]:
    """The pointer moves as often as the host's mouse; it is stored (an event with a ``seq``)
    at most ``POINTER_STORED_PER_SECOND`` times a second, for the replay. The check of the
    actor is the same as for every action, on a fresh read."""
    position = room_state.pointer(action)
    at_ms = epoch_ms(now)
    gap_ms = 1000 // conf.get("POINTER_STORED_PER_SECOND")
    fresh = LiveSession.objects.get(pk=session.pk)
    _check_driver(fresh, by)
    last = (fresh.state.get("pointer") or {}).get("at_ms", 0)
    if at_ms - last < gap_ms and position is not None:
        return {**fresh.state, "pointer": {**position, "at_ms": at_ms}}, None
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        _check_driver(fresh, by)
        stored = dict(position, at_ms=at_ms) if position else None
        state = {**fresh.state, "pointer": stored}
        event = record(
            fresh, kind=EventKind.POINTER, by=by, now=now, payload=position or {}, state=state
        )
    return state, event


def _check_driver(session: LiveSession, by) -> None:
    if session.status != SessionStatus.LIVE:
        raise LiveError("not_live", _("The session is not running."))
    if not rights.is_host(by, session):
        raise LiveError("not_host", _("Only the session's hosts may do this."))
    if session.state.get("driver") not in (None, by.pk):
        raise LiveError("not_driver", _("Another host is driving: take the controls first."))


def host_presence(
    *, session: LiveSession, user, online: bool, now: datetime | None = None
) -> LiveEvent | None:
    """The driving host's connection came back (``online``) or its last one closed: the room
    shows "host reconnecting" and keeps everything else. Nothing for anyone else."""
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_session(session, live=False)
        state = fresh.state
        if fresh.status != SessionStatus.LIVE or state.get("driver") != user.pk:
            return None
        if bool(state.get("host_online")) == online:
            return None
        kind = EventKind.HOST_ONLINE if online else EventKind.HOST_OFFLINE
        changed = {**state, "host_online": online}
        if not online:
            changed["pointer"] = None
        return record(fresh, kind=kind, by=user, now=now, state=changed)


# --- the agenda's loops ----------------------------------------------------------------------


def loop_descriptor(loop: CineLoop, *, case_id: int | None, item_id: int) -> dict[str, Any]:
    """What clients need to show and clamp a loop (frames, rate, size)."""
    return {
        "id": loop.pk,
        "item": item_id,
        "case": case_id,
        "frames": int(loop.frames or 0),
        "fps": float(loop.fps or 0),
        "columns": loop.columns,
        "rows": loop.rows,
    }


def agenda_loops(session: LiveSession) -> list[dict[str, Any]]:
    """Every loop the agenda offers, in agenda order (a case item gives its loops in the case's
    order); only ready loops with frames and a frame rate."""
    items = list(AgendaItem.objects.filter(session=session).select_related("loop"))
    case_ids = [item.case_id for item in items if item.case_id]
    by_case: dict[int, list[CineLoop]] = {}
    for link in CaseLoop.objects.filter(case_id__in=case_ids).select_related("loop"):
        by_case.setdefault(link.case_id, []).append(link.loop)
    found = []
    for item in items:
        loops = [item.loop] if item.loop is not None else by_case.get(item.case_id or 0, [])
        for loop in loops:
            if loop.status == CineLoop.Status.READY and loop.frames and loop.fps:
                found.append(loop_descriptor(loop, case_id=item.case_id, item_id=item.pk))
    return found


def _agenda_loop(session: LiveSession, action: dict[str, Any]) -> dict[str, Any]:
    loop_id = room_state.integer(action.get("loop"), "loop")
    item_id = action.get("item")
    for loop in agenda_loops(session):
        if loop["id"] == loop_id and (item_id is None or loop["item"] == item_id):
            return loop
    raise LiveError("not_on_agenda", _("This loop is not on the session's agenda."))


def annotation_payload(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": annotation.pk,
        "kind": annotation.kind,
        "geometry": annotation.geometry,
        "label": annotation.label,
        "t_start": annotation.t_start,
        "t_end": annotation.t_end,
    }


def _annotation(state: dict[str, Any], value: Any) -> dict[str, Any]:
    annotation_id = room_state.integer(value, "annotation")
    loop = state.get("loop") or {}
    found = Annotation.objects.filter(
        pk=annotation_id, case_id=loop.get("case") or 0, loop_id=loop.get("id") or 0
    ).first()
    if found is None:
        raise LiveError("invalid", _("This annotation is not on the case shown."))
    return annotation_payload(found)


def _copy(fresh: LiveSession, session: LiveSession) -> None:
    """The caller's instance follows the stored row."""
    for field in ("status", "started_at", "ended_at", "state", "seq"):
        setattr(session, field, getattr(fresh, field))
