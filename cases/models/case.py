"""A teaching case: findings, diagnosis and its ordered cine loops; tags; published history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from cases import conf
from cases.models.choices import CaseStatus, Certainty, Difficulty, Modality, Organ, Proof
from cases.models.findings import CeusContrast, CeusFindings
from core.markdown import render_markdown
from core.scoping import ScopedContent, ScopedQuerySet, visible_q


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="cases_tag_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class CaseQuerySet(ScopedQuerySet):
    def in_review(self) -> CaseQuerySet:
        return self.filter(status=CaseStatus.IN_REVIEW)

    def awaiting_review_by(self, user) -> CaseQuerySet:
        """Cases in review that ``user`` may approve or return (``cases.reviewers``)."""
        from cases.reviewers import independent_reviewer_q

        return self.in_review().filter(independent_reviewer_q(user))

    def open_to(self, user) -> CaseQuerySet:
        """What ``user`` may open: ``for_user`` plus the cases in review they may review
        (a partner centre's instructor reads them before publication, never edits them).
        The library lists ``for_user`` only: its cached grids are shared by scope."""
        from cases.reviewers import review_scope_q

        visible = visible_q(user)
        if not visible:  # Q(): every row (a site admin), which an OR would make vanish
            return self.all()
        return self.filter(visible | (Q(status=CaseStatus.IN_REVIEW) & review_scope_q(user)))


def _default_dynamic_range() -> float:
    return conf.dynamic_range_db()


class Case(ScopedContent, CeusContrast, CeusFindings):
    """One CEUS teaching case owned by an institution (see ``core.scoping`` for who sees it).

    Its contrast (agent, dose, injection time) and findings (enhancement per phase, wash-out,
    category) are ``CeusContrast`` and ``CeusFindings``, shared with consultations."""

    Status = CaseStatus
    # Free-text fields checked for patient identifiers on every save (``cases.phi``).
    FREE_TEXT_FIELDS = (
        "title",
        "contrast_agent",
        "contrast_dose",
        "clinical_history",
        "category",
        "final_diagnosis",
        "teaching_points",
        "references",
    )

    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    organ = models.CharField(_("organ system"), max_length=30, choices=Organ.choices)
    modality = models.CharField(
        _("modality"), max_length=20, choices=Modality.choices, default=Modality.CEUS
    )
    dynamic_range_db = models.FloatField(
        _("display dynamic range (dB)"),
        default=_default_dynamic_range,
        validators=[MinValueValidator(10), MaxValueValidator(120)],
        help_text=_("Used to turn grey levels back into echo power for time-intensity curves."),
    )
    clinical_history = models.TextField(_("clinical history"), blank=True, help_text=_("Markdown."))

    final_diagnosis = models.CharField(_("final diagnosis"), max_length=300, blank=True)
    proof = models.CharField(_("proof"), max_length=20, choices=Proof.choices, blank=True)
    certainty = models.CharField(
        _("diagnostic certainty"), max_length=20, choices=Certainty.choices, blank=True
    )
    teaching_points = models.TextField(_("teaching points"), blank=True, help_text=_("Markdown."))
    references = models.TextField(_("references"), blank=True, help_text=_("Markdown."))
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.INTERMEDIATE
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="cases")
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("authors"),
        blank=True,
        related_name="authored_cases",
    )

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("review date"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Exam material: never listed, refused to trainees outside the attempts that use it
    # (``cases.access``).
    assessment_only = models.BooleanField(
        _("for assessment only"),
        default=False,
        help_text=_(
            "Never listed in the library or search; trainees see its loops only inside the "
            "quizzes that use it. Authors and reviewers still open it."
        ),
    )

    # Title, diagnosis, findings and tags in one column, rebuilt by the services on every save:
    # what full-text search (PostgreSQL) or substring search (SQLite) looks at.
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="cases_case_status_created"),
            # Covers the visibility rule (core.scoping): the library's count reads only this.
            models.Index(fields=["status", "visibility", "institution"], name="cases_case_scope"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == CaseStatus.PUBLISHED

    @property
    def clinical_history_html(self) -> SafeString:
        return render_markdown(self.clinical_history)

    @property
    def teaching_points_html(self) -> SafeString:
        return render_markdown(self.teaching_points)

    @property
    def references_html(self) -> SafeString:
        return render_markdown(self.references)


class CaseLoop(models.Model):
    """A cine loop (or a still image: a one-frame loop) in a case, in teaching order."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="case_loops"
    )
    # Deleting a loop on the cine loop pages removes it from its cases too.
    loop = models.ForeignKey(
        "cineloops.CineLoop",
        verbose_name=_("cine loop"),
        on_delete=models.CASCADE,
        related_name="case_links",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    starts_after_injection_s = models.FloatField(
        _("starts after injection (s)"),
        null=True,
        blank=True,
        help_text=_(
            "For loops after the first: when the recording started, in seconds after the "
            "injection. Leave empty when unknown."
        ),
    )

    class Meta:
        ordering = ["case_id", "order", "pk"]
        verbose_name = _("case loop")
        verbose_name_plural = _("case loops")
        constraints = [
            models.UniqueConstraint(fields=["case", "loop"], name="cases_caseloop_unique_loop"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.loop_id}"


class RevisionEvent(models.TextChoices):
    PUBLISHED = "published", _("Published")
    EDITED = "edited", _("Edited")
    ANNOTATED = "annotated", _("Annotations changed")


class CaseRevision(models.Model):
    """What a published case looked like after a change, and who made it."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("number"))
    event = models.CharField(_("event"), max_length=20, choices=RevisionEvent.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["case_id", "-number"]
        verbose_name = _("case revision")
        verbose_name_plural = _("case revisions")
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="cases_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.number}"
