"""What the session, room and replay pages embed: the agenda's loops in the case viewer's shape
(``cases.payload.loop_entry``, as the consult page does), and for the hosts the case
annotations they may reveal and the bank questions they may ask as polls. Participants get
no annotation and no poll key here: what is revealed comes through the room's socket."""

from __future__ import annotations

from typing import Any

from cases.models import Annotation, Case
from cases.payload import loop_entry
from cineloops.models import CineLoop
from live.clock import epoch_ms
from live.models import AgendaItem, LiveSession
from live.selectors.replay import replay
from live.services.polls import BANK_KINDS
from live.services.room import agenda_loops
from quizzes.models import Question, QuestionKind

BANK_LIMIT = 200
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE)


def agenda_lines(session: LiveSession) -> list[dict[str, Any]]:
    """The agenda as the session page lists it: each item's case title or loop label."""
    items = AgendaItem.objects.filter(session=session).select_related("case", "loop")
    return [
        {
            "order": index + 1,
            "case": item.case.title if item.case is not None else None,
            "loop": item.loop.display_label
            if item.loop is not None and item.case is None
            else None,
        }
        for index, item in enumerate(items)
    ]


def viewer_loops(session: LiveSession, user) -> list[dict[str, Any]]:
    """The agenda's loops ``user`` may see, in agenda order, each as the viewer reads it plus
    its agenda ``item`` and ``case`` (the room's state names a loop by both)."""
    descriptors = agenda_loops(session)
    visible = {
        loop.pk: loop
        for loop in CineLoop.objects.for_user(user).filter(pk__in={d["id"] for d in descriptors})
    }
    titles = dict(
        Case.objects.filter(pk__in={d["case"] for d in descriptors if d["case"]}).values_list(
            "pk", "title"
        )
    )
    entries = []
    for order, descriptor in enumerate(descriptors):
        loop = visible.get(descriptor["id"])
        if loop is None:
            continue
        entry = loop_entry(
            loop,
            order=order,
            caption=titles.get(descriptor["case"], "") if descriptor["case"] else "",
            injection_s=None,
            starts_after_injection_s=None,
            markers={},
        )
        entry.update(item=descriptor["item"], case=descriptor["case"])
        entries.append(entry)
    return entries


def host_tools(session: LiveSession, user, loops: list[dict[str, Any]]) -> dict[str, Any]:
    """For the hosts: the annotations of the agenda's cases on its loops (to reveal one by
    one) and the bank questions they may ask (choices anywhere; hotspot and time-point ones
    on an agenda loop)."""
    loop_ids = {entry["id"] for entry in loops}
    case_ids = {entry["case"] for entry in loops if entry["case"]}
    annotations = Annotation.objects.filter(case_id__in=case_ids, loop_id__in=loop_ids).order_by(
        "pk"
    )
    questions = (
        Question.objects.for_user(user)
        .filter(kind__in=list(BANK_KINDS))
        .order_by("-pk")
        .only("pk", "title", "kind", "loop_id")
    )
    bank = [
        {"id": q.pk, "title": q.title, "kind": q.kind, "loop": q.loop_id}
        for q in questions[: BANK_LIMIT * 2]
        if q.kind in CHOICE_KINDS or q.loop_id in loop_ids
    ][:BANK_LIMIT]
    return {
        "annotations": [
            {"id": a.pk, "kind": a.kind, "label": a.label, "loop": a.loop_id, "case": a.case_id}
            for a in annotations
        ],
        "bank": bank,
    }


def room_page(session: LiveSession, user, *, host: bool) -> dict[str, Any]:
    """The room page's data (``static/js/live-room.js``)."""
    loops = viewer_loops(session, user)
    data: dict[str, Any] = {"id": session.pk, "loops": loops, "host": host}
    if host:
        data |= host_tools(session, user, loops)
    return data


def replay_page(session: LiveSession, user) -> dict[str, Any]:
    """The replay page's data (``static/js/live-replay.js``): the loops, the events and the
    session's start on the server clock (the states' ``at_ms`` are on it)."""
    data = replay(session)
    data["loops"] = viewer_loops(session, user)
    data["started_ms"] = epoch_ms(session.started_at) if session.started_at else 0
    return data
