"""Authoring certification programmes: the programme, its versions and their requirements.

A version's requirements can change only while it is a draft. Publishing freezes it (sets
``published_at``) and writes a ``requirements_changed`` audit event; changing the rules after
that means a new version, which starts as a copy of the latest one. Only those who manage the
programme (``certificates.can_manage``: its institution's directors and site admins) may write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from certification.models import (
    AuditAction,
    Programme,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
)
from certification.services.audit import record_event
from certification.services.certificates import can_manage
from core.authoring import apply_fields, apply_translations, first_text, unique_slug
from core.content_language import localized
from core.locking import lock
from core.scoping import (
    PublicationStatus,
    SharingResult,
    Visibility,
    acts_for,
    default_visibility,
)
from quizzes.services.errors import QuizError

# Translated texts are set either through the plain name (the active language) or per language.
PROGRAMME_TEXTS = ("title", "description")
PROGRAMME_FIELDS = frozenset(
    {*PROGRAMME_TEXTS, *localized(*PROGRAMME_TEXTS), "validity_months", "visibility", "status"}
)
REQUIREMENT_FIELDS = frozenset(
    {
        *localized("title"),
        "kind",
        "stage",
        "title",
        "order",
        "quiz",
        "min_score",
        "count",
        "organ",
        "category",
        "exam_types",
        "hours",
        "prerequisite",
    }
)
# Path segments under certification/programmes/ that a slug must not take.
RESERVED_SLUGS = frozenset({"new"})


def may_create_programme(user: User) -> bool:
    """Directors (of an institution) and site admins create programmes."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_site_admin or (user.is_director and user.institution_id is not None)


def _require_manager(programme: Programme, by: User) -> None:
    if not can_manage(by, programme):
        raise PermissionDenied(_("You cannot manage this programme."))


def _require_draft(version: ProgrammeVersion) -> None:
    """Refuse a published version. Read from the database under a row lock, not from the
    caller's instance: a page opened before another director published must not write."""
    fresh = lock(version, only=("published_at",))
    version.published_at = fresh.published_at
    if version.is_frozen:
        raise ValidationError(
            _("This version is published and cannot change: create a new version."),
            code="frozen",
        )


# --- Programmes ------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    by: User,
    title: str = "",
    description: str = "",
    validity_months: int = 36,
    visibility: str | None = None,
    institution: Institution | None = None,
    **translations: str,
) -> Programme:
    """A new draft programme owned by ``institution`` (default: the director's own), with an
    empty draft version 1 to add requirements to. ``translations``: per-language texts
    (``title_en``, ``title_zh_hans``, ``description_en`` …) next to or instead of the plain
    ones."""
    if not may_create_programme(by):
        raise PermissionDenied(_("Only programme directors can create programmes."))
    institution = institution or by.institution
    if institution is None:
        raise ValidationError(_("Choose the institution that owns the programme."), code="required")
    if not acts_for(by, institution.pk):
        raise PermissionDenied(_("You can only create programmes for your own institution."))
    programme = Programme(
        institution=institution,
        title=title,
        description=description,
        validity_months=validity_months,
        created_by=by,
    )
    apply_translations(programme, PROGRAMME_TEXTS, translations)
    programme.slug = unique_slug(
        Programme,
        # modeltranslation adds the per-language fields at run time, unseen by django-stubs.
        first_text(title, programme.title_en, programme.title_zh_hans),  # type: ignore[attr-defined]
        fallback="programme",
        reserved=RESERVED_SLUGS,
    )
    programme.visibility = visibility or default_visibility(institution)
    programme.full_clean()
    programme.save()
    ProgrammeVersion.objects.create(programme=programme, number=1)
    return programme


