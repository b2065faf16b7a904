"""Draft → in review → published. The review is done by someone who did not write the case —
another instructor of its institution, its programme director, or an instructor of a centre the
institution names as its reviewer (``cases.reviewers``) — and a case is published only when
every loop is ready (none waiting for a check of burned-in text)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases.models import Case, CaseStatus, RevisionEvent
from cases.reviewers import independent_reviewer_q
from cases.services.authoring import check_publishable, record_revision, require_editor
from core.locking import lock


def _locked(case: Case) -> Case:
    return lock(case)


def missing_for_review(case: Case) -> list[str]:
    """What a case still needs before it can be sent for review (translated reasons)."""
    missing = []
    if not case.case_loops.exists():
        missing.append(_("at least one cine loop"))
    if not case.final_diagnosis.strip():
        missing.append(_("the final diagnosis"))
    return missing


def is_independent_reviewer(case: Case, user: User) -> bool:
    """Whether ``user`` may review ``case`` (whatever its status): see ``cases.reviewers``."""
    return Case.objects.filter(pk=case.pk).filter(independent_reviewer_q(user)).exists()


@transaction.atomic
def case_submit_for_review(*, case: Case, by: User) -> Case:
    require_editor(case, by)
    current = _locked(case)
    if current.status != CaseStatus.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."), "wrong_status")
    missing = missing_for_review(current)
    if missing:
        raise ValidationError(
            _("Add %(missing)s before sending the case for review.")
            % {"missing": ", ".join(missing)},
            "incomplete",
        )
    current.status = CaseStatus.IN_REVIEW
    current.submitted_by = by
    current.submitted_at = timezone.now()
    current.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    return current


@transaction.atomic
def case_review(*, case: Case, by: User, approve: bool, comment: str = "") -> Case:
    """Publish the case (``approve``) or return it to its authors as a draft with a comment."""
    current = _locked(case)
    if not is_independent_reviewer(current, by):
        raise PermissionDenied(_("A case must be reviewed by an instructor who did not write it."))
    if current.status != CaseStatus.IN_REVIEW:
        raise ValidationError(_("This case is not waiting for review."), "wrong_status")
    comment = comment.strip()
    now = timezone.now()
    if approve:
        check_publishable(current)
        current.status = CaseStatus.PUBLISHED
        current.published_at = current.published_at or now
    else:
        if not comment:
            raise ValidationError(_("Say what the authors should change."), "comment_required")
        current.status = CaseStatus.DRAFT
    current.reviewed_by, current.reviewed_at, current.review_comment = by, now, comment
    current.save(
        update_fields=[
            "status",
            "published_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "updated_at",
        ]
    )
    if approve:
        record_revision(current, by, RevisionEvent.PUBLISHED)
    return current


@transaction.atomic
def case_unpublish(*, case: Case, by: User) -> Case:
    """Take a published case back to draft (it must be reviewed again to return)."""
    require_editor(case, by)
    current = _locked(case)
    if current.status != CaseStatus.PUBLISHED:
        raise ValidationError(_("Only a published case can be withdrawn."), "wrong_status")
    current.status = CaseStatus.DRAFT
    current.save(update_fields=["status", "updated_at"])
    return current
