"""The question bank: tagged questions reusable across quizzes.

A question's *answer key* — ``Option.is_correct``/``feedback``, ``Question.answer``,
``explanation`` — is private until the quiz's feedback policy allows it; only
``quizzes.payload`` decides what leaves the server.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.scoping import ScopedContent, ScopedQuerySet
from quizzes.models.choices import CategoryVocabulary, OverlapMetric, QuestionKind


class QuestionTag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")

    def __str__(self) -> str:
        return self.name


class Question(ScopedContent):
    """One question of the bank.

    ``answer`` holds the kind's key, checked by ``quizzes.validation``:
    numeric ``{"value": 12.5}``; hotspot and drawn ``{"kind": "ellipse"|"polygon",
    "geometry": {...}}`` in the loop's original pixels (``cases.geometry``); time point
    ``{"time_s": 14.2}``; category ``{"value": "LR-5"}``. Choice and ordering questions keep
    their key in their options (``is_correct``; for ordering, ``order`` is the right order).
    Free text has no key: an instructor grades it against ``rubric``.
    """

    objects = ScopedQuerySet.as_manager()

    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("Short name shown in the bank and in analyses.")
    )
    prompt = models.TextField(_("question"), help_text=_("Markdown."))
    explanation = models.TextField(_("explanation"), blank=True, help_text=_("Markdown."))
    points = models.FloatField(_("points"), default=1.0)
    tags = models.ManyToManyField(
        QuestionTag, verbose_name=_("tags"), blank=True, related_name="questions"
    )
    # The case whose loop the question shows (annotations hidden) and whose annotated version
    # the explanation may reveal.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
    )
    frame_time_s = models.FloatField(
        _("frame shown (s)"),
        null=True,
        blank=True,
        help_text=_("For hotspot and outline questions: the moment of the loop to answer on."),
    )
    answer = models.JSONField(_("answer key"), default=dict, blank=True)
    tolerance = models.FloatField(
        _("tolerance"),
        null=True,
        blank=True,
        help_text=_("Numeric and time-point questions: accepted distance from the key, ±."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    partial_credit = models.BooleanField(
        _("partial credit"),
        default=False,
        help_text=_("Multiple choice and ordering: partial credit, not all-or-nothing."),
    )
    overlap_metric = models.CharField(
        _("overlap measure"),
        max_length=10,
        choices=OverlapMetric.choices,
        default=OverlapMetric.IOU,
    )
    overlap_threshold = models.FloatField(
        _("overlap threshold"),
        null=True,
        blank=True,
        help_text=_("Outline questions: the overlap (0 to 1) from which the outline is correct."),
    )
    vocabulary = models.CharField(
        _("category list"), max_length=30, choices=CategoryVocabulary.choices, blank=True
    )
    rubric = models.TextField(
        _("rubric"), blank=True, help_text=_("Free-text questions: what a full answer contains.")
    )

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.title

    @property
    def prompt_html(self):
        return render_markdown(self.prompt)

    @property
    def explanation_html(self):
        return render_markdown(self.explanation)


class Option(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.CharField(_("feedback"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text
