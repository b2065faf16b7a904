"""Who may see and who may edit institution-scoped teaching content.

Content (courses, and later cases and quizzes) belongs to one institution and is either private
to it or shared with the whole teaching network. The rules live here, as ``Q`` objects, so that
every queryset — including those of child objects reached through a relation — applies the same
rules in SQL rather than in templates.
"""

from dataclasses import dataclass

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


def default_visibility(institution) -> str:
    """The visibility new content starts with: an expert centre teaches the whole network, so
    what it makes is shared by default; everyone else starts with their own institution."""
    from accounts.models import Institution

    if institution is not None and institution.level == Institution.Level.EXPERT_CENTRE:
        return Visibility.NETWORK
    return Visibility.INSTITUTION


class HiddenReason:
    """Why someone who sees an object cannot see something it uses."""

    INSTITUTION = "institution"
    UNPUBLISHED = "unpublished"
    NOT_READY = "not_ready"


def hidden_reason(owner, dependency) -> str:
    """Why ``dependency`` (scoped content: ``institution_id``, ``visibility``, ``status``) is
    shared less widely than ``owner`` will be once published, or "" when it is not.

    Everyone who sees ``owner`` must see ``dependency``: it must be published, and shared with
    the network unless ``owner`` stays in the dependency's own institution.
    """
    if dependency.status != PublicationStatus.PUBLISHED:
        return HiddenReason.UNPUBLISHED
    if dependency.visibility == Visibility.NETWORK:
        return ""
    if owner.visibility == Visibility.NETWORK or owner.institution_id != dependency.institution_id:
        return HiddenReason.INSTITUTION
    return ""


@dataclass(frozen=True)
class HiddenDependency:
    """Something an object uses that some of the object's readers will not see."""

    obj: models.Model
    kind: str  # "case", "question", … (translated)
    reason: str  # a ``HiddenReason``
    message: str  # the whole sentence, for the author
    editable: bool = False  # the user asking may share it (set its visibility to network)

    @property
    def shareable(self) -> bool:
        """Sharing it with the network would fix it (an unpublished one needs publishing)."""
        return self.editable and self.reason == HiddenReason.INSTITUTION

    @property
    def key(self) -> tuple[str, int]:
        return (self.obj._meta.label_lower, self.obj.pk)


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


def hidden_message(*, owner, noun: str, kind: str, dependency, reason: str) -> str:
    """The author's warning, e.g. "Trainees at other hospitals will see this quiz but not the
    case “Liver 3”, which only County Hospital can see." ``noun`` names ``owner``."""
    from django.utils.translation import gettext

    values = {"object": noun, "kind": kind, "title": str(dependency)}
    if reason == HiddenReason.UNPUBLISHED:
        return (
            gettext(
                "Trainees will see this %(object)s but not the %(kind)s “%(title)s”, which is not "
                "published yet."
            )
            % values
        )
    if reason == HiddenReason.NOT_READY:
        return (
            gettext(
                "Trainees will see this %(object)s but not the %(kind)s “%(title)s”, which is not "
                "ready yet."
            )
            % values
        )
    values["institution"] = str(dependency.institution)
    if owner.visibility == Visibility.NETWORK:
        return (
            gettext(
                "Trainees at other hospitals will see this %(object)s but not the %(kind)s "
                "“%(title)s”, which only %(institution)s can see."
            )
            % values
        )
    return (
        gettext(
            "Some trainees who see this %(object)s will not see the %(kind)s “%(title)s”, which "
            "only %(institution)s can see."
        )
        % values
    )


@dataclass(frozen=True)
class SharingResult:
    """What a "share those too" action changed, and what stays hidden (with why)."""

    shared: list[HiddenDependency]
    left: list[HiddenDependency]
