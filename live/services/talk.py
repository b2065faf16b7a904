"""Questions and chat in a room, and the hosts' moderation.

Participants (the audience, while the session runs) ask questions, up-vote others' (once, not
their own) and chat; hosts mark questions answered, hide questions and messages, mute and unmute
participants. Muted participants cannot post. Texts are plain (``state.plain_text``), at most
``MAX_TEXT`` characters, and rate-limited per user in the cache every process shares
(``core.ratelimit``): ``CHAT_RATE`` and ``QUESTION_RATE``.

Questions asked, answered and hidden are events (the replay's timeline); up-votes and chat are
not.

Public functions (keyword-only):
    question_ask(*, session, by, text, now=None) -> LiveEvent
    question_upvote(*, session, by, question) -> LiveQuestion
    question_answered(*, session, by, question, now=None) -> LiveEvent
    question_hide(*, session, by, question, now=None) -> LiveEvent
    chat_post(*, session, by, text, now=None) -> ChatMessage
    chat_hide(*, session, by, message) -> ChatMessage
    participant_mute(*, session, by, user, now=None) -> Mute
    participant_unmute(*, session, by, user) -> None
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import ratelimit
from live import conf, rights
from live.messages import question_public
from live.models import (
    ChatMessage,
    EventKind,
    LiveEvent,
    LiveQuestion,
    LiveSession,
    Mute,
    QuestionVote,
    SessionStatus,
)
from live.services import state as room_state
from live.services.errors import LiveError
from live.services.events import locked_for_host, locked_session, now_or, record


def _participant(session: LiveSession, by) -> LiveSession:
    """The session afresh, when ``by`` may post in it now."""
    fresh = LiveSession.objects.get(pk=session.pk)
    if fresh.status != SessionStatus.LIVE:
        raise LiveError("not_live", _("The session is not running."))
    if not rights.may_join(by, fresh):
        raise LiveError("forbidden", _("You are not in this session's audience."))
    return fresh


def _may_post(session: LiveSession, by, kind: str) -> None:
    if Mute.objects.filter(session=session, user=by).exists():
        raise LiveError("muted", _("A host has muted you in this session."))
    limit, window = conf.get(f"{kind.upper()}_RATE")
    wait = ratelimit.hit(
        key=f"live-{kind}:{session.pk}:{by.pk}", limit=limit, window_seconds=window
    )
    if wait:
        raise LiveError(
            "rate_limited", _("Too fast: wait %(seconds)d s, please.") % {"seconds": wait}
        )


def question_ask(*, session: LiveSession, by, text: Any, now: datetime | None = None) -> LiveEvent:
    now = now_or(now)
    cleaned = room_state.plain_text(text, "text", max_length=conf.get("MAX_TEXT"))
    fresh = _participant(session, by)
    _may_post(fresh, by, "question")
    with transaction.atomic():
        fresh = locked_session(fresh)
        question = LiveQuestion.objects.create(
            session=fresh, author=by, text=cleaned, created_at=now
        )
        return record(
            fresh,
            kind=EventKind.QUESTION_ASKED,
            by=by,
            now=now,
            payload={"question": question_public(question)},
        )


def _question(session: LiveSession, value: Any) -> LiveQuestion:
    question_id = room_state.integer(value, "question")
    question = (
        LiveQuestion.objects.filter(pk=question_id, session=session, hidden=False)
        .select_related("author")
        .first()
    )
    if question is None:
        raise LiveError("invalid", _("This question is not in this session."))
    return question


def question_upvote(*, session: LiveSession, by, question: Any) -> LiveQuestion:
    fresh = _participant(session, by)
    target = _question(fresh, question)
    if target.author_id == by.pk:
        raise LiveError("own_question", _("You cannot up-vote your own question."))
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=target, user=by)
            LiveQuestion.objects.filter(pk=target.pk).update(votes=F("votes") + 1)
    except IntegrityError as error:
        raise LiveError("already_voted", _("You have already up-voted this question.")) from error
    target.refresh_from_db(fields=["votes"])
    return target


def question_answered(
    *, session: LiveSession, by, question: Any, now: datetime | None = None
) -> LiveEvent:
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        target = _question(fresh, question)
        if target.answered_at is None:
            target.answered_at = now
            target.save(update_fields=["answered_at"])
        return record(
            fresh,
            kind=EventKind.QUESTION_ANSWERED,
            by=by,
            now=now,
            payload={"question": question_public(target)},
        )


def question_hide(
    *, session: LiveSession, by, question: Any, now: datetime | None = None
) -> LiveEvent:
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        target = _question(fresh, question)
        target.hidden = True
        target.save(update_fields=["hidden"])
        return record(
            fresh,
            kind=EventKind.QUESTION_HIDDEN,
            by=by,
            now=now,
            payload={"question": {"id": target.pk}},
        )


def chat_post(*, session: LiveSession, by, text: Any, now: datetime | None = None) -> ChatMessage:
    now = now_or(now)
    cleaned = room_state.plain_text(text, "text", max_length=conf.get("MAX_TEXT"))
    fresh = _participant(session, by)
    _may_post(fresh, by, "chat")
    return ChatMessage.objects.create(session=fresh, author=by, text=cleaned, created_at=now)


def chat_hide(*, session: LiveSession, by, message: Any) -> ChatMessage:
    message_id = room_state.integer(message, "message")
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        target = ChatMessage.objects.filter(pk=message_id, session=fresh).first()
        if target is None:
            raise LiveError("invalid", _("This message is not in this session."))
        target.hidden = True
        target.save(update_fields=["hidden"])
    return target


def _member(session: LiveSession, value: Any) -> User:
    user_id = room_state.integer(value, "user")
    user = User.objects.filter(pk=user_id).first()
    if user is None or not rights.may_join(user, session):
        raise LiveError("invalid", _("This person is not in this session's audience."))
    if rights.is_host(user, session):
        raise LiveError("invalid", _("Hosts cannot be muted."))
    return user


def participant_mute(*, session: LiveSession, by, user: Any, now: datetime | None = None) -> Mute:
    now = now_or(now)
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        target = _member(fresh, user)
        mute, _created = Mute.objects.get_or_create(
            session=fresh, user=target, defaults={"by": by, "created_at": now}
        )
    return mute


def participant_unmute(*, session: LiveSession, by, user: Any) -> None:
    with transaction.atomic():
        fresh = locked_for_host(session, by)
        target = _member(fresh, user)
        Mute.objects.filter(session=fresh, user=target).delete()
