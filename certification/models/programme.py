"""Certification programmes and their versioned requirements."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certification.models.choices import ExamType, RequirementKind, RequirementStage
from core.markdown import render_markdown
from core.scoping import ScopedContent, ScopedQuerySet


class Programme(ScopedContent):
    """E.g. "CEUS Liver — Level 1". Owned by an institution like other content; directors of
    that institution (and site admins) manage it."""

    objects = ScopedQuerySet.as_manager()

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        default=36,
        help_text=_("How long a certificate stays valid; recertification renews it."),
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("certification programme")
        verbose_name_plural = _("certification programmes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("certification:programme", kwargs={"slug": self.slug})

    @property
    def description_html(self):
        return render_markdown(self.description)


class ProgrammeVersion(models.Model):
    """A set of requirements. Once ``published_at`` is set the version is frozen: changing the
    requirements means a new version, and certificates name the version they were issued on.
    Evidence counts only from ``counts_from`` (default: the version's publication), so quiz
    attempts and scans from before a version came into force do not count towards it."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    notes = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("in force from"), null=True, blank=True)
    counts_from = models.DateTimeField(
        _("evidence counts from"),
        null=True,
        blank=True,
        help_text=_("Records before this moment do not count. Empty: from the start."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programme_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.published_at is not None


class Requirement(models.Model):
    """One requirement of a version; which fields matter depends on ``kind``:

    - courses: ``courses`` (all of them complete);
    - quiz: ``quiz`` passed with at least ``min_score`` % (the quiz's pass mark when empty);
    - cases: ``count`` published cases reviewed, optionally of ``organ`` / ``category``;
    - scans: ``count`` approved, adequate logbook scans of ``exam_types`` (any when empty);
    - cme: ``hours`` of CME (completed lessons' estimated time);
    - prerequisite: a valid certificate of ``prerequisite``;
    - consults: ``count`` of the user's consultations answered by an expert centre (with the
      expert's feedback beside their own reading), optionally of ``organ``;
    - live_hours: ``hours`` of live teaching sessions attended with the room in view
      (``live.selectors.live_hours``).
    """

    version = models.ForeignKey(
        ProgrammeVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="requirements",
    )
    kind = models.CharField(_("type"), max_length=20, choices=RequirementKind.choices)
    stage = models.CharField(
        _("applies to"),
        max_length=20,
        choices=RequirementStage.choices,
        default=RequirementStage.BOTH,
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Empty: described automatically.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    courses = models.ManyToManyField(
        "courses.Course", verbose_name=_("courses"), blank=True, related_name="+"
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("quiz"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    min_score = models.PositiveSmallIntegerField(_("minimum score (%)"), null=True, blank=True)
    count = models.PositiveIntegerField(_("how many"), null=True, blank=True)
    organ = models.CharField(_("organ system"), max_length=30, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    exam_types = models.JSONField(_("exam types"), default=list, blank=True)
    hours = models.FloatField(_("hours"), null=True, blank=True)
    prerequisite = models.ForeignKey(
        Programme,
        verbose_name=_("required certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @staticmethod
    def exam_type_label(value: str) -> str:
        return dict(ExamType.choices).get(value, value)
