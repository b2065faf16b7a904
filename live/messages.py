"""The messages of the room's protocol (``live/PROTOCOL.md``), built from what the services
return — the one place their shape is written, for the consumer and for pages or tasks that
publish (``live.broadcast``)."""

from __future__ import annotations

from typing import Any

from live.clock import epoch_ms
from live.models import ChatMessage, LiveEvent, LiveQuestion, Poll


def person(user) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.username}


def question_public(question: LiveQuestion) -> dict[str, Any]:
    return {
        "id": question.pk,
        "text": question.text,
        "author": person(question.author),
        "votes": question.votes,
        "answered": question.answered_at is not None,
        "asked_at": question.created_at.isoformat(),
    }


def chat_public(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "text": message.text,
        "author": person(message.author),
        "sent_at": message.created_at.isoformat(),
    }


def event_message(event: LiveEvent) -> dict[str, Any]:
    """A numbered change, to everyone: ``state`` is the room after it (without drawings;
    null when the playback did not change)."""
    return {
        "type": "event",
        "seq": event.seq,
        "t_ms": event.t_ms,
        "kind": event.kind,
        "actor": person(event.actor) if event.actor else None,
        "payload": event.payload,
        "state": event.state,
        "server_ms": epoch_ms(event.created_at),
    }


def pointer_message(state: dict[str, Any], by) -> dict[str, Any]:
    """A pointer move that was not stored (no ``seq``): show it, keep nothing."""
    pointer = state.get("pointer")
    return {
        "type": "pointer",
        "pointer": {"x": pointer["x"], "y": pointer["y"]} if pointer else None,
        "actor": by.pk,
    }


def question_message(question: LiveQuestion) -> dict[str, Any]:
    return {"type": "question", "question": question_public(question)}


def chat_message(message: ChatMessage) -> dict[str, Any]:
    return {"type": "chat", "message": chat_public(message)}


def chat_hidden_message(message: ChatMessage) -> dict[str, Any]:
    return {"type": "chat_hidden", "id": message.pk}


def mute_message(user_id: int, muted: bool) -> dict[str, Any]:
    return {"type": "muted", "user": user_id, "muted": muted}


def poll_results_message(poll: Poll, results: dict[str, Any]) -> dict[str, Any]:
    return {"type": "poll_results", "poll": poll.pk, "results": results}


def poll_answered_message(poll_id: int, value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "poll_answered", "poll": poll_id, "value": value}


def error_message(code: str, message: str, ref: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if ref is not None:
        data["ref"] = ref
    return data