def programme_update(*, programme: Programme, by: User, **fields: Any) -> Programme:
    """Change title, description, validity, visibility or status; the slug stays so that
    links keep working."""
    _require_manager(programme, by)
    if "status" in fields and fields["status"] not in PublicationStatus.values:
        raise ValidationError(_("Unknown status."), code="invalid")
    names = apply_fields(programme, PROGRAMME_FIELDS, fields)
    programme.full_clean()
    if programme.status == PublicationStatus.PUBLISHED:
        _refuse_hidden(programme.versions.filter(published_at__isnull=False).first())
    programme.save(update_fields=[*names, "updated_at"])
    return programme


def _refuse_hidden(version: ProgrammeVersion | None) -> None:
    """A network programme may not require what other hospitals' trainees cannot see."""
    from certification.sharing import version_hidden_dependencies

    if version is None or version.programme.visibility != Visibility.NETWORK:
        return
    hidden = version_hidden_dependencies(version)
    if hidden:
        raise ValidationError(
            [_("Share these too, or keep the programme to your institution:")]
            + [dep.message for dep in hidden],
            code="hidden_dependencies",
        )


@transaction.atomic
def share_version_dependencies(*, version: ProgrammeVersion, by: User) -> SharingResult:
    """Set to "whole network" the hidden courses, quizzes and prerequisite programmes of
    ``version`` that ``by`` may edit; the others come back in ``left``."""
    from certification.sharing import version_hidden_dependencies
    from courses.models import Course
    from courses.services.authoring import course_update
    from quizzes.models import Quiz
    from quizzes.services.authoring import update_quiz

    _require_manager(version.programme, by)
    shared = []
    for dep in version_hidden_dependencies(version, user=by):
        if not dep.shareable:
            continue
        try:
            with transaction.atomic():
                if isinstance(dep.obj, Course):
                    course_update(course=dep.obj, by=by, visibility=Visibility.NETWORK)
                elif isinstance(dep.obj, Quiz):
                    update_quiz(quiz=dep.obj, by=by, visibility=Visibility.NETWORK)
                elif isinstance(dep.obj, Programme):
                    programme_update(programme=dep.obj, by=by, visibility=Visibility.NETWORK)
                else:
                    continue  # nothing else is shared
        except (PermissionDenied, ValidationError, QuizError):
            continue
        shared.append(dep)
    return SharingResult(shared=shared, left=version_hidden_dependencies(version, user=by))


# --- Versions --------------------------------------------------------------------------------


def draft_version(programme: Programme) -> ProgrammeVersion | None:
    return programme.versions.filter(published_at__isnull=True).order_by("-number").first()


