"""Write-side operations of live sessions, called by the room's consumer, pages, the API and
tasks. Every function takes keyword-only arguments and checks the caller's rights itself on
a fresh (locked) row.

Room operations raise ``LiveError`` (a stable ``code`` and a translated ``message``);
scheduling raises ``PermissionDenied`` / ``ValidationError`` as forms expect.
"""

from live.services.attendance import (
    attendance_join,
    attendance_leave,
    attendance_visibility,
)
from live.services.errors import CONFLICT_CODES, LiveError
from live.services.polls import poll_answer, poll_close, poll_open, poll_reveal
from live.services.room import apply_host_action, host_presence, session_end, session_start
from live.services.scheduling import (
    agenda_set,
    session_cancel,
    session_create,
    session_for_consult,
    session_update,
)
from live.services.talk import (
    chat_hide,
    chat_post,
    participant_mute,
    participant_unmute,
    question_answered,
    question_ask,
    question_hide,
    question_upvote,
)

__all__ = [
    "CONFLICT_CODES",
    "LiveError",
    "agenda_set",
    "apply_host_action",
    "attendance_join",
    "attendance_leave",
    "attendance_visibility",
    "chat_hide",
    "chat_post",
    "host_presence",
    "participant_mute",
    "participant_unmute",
    "poll_answer",
    "poll_close",
    "poll_open",
    "poll_reveal",
    "question_answered",
    "question_ask",
    "question_hide",
    "question_upvote",
    "session_cancel",
    "session_create",
    "session_end",
    "session_for_consult",
    "session_start",
    "session_update",
]
