"""Groups of a room and sending to them: everyone in the session, its hosts, one user.

The consumer joins each socket to ``everyone`` (and ``hosts`` for hosts, ``user`` for its
user) and sends what the services return to these groups; pages or tasks that change a room
outside a socket (a start button, a cancellation) call ``publish`` after their transaction.
Group messages are ``{"type": "live.send", "text": <protocol message as JSON>}`` or
``{"type": "live.close", "code": <close code>}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

# Close codes a client must not reconnect after (see live/PROTOCOL.md).
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_OVER = 4410


def everyone(session_id: int) -> str:
    return f"live.{session_id}"


def hosts(session_id: int) -> str:
    return f"live.{session_id}.hosts"


def user(session_id: int, user_id: int) -> str:
    return f"live.{session_id}.u{user_id}"


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def send(payload: dict[str, Any]) -> dict[str, Any]:
    """A protocol message for a group, encoded once here rather than once per socket (a room
    of 500 would encode the same change 500 times)."""
    return {"type": "live.send", "text": encode(payload)}


def close(code: int) -> dict[str, Any]:
    return {"type": "live.close", "code": code}


async def apublish(layer, group: str, messages: Iterable[dict[str, Any]]) -> None:
    for message in messages:
        await layer.group_send(group, message)


def publish(group: str, *messages: dict[str, Any]) -> None:
    """Send group messages once the current transaction commits (at once outside one)."""

    def deliver() -> None:
        async_to_sync(apublish)(get_channel_layer(), group, messages)

    transaction.on_commit(deliver)
