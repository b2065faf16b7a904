"""Who may review a case before it is published: the one copy of the rule.

A case of institution H may be reviewed by
- an instructor of H (its editors), or a programme director of H;
- an instructor of an institution that H names as a reviewer (``Institution.reviewed_by``,
  e.g. the expert centre of a county hospital with a single instructor);
- a site administrator;
and never by someone who wrote or submitted it. Reviewers outside H may open the case while it
is in review (to read it and play its loops) but never edit it.

The rule is written twice only because it is read in both directions — "the cases this user may
review" (``Case`` rows) and "the people who may review this case" (``User`` rows) — and the
tests pin the two to each other.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Institution, User

_NOTHING = Q(pk__in=[])


def may_review(user) -> bool:
    """Whether ``user`` may review any case at all (instructors, directors, site admins)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_site_admin or user.is_instructor or user.is_director)
    )


def review_scope_q(user) -> Q:
    """``Case`` rows whose institution lets ``user`` review them (whoever wrote them)."""
    if not may_review(user):
        return _NOTHING
    if user.is_site_admin:
        return Q()
    if user.institution_id is None:
        return _NOTHING
    own = Q(institution_id=user.institution_id)
    if user.is_director:
        return own
    partners = Institution.objects.filter(reviewed_by=user.institution_id).values("pk")
    return own | Q(institution_id__in=partners)


def independent_reviewer_q(user) -> Q:
    """``Case`` rows ``user`` may review: in scope, and not written or submitted by them."""
    if not may_review(user):
        return _NOTHING
    from cases.models import Case

    authored = Case.authors.through.objects.filter(user_id=user.pk).values("case_id")
    return (
        review_scope_q(user)
        & ~Q(created_by_id=user.pk)
        & ~Q(submitted_by_id=user.pk)
        & ~Q(pk__in=authored)
    )


def case_reviewers(case) -> QuerySet[User]:
    """The people who may review ``case`` (for "Waiting for review by …"); site admins left
    out: they may, but the authors should not wait for them."""
    home = Q(institution_id=case.institution_id) & Q(
        role__in=[User.Role.INSTRUCTOR, User.Role.DIRECTOR]
    )
    partners = Q(role=User.Role.INSTRUCTOR) & Q(
        institution__in=Institution.objects.filter(reviews_for=case.institution_id).values("pk")
    )
    authors = case.authors.values("pk")
    return (
        User.objects.filter(home | partners, is_active=True)
        .exclude(pk__in=authors)
        .exclude(pk__in=[pk for pk in (case.created_by_id, case.submitted_by_id) if pk])
        .select_related("institution")
        .order_by("institution__name", "last_name", "first_name", "username")
    )
