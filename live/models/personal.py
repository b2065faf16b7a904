"""What live sessions keep per user: the reminders already sent (never twice) and the secret
token of their personal calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    DAY = "day", _("A day before")
    SOON = "soon", _("Shortly before")


class ReminderSent(models.Model):
    """One reminder e-mail of one session to one user: its row is the marker that it went out
    (unique, written in the transaction that sends)."""

    session = models.ForeignKey(
        "live.LiveSession", verbose_name=_("session"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["session", "user", "kind"], name="live_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.user_id}:{self.kind}"


class CalendarFeed(models.Model):
    """A user's personal calendar address: whoever holds the token reads their sessions, so
    it can be replaced (the old address stops working) or removed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="live_calendar",
    )  # fmt: skip
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user_id)
