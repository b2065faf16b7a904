"""Polls on the image: a choice, a hotspot on the current frame, or a time point on the loop —
from the question bank (a ``quizzes.Question``, its key copied at opening) or made on the spot.

``options`` are ``[{"id": int, "text": str}]`` (bank option pks, or 1..n on the spot); ``key``
is private until revealed: choice ``{"options": [ids]}``, hotspot ``{"kind": "ellipse" |
"polygon", "geometry": {...}}`` in the loop's original pixels (``cases.geometry``), time point
``{"time_s": float, "tolerance": float}``; empty when the poll has no right answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PollKind(models.TextChoices):
    CHOICE = "choice", _("Choice")
    HOTSPOT = "hotspot", _("Hotspot on the frame")
    TIME_POINT = "time_point", _("Time point on the loop")


class Poll(models.Model):
    Kind = PollKind

    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="polls",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=PollKind.choices)
    multiple = models.BooleanField(_("several answers"), default=False)
    question = models.ForeignKey(
        "quizzes.Question",
        verbose_name=_("bank question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    prompt = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list, blank=True)
    key = models.JSONField(_("answer key"), default=dict, blank=True)
    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    frame = models.PositiveIntegerField(_("frame"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("key revealed"), null=True, blank=True)
    # The results as they stood at closing (``live.selectors.poll_results``).
    results = models.JSONField(_("results"), null=True, blank=True)

    class Meta:
        ordering = ["session_id", "opened_at", "pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.prompt[:60]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PollAnswer(models.Model):
    """A participant's answer (changeable while the poll is open): choice ``{"options":
    [ids]}``, hotspot ``{"x": 0-1, "y": 0-1}`` (normalised image coordinates), time point
    ``{"time_s": float}``; ``correct`` when the poll has a key."""

    poll = models.ForeignKey(
        Poll, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="answers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.JSONField(_("answer"))
    correct = models.BooleanField(_("correct"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["poll_id", "answered_at", "pk"]
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="live_poll_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.user_id}"
