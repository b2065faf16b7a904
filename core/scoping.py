"""Who may see and who may edit institution-scoped teaching content.

Content (courses, and later cases and quizzes) belongs to one institution and is either private
to it or shared with the whole teaching network. The rules live here, as ``Q`` objects, so that
every queryset — including those of child objects reached through a relation — applies the same
rules in SQL rather than in templates.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    INSTITUTION = "institution", _("My institution only")
    NETWORK = "network", _("Whole teaching network")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


_NOTHING = Q(pk__in=[])


def visible_q(user, prefix: str = "") -> Q:
    """Rows of scoped content that ``user`` may read.

    ``prefix`` is the relation path to the scoped object, e.g. ``"course__"`` for a module.
    Published content is readable by its institution, or by everyone when shared with the
    network; drafts only by those who may edit them.
    """
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    if user.is_site_admin:
        return Q()
    published = Q(**{f"{prefix}status": PublicationStatus.PUBLISHED})
    shared = Q(**{f"{prefix}visibility": Visibility.NETWORK})
    own = Q(**{f"{prefix}institution_id": user.institution_id}) if user.institution_id else _NOTHING
    return (published & (shared | own)) | editable_q(user, prefix)


def editable_q(user, prefix: str = "") -> Q:
    """Rows of scoped content that ``user`` may change: instructors edit their institution's."""
    if not getattr(user, "is_authenticated", False):
        return _NOTHING
    if user.is_site_admin:
        return Q()
    if user.can_author:
        return Q(**{f"{prefix}institution_id": user.institution_id})
    return _NOTHING


class ScopedQuerySet(models.QuerySet):
    """Queryset for models that carry ``institution``, ``visibility`` and ``status`` themselves,
    or through the relation named by ``scope_prefix``."""

    scope_prefix = ""

    def for_user(self, user):
        return self.filter(visible_q(user, self.scope_prefix))

    def editable_by(self, user):
        return self.filter(editable_q(user, self.scope_prefix))

    def published(self):
        return self.filter(**{f"{self.scope_prefix}status": PublicationStatus.PUBLISHED})


class ScopedContent(models.Model):
    """Abstract base for content owned by one institution."""

    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.INSTITUTION,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def is_visible_to(self, user) -> bool:
        return type(self).objects.filter(pk=self.pk).filter(visible_q(user)).exists()

    def is_editable_by(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return user.is_site_admin or (
            user.can_author and user.institution_id == self.institution_id
        )
