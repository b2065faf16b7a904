"""Who may see, edit and manage institution-scoped teaching content — the only copy of each rule.

Content (courses, cases, quizzes, questions, programmes, loops) belongs to one institution and
is either private to it or shared with the whole teaching network. Each rule is one ``Rule``
read both as a ``Q`` (so that every queryset, including those of child objects reached through
a relation, applies it in SQL) and as a predicate on a loaded row:

    acts_for(user, institution_id)          site admins act for every institution, others for
                                            their own (the check of every ``*_create``)
    may_edit(user, obj) / editable_q(user, prefix)   instructors: their institution's content
    may_manage(user, obj) / managed_q(user, prefix)  directors: their institution's cohorts,
                                                     programmes and certificates
    may_see(user, obj) / visible_q(user, prefix)     published and shared with the user's
                                                     institution, or editable by them
    shared_with_q(institution_id, prefix)   published and shared with that institution
    ScopedQuerySet.for_user / editable_by, ScopedContent.is_visible_to / is_editable_by
    consult_rule / consult_requester_rule / consult_expert_rule
                                            consultations: who reads them, who is the
                                            requesting side, who answers (``consults``)

Site admins pass every rule; anonymous users none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

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


# --- The rules ------------------------------------------------------------------------------
#
# Each rule is written once, as a ``Rule`` built for one user, and read two ways: ``q()`` for
# querysets (``editable_q``, ``ScopedQuerySet.editable_by`` …) and ``holds()`` for a row already
# in memory (``may_edit``, ``ScopedContent.is_editable_by`` …). Nobody writes the condition a
# second time, so the SQL and the Python cannot drift (``tests/core/test_scoping_matrix.py``
# walks every rule over users and rows and checks both readings agree).


class Rule:
    """A condition on rows that carry ``institution_id``, ``visibility`` and ``status``."""

    def q(self, prefix: str = "") -> Q:
        """The condition in SQL; ``prefix`` is the relation path to the scoped row."""
        raise NotImplementedError

    def holds(self, obj: Any) -> bool:
        """The condition on ``obj`` (a loaded row, or anything with the same attributes)."""
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        if other is EVERYTHING or self is NOTHING:
            return other
        if self is EVERYTHING or other is NOTHING:
            return self
        return _Either(self, other)

    def __and__(self, other: Rule) -> Rule:
        if other is NOTHING or self is EVERYTHING:
            return other
        if self is NOTHING or other is EVERYTHING:
            return self
        return _Both(self, other)


class _Everything(Rule):
    # Q() is "every row" alone but vanishes when ORed (``Q() | x`` is ``x``): ``Rule.__or__``
    # absorbs it before any Q is built.
    def q(self, prefix: str = "") -> Q:
        return Q()

    def holds(self, obj: Any) -> bool:
        return True


class _Nothing(Rule):
    def q(self, prefix: str = "") -> Q:
        return _NOTHING

    def holds(self, obj: Any) -> bool:
        return False


EVERYTHING: Rule = _Everything()
NOTHING: Rule = _Nothing()


@dataclass(frozen=True)
class _Equals(Rule):
    field: str
    value: object

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.field}": self.value})

    def holds(self, obj: Any) -> bool:
        return getattr(obj, self.field) == self.value


@dataclass(frozen=True)
class _Either(Rule):
    left: Rule
    right: Rule

    def q(self, prefix: str = "") -> Q:
        return self.left.q(prefix) | self.right.q(prefix)

    def holds(self, obj: Any) -> bool:
        return self.left.holds(obj) or self.right.holds(obj)


@dataclass(frozen=True)
class _Both(Rule):
    left: Rule
    right: Rule

    def q(self, prefix: str = "") -> Q:
        return self.left.q(prefix) & self.right.q(prefix)

    def holds(self, obj: Any) -> bool:
        return self.left.holds(obj) and self.right.holds(obj)


class _Owner(NamedTuple):
    """An institution as a row, to ask a rule about content it would own."""

    institution_id: int | None


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def shared_with_rule(institution_id: int | None) -> Rule:
    """Published rows that members of the institution read: their own and the network's."""
    own = _Equals("institution_id", institution_id) if institution_id else NOTHING
    return _Equals("status", PublicationStatus.PUBLISHED) & (
        _Equals("visibility", Visibility.NETWORK) | own
    )