@transaction.atomic
def version_create(*, programme: Programme, by: User, notes: str = "") -> ProgrammeVersion:
    """A new draft version, starting as a copy of the latest version's requirements. There is
    at most one draft at a time: edit it, or publish it, before starting another."""
    _require_manager(programme, by)
    # Lock the programme row: two directors pressing "new version" get numbers in turn.
    lock(programme, missing_ok=True)
    if draft_version(programme) is not None:
        raise ValidationError(
            _("There is already a draft version: edit or publish it first."), code="draft_exists"
        )
    latest = programme.versions.order_by("-number").first()
    number = (programme.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProgrammeVersion.objects.create(programme=programme, number=number, notes=notes)
    if latest is not None:
        for old in latest.requirements.prefetch_related("courses").order_by("order", "pk"):
            copy = Requirement.objects.create(
                version=version, **{name: getattr(old, name) for name in REQUIREMENT_FIELDS}
            )
            copy.courses.set(old.courses.all())
    return version


def _requirement_snapshot(version: ProgrammeVersion) -> list[dict[str, Any]]:
    """What the audit log keeps of the rules that came into force."""
    rows = []
    for req in version.requirements.prefetch_related("courses").order_by("order", "pk"):
        rows.append(
            {
                "kind": req.kind,
                "stage": req.stage,
                "title": req.title,
                "courses": sorted(c.pk for c in req.courses.all()),
                "quiz": req.quiz_id,
                "min_score": req.min_score,
                "count": req.count,
                "organ": req.organ,
                "category": req.category,
                "exam_types": list(req.exam_types or []),
                "hours": req.hours,
                "prerequisite": req.prerequisite_id,
            }
        )
    return rows


@transaction.atomic
def version_publish(
    *,
    version: ProgrammeVersion,
    by: User,
    counts_from: datetime | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> ProgrammeVersion:
    """Freeze the version: it is in force from now; evidence counts from ``counts_from``
    (default: now, so records made under the previous rules do not count)."""
    _require_manager(version.programme, by)
    _require_draft(version)
    if not version.requirements.exists():
        raise ValidationError(
            _("Add at least one requirement before publishing."), code="no_requirements"
        )
    _refuse_hidden(version)
    now = now or timezone.now()
    version.published_at = now
    version.counts_from = counts_from or now
    fields = ["published_at", "counts_from"]
    if notes is not None:
        version.notes = notes
        fields.append("notes")
    version.save(update_fields=fields)
    record_event(
        AuditAction.REQUIREMENTS_CHANGED,
        actor=by,
        programme=version.programme,
        reason=version.notes,
        data={
            "version": version.number,
            "counts_from": version.counts_from.isoformat(),
            "requirements": _requirement_snapshot(version),
        },
    )
    return version


# --- Requirements ----------------------------------------------------------------------------


def check_requirement(requirement: Requirement, courses: list | None = None) -> None:
    """The fields a requirement's kind needs; errors are keyed by field for the form."""
    kind = requirement.kind
    errors: dict[str, str] = {}
    needed = _("Required for this type of requirement.")
    if kind == RequirementKind.COURSES and not courses:
        errors["courses"] = _("Choose at least one course.")
    elif kind == RequirementKind.QUIZ and requirement.quiz_id is None:
        errors["quiz"] = needed
    elif (
        kind in (RequirementKind.CASES, RequirementKind.SCANS, RequirementKind.CONSULTS)
        and not requirement.count
    ):
        errors["count"] = needed
    elif kind in (RequirementKind.CME, RequirementKind.LIVE_HOURS) and not requirement.hours:
        errors["hours"] = needed
    elif kind == RequirementKind.PREREQUISITE:
        if requirement.prerequisite_id is None:
            errors["prerequisite"] = needed
        elif requirement.prerequisite_id == requirement.version.programme_id:
            errors["prerequisite"] = _("A programme cannot require itself.")
    if requirement.min_score is not None and requirement.min_score > 100:
        errors["min_score"] = _("A score is at most 100 %.")
    if requirement.hours is not None and requirement.hours < 0:
        errors["hours"] = _("Hours cannot be negative.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def requirement_add(
    *, version: ProgrammeVersion, by: User, courses: list | None = None, **fields: Any
) -> Requirement:
    _require_manager(version.programme, by)
    _require_draft(version)
    requirement = Requirement(version=version)
    apply_fields(requirement, REQUIREMENT_FIELDS, fields)
    if "order" not in fields:
        last = version.requirements.aggregate(n=Max("order"))["n"]
        requirement.order = 0 if last is None else last + 1
    courses = list(courses or [])
    check_requirement(requirement, courses)
    requirement.full_clean()
    requirement.save()
    requirement.courses.set(courses)
    return requirement


@transaction.atomic
def requirement_update(
    *, requirement: Requirement, by: User, courses: list | None = None, **fields: Any
) -> Requirement:
    version = requirement.version
    _require_manager(version.programme, by)
    _require_draft(version)
    apply_fields(requirement, REQUIREMENT_FIELDS, fields)
    chosen = list(courses) if courses is not None else list(requirement.courses.all())
    check_requirement(requirement, chosen)
    requirement.full_clean()
    requirement.save()
    if courses is not None:
        requirement.courses.set(chosen)
    return requirement


@transaction.atomic
def requirement_remove(*, requirement: Requirement, by: User) -> None:
    _require_manager(requirement.version.programme, by)
    _require_draft(requirement.version)
    requirement.delete()
