"""The scan logbook: logging, editing and correcting scans, and the supervisor's sign-off.

Rights are checked here (views and the API narrow their querysets too, so that another
institution's entry is a 404): a trainee logs and edits their own entries; instructors of the
trainee's institution (and site admins) sign them off, never their own; directors of that
institution read them. An approved entry never changes; a pending one may be edited by its
trainee; an approved or rejected one is corrected by a new entry that names it (``corrects``).

Free text is checked for patient identifiers (``cases.phi``). That only warns: saving text
with warnings needs ``confirmed=True`` (the trainee ticked "there are no identifiers"), and
the warnings are stored on the entry for the supervisor to see.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.models import Organ
from cases.phi import KIND_LABELS, check_texts
from certification.models import Adequacy, EntryStatus, ExamType, LogbookEntry

# Reads and rights live in ``logbook_access``; re-exported so callers need one module.
from certification.services.logbook_access import (  # noqa: F401
    can_correct,
    can_edit,
    can_review,
    counts_by_exam_type,
    entries_to_sign_off,
    entries_visible_to,
    open_correction,
    selectable_loops,
    supervisors_for,
)
from certification.services.notifications import notify_review
from cineloops import services as cine_services
from cineloops.models import CineLoop
from core.locking import lock

# The free-text fields checked for identifiers, with the labels the trainee sees.
TEXT_FIELDS = {
    "contrast_agent": gettext_lazy("Contrast agent"),
    "indication": gettext_lazy("Indication"),
    "findings": gettext_lazy("Findings summary"),
    "impression": gettext_lazy("Your impression"),
}
MAX_TEXT = 5000  # characters per free-text field: a summary, not a report archive
MAX_UPLOADS = 10  # files per entry (each may be a ZIP of loops)
LOOPS_REFUSED = gettext_lazy("Choose loops that are ready and that you may see.")
SUPERVISOR_REFUSED = gettext_lazy("Choose an instructor of your institution.")


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    CHOICES = (
        (APPROVE, gettext_lazy("Approve")),
        (REJECT, gettext_lazy("Reject")),
    )


class UnconfirmedIdentifiers(ValidationError):
    """The text seems to hold identifiers and the trainee has not confirmed it does not."""

    def __init__(self, warnings: list[dict[str, object]]) -> None:
        self.warnings = warnings
        super().__init__(
            _(
                "Some text looks like a patient identifier. Remove it, or confirm that there "
                "are no identifiers to save the entry."
            ),
            "unconfirmed_identifiers",
        )


@dataclass
class EntryResult:
    entry: LogbookEntry
    warnings: list[dict[str, object]] = field(default_factory=list)
    rejected_uploads: list[str] = field(default_factory=list)  # one message per refused file


# --- Writing -------------------------------------------------------------------------------


def identifier_warnings(texts: Mapping[str, object]) -> list[dict[str, object]]:
    """Stored form of the warnings: ``[{"field", "kinds"}]`` (messages are made when shown,
    in the reader's language)."""
    found = check_texts(
        {name: (str(TEXT_FIELDS[name]), str(texts.get(name) or "")) for name in TEXT_FIELDS}
    )
    return [{"field": w.field, "kinds": list(w.kinds)} for w in found]


def warning_messages(warnings: Sequence[Mapping[str, Any]]) -> list[str]:
    messages = []
    for warning in warnings:
        field_label = TEXT_FIELDS.get(str(warning.get("field")), warning.get("field"))
        kinds = ", ".join(
            str(KIND_LABELS[kind]) for kind in warning.get("kinds", []) if kind in KIND_LABELS
        )
        messages.append(
            _(
                "“%(field)s” seems to contain %(kinds)s. The logbook must not identify a "
                "patient: please remove it unless it is made up."
            )
            % {"field": field_label, "kinds": kinds}
        )
    return messages


def _clean(
    *,
    trainee: User,
    data: Mapping[str, object],
    loops: Sequence[CineLoop],
    allowed_loops: Iterable[int] = (),
    today: datetime.date | None = None,
) -> dict[str, object]:
    """Check what the trainee typed; raises ``ValidationError`` with one message per field."""
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    performed_on = data.get("performed_on")
    if not isinstance(performed_on, datetime.date):
        errors["performed_on"] = [_("Enter the date of the scan.")]
    elif performed_on > today:
        errors["performed_on"] = [_("The date of the scan cannot be in the future.")]
    if data.get("exam_type") not in ExamType.values:
        errors["exam_type"] = [_("Choose one of the exam types.")]
    if data.get("organ") not in Organ.values:
        errors["organ"] = [_("Choose one of the organ systems.")]
    cleaned = {name: str(data.get(name) or "").strip() for name in TEXT_FIELDS}
    for name in ("indication", "findings", "impression"):
        if not cleaned[name]:
            errors[name] = [_("This field is required.")]
    for name, text in cleaned.items():
        limit = 100 if name == "contrast_agent" else MAX_TEXT
        if len(text) > limit:
            errors[name] = [
                _("At most %(limit)s characters, please.") % {"limit": limit},
            ]
    allowed = set(allowed_loops) | set(
        selectable_loops(trainee)
        .filter(pk__in=[loop.pk for loop in loops])
        .values_list("pk", flat=True)
    )
    if any(loop.pk not in allowed for loop in loops):
        errors["loops"] = [str(LOOPS_REFUSED)]
    supervisor = data.get("supervisor")
    if (
        isinstance(supervisor, User)
        and not supervisors_for(trainee).filter(pk=supervisor.pk).exists()
    ):
        errors["supervisor"] = [str(SUPERVISOR_REFUSED)]
    if errors:
        raise ValidationError(errors)
    return {
        **cleaned,
        "performed_on": performed_on,
        "exam_type": data["exam_type"],
        "organ": data["organ"],
        "supervisor": supervisor,
    }


def upload_loops(*, trainee: User, files: Sequence[UploadedFile]) -> cine_services.Batch:
    """Loops a trainee uploads with a logbook entry (``loops_create_for_member``): the trainee
    sees them through that entry once processed cleanly."""
    if not trainee.institution_id:
        raise PermissionDenied(_("Only members of an institution can upload loops."))
    if len(files) > MAX_UPLOADS:
        raise ValidationError(
            _("At most %(count)s files per entry.") % {"count": MAX_UPLOADS}, "too_many"
        )
    return cine_services.loops_create_for_member(member=trainee, files=files)


def _save(
    *,
    entry: LogbookEntry,
    trainee: User,
    data: Mapping[str, object],
    loops: Sequence[CineLoop],
    uploads: Sequence[UploadedFile],
    confirmed: bool,
    allowed_loops: Iterable[int] = (),
    today: datetime.date | None = None,
) -> EntryResult:
    cleaned = _clean(
        trainee=trainee, data=data, loops=loops, allowed_loops=allowed_loops, today=today
    )
    warnings = identifier_warnings(cleaned)
    if warnings and not confirmed:
        raise UnconfirmedIdentifiers(warnings)
    if len(uploads) > MAX_UPLOADS:
        raise ValidationError(
            {"uploads": [_("At most %(count)s files per entry.") % {"count": MAX_UPLOADS}]}
        )
    for name, value in cleaned.items():
        setattr(entry, name, value)
    entry.phi_warnings = warnings
    rejected: list[str] = []
    with transaction.atomic():
        entry.save()
        attached = list(loops)
        if uploads:
            batch = upload_loops(trainee=trainee, files=uploads)
            attached += batch.loops
            rejected = [item.message for item in batch.rejected]
        entry.loops.set(attached)
    return EntryResult(entry, warnings, rejected)


def entry_create(
    *,
    trainee: User,
    data: Mapping[str, object],
    loops: Sequence[CineLoop] = (),
    uploads: Sequence[UploadedFile] = (),
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> EntryResult:
    """Log a scan. ``data``: performed_on, exam_type, organ, contrast_agent, indication,
    findings, impression, supervisor (a User or None)."""
    if not getattr(trainee, "is_authenticated", False) or not trainee.institution_id:
        raise PermissionDenied(_("Only members of an institution can keep a logbook."))
    entry = LogbookEntry(trainee=trainee)
    return _save(
        entry=entry,
        trainee=trainee,
        data=data,
        loops=loops,
        uploads=uploads,
        confirmed=confirmed,
        today=today,
    )


def entry_update(
    *,
    entry: LogbookEntry,
    by: User,
    data: Mapping[str, object],
    loops: Sequence[CineLoop] = (),
    uploads: Sequence[UploadedFile] = (),
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> EntryResult:
    """Edit a pending entry (its trainee only). Approved entries never change; a rejected one
    is corrected with ``entry_correct``."""
    if entry.trainee_id != by.pk:
        raise PermissionDenied(_("Only the trainee who logged the scan can change it."))
    with transaction.atomic():
        locked = lock(entry)
        if locked.status != EntryStatus.PENDING:
            raise ValidationError(
                _("This entry has been signed off and cannot be changed; log a correction."),
                "not_pending",
            )
        current = set(locked.loops.values_list("pk", flat=True))
        return _save(
            entry=locked,
            trainee=by,
            data=data,
            loops=loops,
            uploads=uploads,
            confirmed=confirmed,
            allowed_loops=current,  # still processing, or no longer visible: may stay
            today=today,
        )


def entry_correct(
    *,
    entry: LogbookEntry,
    by: User,
    data: Mapping[str, object],
    loops: Sequence[CineLoop] = (),
    uploads: Sequence[UploadedFile] = (),
    confirmed: bool = False,
    today: datetime.date | None = None,
) -> EntryResult:
    """A new pending entry replacing an approved or rejected one. The old entry is untouched;
    once the correction is approved, the evaluation stops counting the old one."""
    if entry.trainee_id != by.pk:
        raise PermissionDenied(_("Only the trainee who logged the scan can correct it."))
    if entry.status == EntryStatus.PENDING:
        raise ValidationError(
            _("This entry is waiting for sign-off: edit it instead."), "still_pending"
        )
    with transaction.atomic():
        # Locked so that two corrections submitted at once cannot both be created.
        lock(entry)
        existing = open_correction(entry)
        if existing is not None:
            raise ValidationError(
                _("This entry already has a correction (entry %(number)s).")
                % {"number": existing.pk},
                "already_corrected",
            )
        correction = LogbookEntry(trainee=by, corrects=entry)
        return _save(
            entry=correction,
            trainee=by,
            data=data,
            loops=loops,
            uploads=uploads,
            confirmed=confirmed,
            allowed_loops=entry.loops.values_list("pk", flat=True),
            today=today,
        )


def entry_review(
    *,
    entry: LogbookEntry,
    by: User,
    decision: str,
    adequacy: str = "",
    comment: str = "",
    now: datetime.datetime | None = None,
) -> LogbookEntry:
    """Approve (an adequacy grade required) or reject (a comment required) a pending entry;
    the trainee is told by e-mail once the sign-off is committed."""
    if not can_review(by, entry):
        raise PermissionDenied(_("You cannot sign off this entry."))
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if decision not in (Decision.APPROVE, Decision.REJECT):
        errors["decision"] = [_("Choose approve or reject.")]
    if adequacy and adequacy not in Adequacy.values:
        errors["adequacy"] = [_("Choose one of the adequacy grades.")]
    elif decision == Decision.APPROVE and not adequacy:
        errors["adequacy"] = [_("Grade the scan's adequacy to approve it.")]
    if decision == Decision.REJECT and not comment:
        errors["comment"] = [_("Say why the entry is rejected.")]
    if len(comment) > MAX_TEXT:
        errors["comment"] = [_("At most %(limit)s characters, please.") % {"limit": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock(entry)
        if locked.status != EntryStatus.PENDING:
            raise ValidationError(_("This entry has already been signed off."), "not_pending")
        locked.status = (
            EntryStatus.APPROVED if decision == Decision.APPROVE else EntryStatus.REJECTED
        )
        locked.adequacy = adequacy
        locked.review_comment = comment
        locked.reviewed_by = by
        locked.reviewed_at = now or timezone.now()
        locked.save(
            update_fields=["status", "adequacy", "review_comment", "reviewed_by", "reviewed_at"]
        )
        transaction.on_commit(lambda: notify_review(locked))
    return locked