def acting_rule(user) -> Rule:
    """Rows of the institutions ``user`` acts for: every one for site admins, their own for
    everyone else (who then needs a role too: see the rules below)."""
    if not _signed_in(user):
        return NOTHING
    if user.is_site_admin:
        return EVERYTHING
    return _Equals("institution_id", user.institution_id) if user.institution_id else NOTHING


def edit_rule(user) -> Rule:
    """Rows ``user`` may change: instructors edit their institution's, site admins all."""
    return acting_rule(user) if _signed_in(user) and user.can_author else NOTHING


def manage_rule(user) -> Rule:
    """Rows (cohorts, programmes, certificates) ``user`` manages: directors their
    institution's, site admins all."""
    if not _signed_in(user) or not (user.is_site_admin or user.is_director):
        return NOTHING
    return acting_rule(user)


def visible_rule(user) -> Rule:
    """Rows ``user`` may read: published ones shared with their institution (see
    ``shared_with_rule``), and whatever they may edit (drafts included)."""
    if not _signed_in(user):
        return NOTHING
    return shared_with_rule(user.institution_id) | edit_rule(user)


def acts_for(user, institution_id: int | None) -> bool:
    """Whether ``user`` may act for the institution (create its content, sign off its
    trainees …): site admins for any, everyone else for their own."""
    return acting_rule(user).holds(_Owner(institution_id))


def may_edit(user, obj) -> bool:
    return edit_rule(user).holds(obj)


def may_manage(user, obj) -> bool:
    return manage_rule(user).holds(obj)


def may_see(user, obj) -> bool:
    """``visible_q`` for a row already loaded: the same rule, without a query."""
    return visible_rule(user).holds(obj)


def visible_q(user, prefix: str = "") -> Q:
    """Rows of scoped content that ``user`` may read.

    ``prefix`` is the relation path to the scoped object, e.g. ``"course__"`` for a module.
    Published content is readable by its institution, or by everyone when shared with the
    network; drafts only by those who may edit them.
    """
    return visible_rule(user).q(prefix)


def editable_q(user, prefix: str = "") -> Q:
    """Rows of scoped content that ``user`` may change: instructors edit their institution's."""
    return edit_rule(user).q(prefix)


def managed_q(user, prefix: str = "") -> Q:
    """Rows that ``user`` manages (cohorts, programmes): directors their institution's."""
    return manage_rule(user).q(prefix)


def shared_with_q(institution_id: int | None, prefix: str = "") -> Q:
    """Published rows that members of the institution read (a cohort's courses, a quiz's
    bank questions)."""
    return shared_with_rule(institution_id).q(prefix)


# --- Consultations ---------------------------------------------------------------------------
#
# A consultation is clinical, not teaching content: it has no visibility or status of its own.
# Rows carry ``requesting_institution_id`` (the hospital that asks) and ``target_id`` (the
# expert centre asked); only those two sides read it (DOMAIN.md §8).


def consult_requester_rule(user) -> Rule:
    """Consultations ``user`` reads as the requesting side: every member of the requesting
    institution (a trainee doctor asks too). The only readers of the local reference — not the
    centre, not site admins."""
    if not _signed_in(user) or not user.institution_id:
        return NOTHING
    return _Equals("requesting_institution_id", user.institution_id)


def consult_expert_rule(user) -> Rule:
    """Consultations ``user`` may claim, answer or decline: the target centre's instructors."""
    if not _signed_in(user) or not user.institution_id or not user.is_instructor:
        return NOTHING
    return _Equals("target_id", user.institution_id)


def consult_centre_rule(user) -> Rule:
    """Consultations sent to ``user``'s centre, for its staff: its instructors and director."""
    if not _signed_in(user) or not user.institution_id:
        return NOTHING
    if not (user.is_instructor or user.is_director):
        return NOTHING
    return _Equals("target_id", user.institution_id)


def consult_rule(user) -> Rule:
    """Consultations ``user`` may read: the requesting side's, and those sent to their centre
    for its instructors and directors; site admins all; nobody else."""
    if not _signed_in(user):
        return NOTHING
    if user.is_site_admin:
        return EVERYTHING
    return consult_requester_rule(user) | consult_centre_rule(user)


class _Asked(NamedTuple):
    """A consultation not yet made, to ask a rule about the centre it would be sent to."""

    target_id: int | None


def is_expert_of(user, centre_id: int | None) -> bool:
    """Whether ``user`` is an instructor of the centre: one a request may name as its expert."""
    return consult_expert_rule(user).holds(_Asked(centre_id))


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
        return may_see(user, self)

    def is_editable_by(self, user) -> bool:
        return may_edit(user, self)


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
