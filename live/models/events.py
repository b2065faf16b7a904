"""The replay log (``LiveEvent``) and each participant's attendance (``Attendance``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    START = "start", _("Session started")
    END = "end", _("Session ended")
    LOOP = "loop", _("Loop shown")
    PLAY = "play", _("Played")
    PAUSE = "pause", _("Paused")
    SEEK = "seek", _("Moved to a frame")
    STEP = "step", _("Stepped frames")
    RATE = "rate", _("Speed changed")
    AB = "ab", _("A/B loop")
    REVEAL = "reveal", _("Annotation revealed")
    POINTER = "pointer", _("Pointer")
    DRAW = "draw", _("Drawing")
    CLEAR = "clear", _("Drawings cleared")
    DRIVE = "drive", _("Host took the controls")
    HOST_OFFLINE = "host_offline", _("Host disconnected")
    HOST_ONLINE = "host_online", _("Host reconnected")
    POLL_OPEN = "poll_open", _("Poll opened")
    POLL_CLOSE = "poll_close", _("Poll closed")
    POLL_REVEAL = "poll_reveal", _("Poll answer revealed")
    QUESTION_ASKED = "question_asked", _("Question asked")
    QUESTION_ANSWERED = "question_answered", _("Question answered")
    QUESTION_HIDDEN = "question_hidden", _("Question hidden")


class LiveEvent(models.Model):
    """One numbered change of a session: what happened (``payload``), when (``t_ms`` since
    the session started), who did it, and the room's state after it (``state``, without the
    drawings; empty for events that leave the playback alone, such as questions)."""

    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="events",
    )  # fmt: skip
    seq = models.PositiveBigIntegerField(_("sequence number"))
    t_ms = models.BigIntegerField(_("time since start (ms)"))
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.JSONField(_("state after"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["session_id", "seq"]
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="live_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.kind}"


class Attendance(models.Model):
    """One participant's presence in one session (one row per user, hosts included).

    Connected time runs while the user has at least one socket open; active time while at
    least one of them reports its tab visible. Both count only between the session's start
    and end (a waiting room is not teaching), and active time never exceeds connected time.
    ``connections`` / ``visible_connections`` count the open sockets and visible tabs, with the
    moment the current interval began (``connected_since`` / ``visible_since``).
    """

    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="attendance",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="live_attendance",
    )
    first_joined = models.DateTimeField(_("first joined"))
    last_left = models.DateTimeField(_("last left"), null=True, blank=True)
    connections = models.PositiveIntegerField(_("open connections"), default=0)
    connected_since = models.DateTimeField(_("connected since"), null=True, blank=True)
    connected_seconds = models.FloatField(_("connected (s)"), default=0.0)
    visible_connections = models.PositiveIntegerField(_("visible tabs"), default=0)
    visible_since = models.DateTimeField(_("visible since"), null=True, blank=True)
    active_seconds = models.FloatField(_("active (s)"), default=0.0)
    poll_answers = models.PositiveIntegerField(_("polls answered"), default=0)

    class Meta:
        ordering = ["session_id", "first_joined", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}"
