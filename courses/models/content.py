"""What instructors author: courses, their modules and the lessons inside them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.markdown import render_markdown
from core.scoping import PublicationStatus, ScopedContent, ScopedQuerySet, editable_q


class CourseQuerySet(ScopedQuerySet):
    pass


class Course(ScopedContent):
    """A course owned by one institution; visibility and status come from ``ScopedContent``."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences.")
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    ordering = models.PositiveIntegerField(
        _("catalogue position"), default=0, help_text=_("Lower numbers are listed first.")
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["ordering", "title", "pk"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course_detail", kwargs={"slug": self.slug})

    @property
    def description_html(self) -> SafeString:
        return render_markdown(self.description)

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


class ModuleQuerySet(ScopedQuerySet):
    scope_prefix = "course__"

    def for_user(self, user):
        # Course visibility alone is not enough: a draft module of a published course stays
        # hidden from everyone who cannot edit the course.
        own_status = Q(status=PublicationStatus.PUBLISHED) | editable_q(user, self.scope_prefix)
        return super().for_user(user).filter(own_status)

    def live(self):
        """Modules published in themselves (the course's status is not considered)."""
        return self.filter(status=PublicationStatus.PUBLISHED)

    def published(self):
        return super().published().live()


class Module(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="modules"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        help_text=_("Modules of the same course a trainee must finish first."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["course_id", "order", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        indexes = [models.Index(fields=["course", "order"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    def is_editable_by(self, user) -> bool:
        return self.course.is_editable_by(user)


class LessonQuerySet(ScopedQuerySet):
    scope_prefix = "module__course__"

    def for_user(self, user):
        # A lesson is shown to learners only when it and its module are published.
        live = Q(status=PublicationStatus.PUBLISHED, module__status=PublicationStatus.PUBLISHED)
        return super().for_user(user).filter(live | editable_q(user, self.scope_prefix))

    def live(self):
        """Lessons that count for progress: the lesson and its module are published."""
        return self.filter(
            status=PublicationStatus.PUBLISHED, module__status=PublicationStatus.PUBLISHED
        )

    def published(self):
        return super().published().live()

    def in_course_order(self):
        return self.order_by("module__order", "module_id", "order", "pk")


class Lesson(models.Model):
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    order = models.PositiveIntegerField(_("order"), default=0)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["module_id", "order", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        indexes = [models.Index(fields=["module", "order"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:lesson_detail", kwargs={"pk": self.pk})

    @property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED

    @property
    def is_live(self) -> bool:
        return self.is_published and self.module.is_published

    def is_editable_by(self, user) -> bool:
        return self.module.course.is_editable_by(user)
