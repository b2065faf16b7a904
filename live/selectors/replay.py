"""A finished session's replay: the events in order, each with the room's state after it, so
a client drives the same viewer through the same sequence (and puts the questions on a
timeline). Hidden questions stay hidden."""

from __future__ import annotations

from typing import Any

from live.messages import person
from live.models import EventKind, LiveEvent, LiveQuestion, LiveSession
from live.services.state import blank_state


def replay(session: LiveSession) -> dict[str, Any]:
    """``{"duration_ms", "initial", "events": [{"seq", "t_ms", "kind", "actor", "payload",
    "state"}]}``; ``state`` is null for events that leave the playback alone (questions)."""
    hidden = set(
        LiveQuestion.objects.filter(session=session, hidden=True).values_list("pk", flat=True)
    )
    events = []
    for event in LiveEvent.objects.filter(session=session).select_related("actor").order_by("seq"):
        if event.kind == EventKind.QUESTION_HIDDEN:
            continue
        question = (event.payload or {}).get("question") or {}
        if question.get("id") in hidden:
            continue
        actor = event.actor
        events.append(
            {
                "seq": event.seq,
                "t_ms": event.t_ms,
                "kind": event.kind,
                "actor": person(actor) if actor else None,
                "payload": event.payload,
                "state": event.state,
            }
        )
    started, ended = session.started_at, session.ended_at
    duration = int((ended - started).total_seconds() * 1000) if started and ended else None
    initial = (
        events[0]["state"] if events and events[0]["state"] else blank_state(driver=None, at_ms=0)
    )
    return {"session": session.pk, "duration_ms": duration, "initial": initial, "events": events}
