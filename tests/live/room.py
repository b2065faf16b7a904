"""Websocket clients of a room for tests: each is a ``WebsocketCommunicator`` on the real
routing (``live.routing``) with its user in the scope, as ``AuthMiddlewareStack`` would put it.

Drive them inside one coroutine run by ``run`` (``async_to_sync``): the consumers' database
calls then run in the test's own thread and transaction, so plain ``django_db`` tests work.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from live.routing import websocket_urlpatterns

APP = URLRouter(websocket_urlpatterns)
TIMEOUT = 5


def run(scenario: Callable[[], Awaitable[Any]]) -> Any:
    return async_to_sync(scenario)()


class Client:
    """One participant's socket: ``send``, ``receive`` the next message, ``until`` a message of
    a type (skipping others, kept in ``seen``)."""

    def __init__(self, user, session, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.user = user
        self.communicator = WebsocketCommunicator(
            APP, f"/ws/live/{session.pk}/", headers=headers or []
        )
        self.communicator.scope["user"] = user
        self.seen: list[dict[str, Any]] = []
        self.sync: dict[str, Any] | None = None
        self.close_code: int | None = None

    async def connect(self) -> dict[str, Any] | None:
        """Open the socket; the ``sync`` it receives (None if the server closed it: see
        ``close_code``)."""
        connected, _ = await self.communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await self.communicator.receive_output(TIMEOUT)
        if first["type"] == "websocket.close":
            self.close_code = first.get("code")
            return None
        message = json.loads(first["text"])
        while message["type"] != "sync":
            self.seen.append(message)
            message = await self.receive()
        self.sync = message
        return message

    async def send(self, message: dict[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.communicator.send_to(text_data=text)

    async def receive(self) -> dict[str, Any]:
        output = await self.communicator.receive_output(TIMEOUT)
        if output["type"] == "websocket.close":
            self.close_code = output.get("code")
            return {"type": "closed", "code": output.get("code")}
        return json.loads(output["text"])

    async def until(self, message_type: str, **match: Any) -> dict[str, Any]:
        """The next message of ``message_type`` whose keys match ``match`` (others skipped)."""
        while True:
            message = await self.receive()
            self.seen.append(message)
            if message["type"] == message_type and all(
                message.get(k) == v for k, v in match.items()
            ):
                return message
            if message["type"] == "closed":
                raise AssertionError(f"closed ({message['code']}) before a {message_type}")

    async def event(self, kind: str) -> dict[str, Any]:
        return await self.until("event", kind=kind)

    async def nothing(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.2)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def gather(*awaitables: Awaitable[Any]) -> list[Any]:
    return list(await asyncio.gather(*awaitables))
