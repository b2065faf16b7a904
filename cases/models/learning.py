"""What trainees produce in the library: bookmarks and real watch time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.case import Case


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_bookmarks",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="bookmarks"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="cases_bookmark_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"


class CaseWatch(models.Model):
    """Seconds of a case's loops a user really played, from the player's heartbeats.

    ``loop_seconds`` counts per loop (each capped at that loop's duration, so replaying one
    loop cannot stand in for another); ``watched_s`` is their sum.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="case_watches",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="watches"
    )
    loop_seconds = models.JSONField(_("seconds per loop"), default=dict, blank=True)
    positions = models.JSONField(_("last positions"), default=dict, blank=True)
    watched_s = models.FloatField(_("watched (s)"), default=0.0)
    last_beat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("watch record")
        verbose_name_plural = _("watch records")
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="cases_watch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.case_id}: {self.watched_s:.0f} s"
