"""Quizzes: a fixed list of bank questions and/or random draws per tag, with their rules."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.scoping import ScopedContent, ScopedQuerySet
from quizzes.models.bank import Question, QuestionTag
from quizzes.models.choices import FeedbackPolicy, GradingMethod, QuizKind


class Quiz(ScopedContent):
    """Attached to a lesson, to a module, or to neither (a standalone exam)."""

    objects = ScopedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    kind = models.CharField(
        _("type"), max_length=20, choices=QuizKind.choices, default=QuizKind.PRACTICE
    )
    lesson = models.ForeignKey(
        "courses.Lesson",
        verbose_name=_("lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quizzes",
    )
    module = models.ForeignKey(
        "courses.Module",
        verbose_name=_("module"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quizzes",
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=20,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    feedback_policy = models.CharField(
        _("feedback"),
        max_length=20,
        choices=FeedbackPolicy.choices,
        default=FeedbackPolicy.AFTER_SUBMIT,
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    certainty_based = models.BooleanField(
        _("certainty-based marking"),
        default=False,
        help_text=_("Trainees rate their certainty; confident wrong answers cost marks."),
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lesson__isnull=True) | models.Q(module__isnull=True),
                name="quiz_one_attachment",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:detail", kwargs={"pk": self.pk})

    @property
    def description_html(self):
        return render_markdown(self.description)


class QuizItem(models.Model):
    """A question every attempt gets."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="items"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="quiz_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quiz_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} — {self.question}"


class QuizDraw(models.Model):
    """``count`` questions drawn at random, per attempt, from the bank questions with ``tag``
    (never one the quiz already lists, never the same twice)."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="draws"
    )
    tag = models.ForeignKey(
        QuestionTag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(_("number of questions"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")

    def __str__(self) -> str:
        return f"{self.count} x {self.tag}"
