"""What participants write in a room: questions to the hosts (up-voted, answered) and chat;
the hosts' moderation (hidden messages, muted participants). Texts are plain: clients show them
with ``textContent``, never as HTML."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveQuestion(models.Model):
    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="questions",
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("asked"))
    votes = models.PositiveIntegerField(_("up-votes"), default=0)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["session_id", "created_at", "pk"]
        verbose_name = _("question in a session")
        verbose_name_plural = _("questions in sessions")

    def __str__(self) -> str:
        return self.text[:60]


class QuestionVote(models.Model):
    question = models.ForeignKey(
        LiveQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("question up-vote")
        verbose_name_plural = _("question up-votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="live_vote_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}:{self.user_id}"


class ChatMessage(models.Model):
    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="chat",
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("sent"))
    hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["session_id", "created_at", "pk"]
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")

    def __str__(self) -> str:
        return self.text[:60]


class Mute(models.Model):
    """A participant a host silenced in one session: no question, no chat."""

    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="mutes",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("muted by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("muted"))

    class Meta:
        verbose_name = _("muted participant")
        verbose_name_plural = _("muted participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="live_mute_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}"
