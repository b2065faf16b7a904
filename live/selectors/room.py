"""What a client receives when it (re)connects: the whole room at once (``sync``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from cases.models import Annotation
from live import conf, rights
from live.clock import epoch_ms
from live.messages import chat_public, person, question_public
from live.models import ChatMessage, LiveQuestion, LiveSession, Mute, Poll, PollAnswer
from live.selectors.polls import poll_public, poll_results
from live.services.room import agenda_loops, annotation_payload


def room_snapshot(session: LiveSession, user, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything a client needs to show the room as it is now: the session, who the user is
    there, the full state (drawings included) with the annotations revealed, the agenda's
    loops, the open poll (with the user's answer; results for hosts), the visible questions
    and the latest chat."""
    now = now or timezone.now()
    session = LiveSession.objects.select_related("host").get(pk=session.pk)
    host = rights.is_host(user, session)
    state = dict(session.state)
    revealed = state.get("revealed") or []
    annotations = {a.pk: a for a in Annotation.objects.filter(pk__in=revealed)}
    hosts = [session.host, *session.co_hosts.all()]
    snapshot: dict[str, Any] = {
        "type": "sync",
        "seq": session.seq,
        "server_ms": epoch_ms(now),
        "session": {
            "id": session.pk,
            "title": session.title,
            "status": session.status,
            "starts_at": session.starts_at.isoformat(),
            "planned_end": session.planned_end.isoformat(),
            "conference_url": session.conference_url,
            "hosts": [person(h) for h in hosts],
        },
        "you": {
            **person(user),
            "host": host,
            "muted": Mute.objects.filter(session=session, user=user).exists(),
        },
        "state": state,
        "annotations": [
            annotation_payload(annotations[pk]) for pk in revealed if pk in annotations
        ],
        "agenda": agenda_loops(session),
        "poll": None,
        "questions": [
            question_public(q)
            for q in LiveQuestion.objects.filter(session=session, hidden=False)
            .select_related("author")
            .order_by("-votes", "created_at", "pk")
        ],
        "chat": [
            chat_public(m)
            for m in reversed(
                ChatMessage.objects.filter(session=session, hidden=False)
                .select_related("author")
                .order_by("-created_at", "-pk")[: conf.get("CHAT_BACKLOG")]
            )
        ],
    }
    if host:
        snapshot["muted"] = list(
            Mute.objects.filter(session=session).values_list("user_id", flat=True)
        )
    poll = Poll.objects.filter(pk=state.get("poll") or 0).select_related("loop").first()
    if poll is not None:
        public = poll_public(poll, reveal=host)
        mine = PollAnswer.objects.filter(poll=poll, user=user).values_list("value", flat=True)
        public["mine"] = mine.first()
        if host:
            public["results"] = poll_results(poll)
        snapshot["poll"] = public
    return snapshot
