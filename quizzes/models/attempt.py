"""Attempts and their answers. Scores are computed on the server only (``quizzes.scoring``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quizzes.models.bank import Question
from quizzes.models.choices import AttemptStatus, CertaintyLevel, SubmittedBy
from quizzes.models.quiz import Quiz


class AttemptQuerySet(models.QuerySet):
    """Whose attempts a member of staff sees: the rule is ``quizzes.results_access``."""

    def in_detail_for(self, user) -> AttemptQuerySet:
        """Attempts ``user`` may read answer by answer (their own institution's trainees)."""
        from quizzes.results_access import detail_attempts_q

        return self.filter(detail_attempts_q(user))

    def in_aggregate_for(self, user) -> AttemptQuerySet:
        """Attempts counted in ``user``'s aggregates (also other institutions' trainees on
        quizzes the user's institution owns)."""
        from quizzes.results_access import aggregate_attempts_q

        return self.filter(aggregate_attempts_q(user))


class Attempt(models.Model):
    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    # Seeds the shuffles and draws, so the same attempt always shows the same paper.
    seed = models.BigIntegerField(_("seed"))
    # The paper as drawn: [{"question": id, "points": float, "options": [option ids]}, ...]
    paper = models.JSONField(_("questions"), default=list)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.CharField(
        _("submitted how"), max_length=20, choices=SubmittedBy.choices, blank=True
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    max_score = models.FloatField(_("maximum score"), default=0)
    percent = models.FloatField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # True while a free-text answer waits for an instructor: score and pass are provisional.
    needs_grading = models.BooleanField(_("waiting for grading"), default=False)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "user", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_number_once"),
            # A trainee has at most one open attempt per quiz: two tabs get the same one.
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(status=AttemptStatus.IN_PROGRESS),
                name="one_open_attempt",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_open_deadline")]

    def __str__(self) -> str:
        return f"{self.quiz} — {self.user} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    response = models.JSONField(_("response"), null=True, blank=True)
    certainty = models.CharField(
        _("certainty"), max_length=10, choices=CertaintyLevel.choices, blank=True
    )
    saved_at = models.DateTimeField(_("saved"), auto_now=True)
    # Under the "immediately" feedback policy the trainee checks an answer to see its feedback;
    # from then on it cannot change.
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    # Filled when the attempt is submitted (or graded, for free text).
    score = models.FloatField(_("score"), null=True, blank=True)
    # Fraction of the question's credit earned, 0 to 1, before certainty-based marking.
    credit = models.FloatField(_("credit"), null=True, blank=True)
    is_correct = models.BooleanField(_("correct"), null=True, blank=True)
    # Measurements behind the score, e.g. {"distance_mm": 3.1} or {"overlap": 0.72}.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    grader_comment = models.TextField(_("grader's comment"), blank=True)

    class Meta:
        ordering = ["attempt", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt} — {self.question}"
