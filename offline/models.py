"""Practice papers handed out for offline study, and the answers that came back from them.

An ``OfflinePaper`` is a practice quiz's paper (``quizzes.services.paper.build_paper``) drawn
for one trainee before any attempt exists, so that the quiz can be taken on a device without
a connection. The paper stays on the server: the device holds only its id and the questions
as the trainee sees them (options named by tokens keyed to the paper, never by their ids).

An ``OfflineSubmission`` is one set of answers the device sent back, named by an id the device
made up when the trainee finished (``client_id``): a resend of the same answers finds it and is
answered with the same scored attempt instead of scoring twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OfflinePaper(models.Model):
    # The page carries this id: unguessable, so one trainee cannot name another's paper.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="+"
    )
    seed = models.BigIntegerField(_("seed"))
    # As build_paper makes it: [{"question": id, "points": float, "options": [option ids]}, ...]
    paper = models.JSONField(_("questions"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When answers to it first came back; a new paper is drawn for the next save after that.
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("offline paper")
        verbose_name_plural = _("offline papers")
        constraints = [
            # One paper waiting per trainee and quiz: saving again hands out the same one.
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(used_at__isnull=True), name="one_unused_paper"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz_id} — {self.user_id} ({self.pk})"


class OfflineSubmission(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    client_id = models.UUIDField(_("id given by the device"))
    paper = models.ForeignKey(
        OfflinePaper, verbose_name=_("paper"), on_delete=models.CASCADE, related_name="submissions"
    )
    attempt = models.ForeignKey(
        "quizzes.Attempt",
        verbose_name=_("attempt"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    # Questions whose answer no longer fitted the question (an option deleted meanwhile).
    skipped = models.JSONField(_("answers left out"), default=list, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("offline submission")
        verbose_name_plural = _("offline submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="offline_submission_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.client_id}"
