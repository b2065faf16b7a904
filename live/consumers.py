"""The room's websocket: thin — it admits, translates messages into service calls and sends
what they return to the right group. Every rule lives in ``live.services``; the protocol is
``live/PROTOCOL.md``.

A socket is admitted when its user is signed in and in the session's audience, and the session
is scheduled or running (else it is closed with 4403, 4404 or 4410). It then joins its groups,
counts as attending, and receives the whole room (``sync``) — late joiners and reconnecting
clients resynchronise at once. Each message is ``{"type": …}``; anything wrong (too large, not
JSON, NaN, an unknown type, a refused action) answers ``{"type": "error", "code", "message"}``
to the sender only, in their language, and the socket stays open.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from live import broadcast, conf, messages, rights, services
from live.clock import epoch_ms
from live.models import LiveSession
from live.selectors import poll_results, room_snapshot
from live.services.errors import LiveError

logger = logging.getLogger(__name__)


class BadMessage(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python would accept them


def _language(scope: dict[str, Any], user) -> str:
    """The user's chosen language, else their browser's (as pages decide)."""
    if getattr(user, "preferred_language", ""):
        return user.preferred_language
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LiveConsumer(AsyncJsonWebsocketConsumer):
    session: LiveSession
    groups: list[str]

    async def connect(self) -> None:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.user = self.scope.get("user")
        self.language = _language(self.scope, self.user)
        self.visible = True
        self.joined = False
        self.groups = []
        self._ref: str | None = None
        await self.accept()
        refusal = await database_sync_to_async(self._admission)()
        if refusal:
            await self.close(code=refusal)
            return
        self.groups = [
            broadcast.everyone(self.session_id),
            broadcast.user(self.session_id, self.user.pk),
        ]
        if self.host:
            self.groups.append(broadcast.hosts(self.session_id))
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        _attendance, event = await self._call(
            services.attendance_join, session=self.session, user=self.user
        ) or (None, None)
        self.joined = True
        if event is not None:
            await self._to_everyone(messages.event_message(event))
        await self._send_snapshot()

    def _admission(self) -> int:
        """0 when the socket may stay, else the close code."""
        if not getattr(self.user, "is_authenticated", False):
            return broadcast.CLOSE_FORBIDDEN
        session = LiveSession.objects.filter(pk=self.session_id).first()
        if session is None:
            return broadcast.CLOSE_NOT_FOUND
        if not rights.may_join(self.user, session):
            return broadcast.CLOSE_FORBIDDEN
        if not session.is_open:
            return broadcast.CLOSE_OVER
        self.session = session
        self.host = rights.is_host(self.user, session)
        return 0

    async def disconnect(self, code: int) -> None:
        if self.joined:
            self.joined = False
            _attendance, event = await self._call(
                services.attendance_leave,
                session=self.session,
                user=self.user,
                visible=self.visible,
            ) or (None, None)
            if event is not None:
                await self._to_everyone(messages.event_message(event))
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    # --- receiving ----------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        ref = self._ref = None
        try:
            if text_data is None:
                raise BadMessage("binary")
            if len(text_data.encode()) > conf.get("MAX_MESSAGE_BYTES"):
                raise BadMessage("too_large")
            try:
                content = json.loads(text_data, parse_constant=_refuse_constant)
            except ValueError as error:
                raise BadMessage("bad_json") from error
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                raise BadMessage("bad_message")
            if isinstance(content.get("ref"), str) and len(content["ref"]) <= 64:
                ref = content["ref"]
            handler = self.HANDLERS.get(content["type"])
            if handler is None:
                raise BadMessage("unknown_type")
        except BadMessage as bad:
            await self._error(bad.code, self._bad_message_text(bad.code), ref)
            return
        if not self.joined:
            return
        self._ref = ref
        await handler(self, content)

    def _bad_message_text(self, code: str) -> str:
        with translation.override(self.language):
            if code == "too_large":
                return _("This message is too large.")
            if code == "unknown_type":
                return _("The room does not know this kind of message.")
            return _("This message cannot be read.")

    async def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """Run a service in a worker thread, in the user's language; a refusal becomes an
        error to the sender only, and None."""
        try:
            return await database_sync_to_async(self._run)(fn, kwargs)
        except LiveError as error:
            await self._error(error.code, error.message, self._ref)
        except Exception:  # never let one message take the socket down
            logger.exception("live room %s: %s failed", self.session_id, fn.__name__)
            with translation.override(self.language):
                await self._error("server_error", _("Something went wrong; try again."), None)
        return None

    def _run(self, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """``fn(**kwargs)`` with every refusal as a ``LiveError`` translated now."""
        with translation.override(self.language):
            try:
                return fn(**kwargs)
            except LiveError as error:
                error.message = str(error.message)
                raise
            except ValidationError as error:
                raise LiveError("invalid", " ".join(error.messages)) from error
            except PermissionDenied as error:
                raise LiveError("forbidden", str(error) or _("You may not do this.")) from error

    async def _error(self, code: str, message: Any, ref: str | None) -> None:
        await self.send_json(messages.error_message(code, str(message), ref))

    # --- the message types --------------------------------------------------------------------

    async def on_host(self, content: dict[str, Any]) -> None:
        result = await self._call(
            services.apply_host_action, session=self.session, by=self.user, action=content
        )
        if result is None:
            return
        state, event = result
        if event is None:
            await self._to_everyone(messages.pointer_message(state, self.user))
        else:
            await self._to_everyone(messages.event_message(event))

    async def on_start(self, content: dict[str, Any]) -> None:
        await self._event(services.session_start, session=self.session, by=self.user)

    async def on_end(self, content: dict[str, Any]) -> None:
        if await self._event(services.session_end, session=self.session, by=self.user):
            await self.channel_layer.group_send(
                broadcast.everyone(self.session_id), broadcast.close(broadcast.CLOSE_OVER)
            )

    async def on_poll_open(self, content: dict[str, Any]) -> None:
        await self._event(services.poll_open, session=self.session, by=self.user, spec=content)

    async def on_poll_close(self, content: dict[str, Any]) -> None:
        await self._event(services.poll_close, session=self.session, by=self.user)

    async def on_poll_reveal(self, content: dict[str, Any]) -> None:
        await self._event(
            services.poll_reveal, session=self.session, by=self.user, poll=content.get("poll")
        )

    async def on_poll_answer(self, content: dict[str, Any]) -> None:
        answer = await self._call(
            services.poll_answer,
            session=self.session,
            by=self.user,
            poll=content.get("poll"),
            value=content.get("value"),
        )
        if answer is None:
            return
        await self.send_json(messages.poll_answered_message(answer.poll_id, answer.value))
        results = await database_sync_to_async(poll_results)(answer.poll)
        await self.channel_layer.group_send(
            broadcast.hosts(self.session_id),
            broadcast.send(messages.poll_results_message(answer.poll, results)),
        )

    async def on_ask(self, content: dict[str, Any]) -> None:
        await self._event(
            services.question_ask, session=self.session, by=self.user, text=content.get("text")
        )

    async def on_upvote(self, content: dict[str, Any]) -> None:
        question = await self._call(
            services.question_upvote,
            session=self.session,
            by=self.user,
            question=content.get("question"),
        )
        if question is not None:
            await self._to_everyone(messages.question_message(question))

    async def on_answered(self, content: dict[str, Any]) -> None:
        await self._event(
            services.question_answered,
            session=self.session,
            by=self.user,
            question=content.get("question"),
        )

    async def on_hide_question(self, content: dict[str, Any]) -> None:
        await self._event(
            services.question_hide,
            session=self.session,
            by=self.user,
            question=content.get("question"),
        )

    async def on_chat(self, content: dict[str, Any]) -> None:
        message = await self._call(
            services.chat_post, session=self.session, by=self.user, text=content.get("text")
        )
        if message is not None:
            await self._to_everyone(messages.chat_message(message))

    async def on_hide_chat(self, content: dict[str, Any]) -> None:
        message = await self._call(
            services.chat_hide, session=self.session, by=self.user, message=content.get("message")
        )
        if message is not None:
            await self._to_everyone(messages.chat_hidden_message(message))

    async def on_mute(self, content: dict[str, Any]) -> None:
        mute = await self._call(
            services.participant_mute, session=self.session, by=self.user, user=content.get("user")
        )
        if mute is not None:
            await self._to_everyone(messages.mute_message(mute.user_id, True))

    async def on_unmute(self, content: dict[str, Any]) -> None:
        target = content.get("user")
        done = await self._call(_unmute, session=self.session, by=self.user, user=target)
        if done:
            await self._to_everyone(messages.mute_message(target, False))

    async def on_visibility(self, content: dict[str, Any]) -> None:
        visible = content.get("visible")
        if not isinstance(visible, bool):
            await self._error("invalid", self._bad_message_text("bad_message"), self._ref)
            return
        if visible == self.visible:
            return
        self.visible = visible
        await self._call(
            services.attendance_visibility, session=self.session, user=self.user, visible=visible
        )

    async def on_sync(self, content: dict[str, Any]) -> None:
        await self._send_snapshot()

    async def on_ping(self, content: dict[str, Any]) -> None:
        pong: dict[str, Any] = {"type": "pong", "server_ms": epoch_ms(timezone.now())}
        if self._ref is not None:
            pong["ref"] = self._ref
        await self.send_json(pong)

    HANDLERS: dict[str, Callable[[LiveConsumer, dict[str, Any]], Awaitable[None]]] = {
        "host": on_host,
        "start": on_start,
        "end": on_end,
        "poll_open": on_poll_open,
        "poll_close": on_poll_close,
        "poll_reveal": on_poll_reveal,
        "poll_answer": on_poll_answer,
        "ask": on_ask,
        "upvote": on_upvote,
        "answered": on_answered,
        "hide_question": on_hide_question,
        "chat": on_chat,
        "hide_chat": on_hide_chat,
        "mute": on_mute,
        "unmute": on_unmute,
        "visibility": on_visibility,
        "sync": on_sync,
        "ping": on_ping,
    }

    # --- sending ------------------------------------------------------------------------------

    async def _event(self, fn: Callable[..., Any], **kwargs: Any) -> bool:
        event = await self._call(fn, **kwargs)
        if event is None:
            return False
        await self._to_everyone(messages.event_message(event))
        return True

    async def _to_everyone(self, payload: dict[str, Any]) -> None:
        await self.channel_layer.group_send(
            broadcast.everyone(self.session_id), broadcast.send(payload)
        )

    async def _send_snapshot(self) -> None:
        snapshot = await self._call(room_snapshot, session=self.session, user=self.user)
        if snapshot is not None:
            await self.send_json(snapshot)

    # Group messages (``live.broadcast``).
    async def dispatch(self, message: dict[str, Any]) -> None:
        """Group messages go straight to their handler. Channels' own dispatch first closes
        stale database connections in the database thread, a thread hop per message: a change
        sent to a room queued one hop per socket on the process's single database thread
        (200 for 200 sockets), ahead of the next change's own database work. These handlers
        only write to the socket; the database calls (``_call``) close stale connections
        themselves."""
        if message["type"] == "live.send":
            await self.live_send(message)
        elif message["type"] == "live.close":
            await self.live_close(message)
        else:
            await super().dispatch(message)

    async def live_send(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])

    async def live_close(self, message: dict[str, Any]) -> None:
        await self.close(code=message.get("code", broadcast.CLOSE_OVER))

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return broadcast.encode(content)


def _unmute(*, session: LiveSession, by, user: Any) -> bool:
    services.participant_unmute(session=session, by=by, user=user)
    return True
