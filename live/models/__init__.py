"""Live teaching sessions, by concern: ``session`` (the session, its audience and agenda),
``events`` (the replay log, attendance), ``polls`` and ``talk`` (questions, chat, mutes),
``personal`` (reminders sent, calendar feeds)."""

from live.models.events import Attendance, EventKind, LiveEvent
from live.models.personal import CalendarFeed, ReminderKind, ReminderSent
from live.models.polls import Poll, PollAnswer, PollKind
from live.models.session import (
    OPEN_STATUSES,
    TRANSITIONS,
    AgendaItem,
    Audience,
    LiveSession,
    LiveSessionQuerySet,
    SessionStatus,
)
from live.models.talk import ChatMessage, LiveQuestion, Mute, QuestionVote

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "AgendaItem",
    "Attendance",
    "Audience",
    "CalendarFeed",
    "ChatMessage",
    "EventKind",
    "LiveEvent",
    "LiveQuestion",
    "LiveSession",
    "LiveSessionQuerySet",
    "Mute",
    "Poll",
    "PollAnswer",
    "PollKind",
    "QuestionVote",
    "ReminderKind",
    "ReminderSent",
    "SessionStatus",
]
