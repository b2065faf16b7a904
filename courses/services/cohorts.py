"""Cohorts: directors group their institution's trainees and enrol them in courses together."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from core.scoping import acts_for
from courses.models import Cohort, Course, Enrolment
from courses.selectors import courses_for_institution


def _require_manager(cohort: Cohort, by: User) -> None:
    if not Cohort.objects.manageable_by(by).filter(pk=cohort.pk).exists():
        raise PermissionDenied(_("You cannot manage this cohort."))


def cohort_create(*, by: User, name: str, institution: Institution | None = None) -> Cohort:
    """A new cohort at the director's institution (site admins choose the institution)."""
    if not getattr(by, "is_authenticated", False) or not (by.is_director or by.is_site_admin):
        raise PermissionDenied(_("Only programme directors can create cohorts."))
    if institution is not None and not acts_for(by, institution.pk):
        raise PermissionDenied(_("You can only create cohorts for your own institution."))
    if not by.is_site_admin:
        institution = by.institution
    if institution is None:
        raise ValidationError(_("Choose the institution of the cohort."), code="required")
    cohort = Cohort(name=name, institution=institution, director=by if by.is_director else None)
    cohort.full_clean()
    cohort.save()
    return cohort


def cohort_update(
    *,
    cohort: Cohort,
    by: User,
    name: str | None = None,
    members: Iterable[User] | None = None,
    courses: Iterable[Course] | None = None,
) -> Cohort:
    """Rename the cohort and replace its members and courses.

    Members must work at the cohort's institution; courses must be published and visible to
    it. Removing a member or a course keeps the enrolments and progress already made.
    """
    _require_manager(cohort, by)
    with transaction.atomic():
        if name is not None and name != cohort.name:
            cohort.name = name
            cohort.full_clean()
            cohort.save(update_fields=["name"])
        if members is not None:
            members = list(members)
            if any(m.institution_id != cohort.institution_id for m in members):
                raise ValidationError(
                    _("Members must belong to the cohort's institution."), code="invalid"
                )
            cohort.members.set(members)
        if courses is not None:
            courses = list(courses)
            allowed = set(
                courses_for_institution(cohort.institution_id)
                .filter(pk__in=[c.pk for c in courses])
                .values_list("pk", flat=True)
            )
            if len(allowed) != len({c.pk for c in courses}):
                raise ValidationError(
                    _("Only published courses open to this institution can be assigned."),
                    code="invalid",
                )
            cohort.courses.set(courses)
    return cohort


def assign_cohort(*, cohort: Cohort, by: User) -> int:
    """Enrol every member in every course of the cohort; returns how many enrolments were
    created. Existing enrolments (self-enrolled or from another cohort) are kept as they are,
    and courses no longer published or open to the institution are skipped."""
    _require_manager(cohort, by)
    course_ids = set(
        courses_for_institution(cohort.institution_id)
        .filter(pk__in=cohort.courses.values("pk"))
        .values_list("pk", flat=True)
    )
    member_ids = set(cohort.members.values_list("pk", flat=True))
    existing = set(
        Enrolment.objects.filter(user_id__in=member_ids, course_id__in=course_ids).values_list(
            "user_id", "course_id"
        )
    )
    missing = [
        Enrolment(
            user_id=user_id, course_id=course_id, source=Enrolment.Source.COHORT, cohort=cohort
        )
        for user_id in sorted(member_ids)
        for course_id in sorted(course_ids)
        if (user_id, course_id) not in existing
    ]
    # ignore_conflicts: a trainee self-enrolling at the same moment is not an error.
    Enrolment.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
