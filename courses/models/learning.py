"""What learning produces: cohorts run by directors, enrolments and lesson completions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import managed_q
from courses.models.content import Course, Lesson


class CohortQuerySet(models.QuerySet):
    def manageable_by(self, user):
        """Directors manage the cohorts of their own institution; site admins manage all."""
        return self.filter(managed_q(user))


class Cohort(models.Model):
    """A group of trainees at one institution who follow the same courses."""

    name = models.CharField(_("name"), max_length=200)
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("director"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directed_cohorts",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="cohorts"
    )
    courses = models.ManyToManyField(
        Course, verbose_name=_("courses"), blank=True, related_name="cohorts"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["institution", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="courses_cohort_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("courses:cohort_detail", kwargs={"pk": self.pk})


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user's enrolments in courses they can still see."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, course__in=Course.objects.for_user(user))


class Enrolment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        COHORT = "cohort", _("Cohort")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SELF
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    enrolled_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    # "Continue where you left off": the lesson last opened or completed.
    last_lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("last lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        # Most recently active first; never-opened enrolments last on every database.
        ordering = [F("last_activity_at").desc(nulls_last=True), "-enrolled_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="courses_enrolment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="lesson_completions",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson"], name="courses_lessoncompletion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.lesson}"
