"""The requesting side: sending a request with its reading, withdrawing or closing it, and
recording the patient's consent to teaching use.

Any member of an institution may ask an expert centre (trainee doctors too); the reading is
sent with the request and locked from then on. Loops are the institution's own: picked from
those the requester sees or from the inbox, or uploaded with the request (through the cine
pipeline, ``cineloops.services.loops_create_for_member``).

Public functions (keyword-only):
    consult_submit(*, by, target, organ, clinical_question, reading, urgency="routine",
                   expert=None, loops=(), files=(), local_reference="", contrast_agent="",
                   contrast_dose="", injection_time_s=None, confirmed=False, now=None)
        -> SubmitResult
    consult_withdraw(*, consult, by, reason="", now=None) -> Consultation
    consult_close(*, consult, by, now=None) -> Consultation
    consent_record(*, consult, by, now=None) -> Consultation
    require_member(by) -> int       the first check of a request (the API's too): the asker's
                                    institution id
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, User
from cases.models import Organ
from cineloops.models import CineLoop
from cineloops.services import loops_create_for_member
from consults import conf, rights
from consults.models import (
    Consultation,
    ConsultLoop,
    ConsultStatus,
    EventKind,
    RequesterReading,
    Urgency,
)
from consults.selectors.inbox import selectable_loops
from consults.services import identifiers, records
from consults.services.transitions import (
    ConsultError,
    lock_consult,
    move,
    record,
    record_submission,
)
from core.scoping import is_expert_of

# Refusals the API also gives for ids that name nothing (the same words, whatever the cause).
TARGET_REFUSED = gettext_lazy("Choose an expert centre of the network other than your own.")
EXPERT_REFUSED = gettext_lazy("Choose an instructor of that expert centre.")
LOOPS_REFUSED = gettext_lazy("Choose loops of your institution that you may see, each once.")


@dataclass
class SubmitResult:
    consult: Consultation
    warnings: list[dict[str, object]] = field(default_factory=list)
    rejected_uploads: list[str] = field(default_factory=list)  # one message per refused file


def require_member(by: User) -> int:
    """Only a member of an institution asks (site admins belong to none); returns its id."""
    if not getattr(by, "is_authenticated", False) or not by.institution_id:
        raise PermissionDenied(_("Only members of an institution can ask for a consultation."))
    return by.institution_id


def _check_request(
    *,
    by: User,
    target: Institution,
    expert: User | None,
    organ: str,
    urgency: str,
    clinical_question: str,
    local_reference: str,
    contrast: Mapping[str, Any],
    loops: Sequence[CineLoop],
    files: Sequence[UploadedFile],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if target.level != Institution.Level.EXPERT_CENTRE or target.pk == by.institution_id:
        fail("target", str(TARGET_REFUSED))
    if expert is not None and not (expert.is_active and is_expert_of(expert, target.pk)):
        fail("expert", str(EXPERT_REFUSED))
    if organ not in Organ.values:
        fail("organ", _("Choose one of the organ systems."))
    if urgency not in Urgency.values:
        fail("urgency", _("Choose routine or urgent."))
    if not clinical_question:
        fail("clinical_question", _("Ask the question you want the experts to answer."))
    if len(clinical_question) > conf.MAX_TEXT:
        fail(
            "clinical_question",
            _("At most %(limit)s characters, please.") % {"limit": conf.MAX_TEXT},
        )
    if len(local_reference) > 100:
        fail("local_reference", _("At most %(limit)s characters, please.") % {"limit": 100})
    for name in ("contrast_agent", "contrast_dose"):
        if len(contrast[name]) > 100:
            fail(name, _("At most %(limit)s characters, please.") % {"limit": 100})
    t0 = contrast["injection_time_s"]
    if t0 is not None and not -3600 <= t0 <= 3600:
        fail("injection_time_s", _("Give the injection time in seconds into the first loop."))
    if not loops and not files:
        fail("loops", _("Add at least one loop: upload it, or pick it from your inbox."))
    if len(loops) + len(files) > conf.MAX_LOOPS or len(files) > conf.MAX_UPLOADS:
        fail("loops", _("At most %(count)s loops per request.") % {"count": conf.MAX_LOOPS})
    ids = [loop.pk for loop in loops]
    allowed = set(selectable_loops(by).filter(pk__in=ids).values_list("pk", flat=True))
    if len(set(ids)) != len(ids) or any(pk not in allowed for pk in ids):
        fail("loops", str(LOOPS_REFUSED))
    return errors


def consult_submit(
    *,
    by: User,
    target: Institution,
    organ: str,
    clinical_question: str,
    reading: Mapping[str, Any],
    urgency: str = Urgency.ROUTINE,
    expert: User | None = None,
    loops: Sequence[CineLoop] = (),
    files: Sequence[UploadedFile] = (),
    local_reference: str = "",
    contrast_agent: str = "",
    contrast_dose: str = "",
    injection_time_s: float | None = None,
    confirmed: bool = False,
    now: datetime | None = None,
) -> SubmitResult:
    """Send a request with the requester's reading (see the module doc).

    Raises ``PermissionDenied`` for someone of no institution, ``ValidationError`` (one
    message per field; the reading's under its own names) for bad input, and
    ``UnconfirmedIdentifiers`` when text looks like a patient identifier and ``confirmed`` is
    false.
    """
    institution_id = require_member(by)
    now = now or timezone.now()
    clinical_question = (clinical_question or "").strip()
    local_reference = " ".join((local_reference or "").split())
    contrast = {
        "contrast_agent": (contrast_agent or "").strip(),
        "contrast_dose": (contrast_dose or "").strip(),
        "injection_time_s": injection_time_s,
    }
    errors = _check_request(
        by=by,
        target=target,
        expert=expert,
        organ=organ,
        urgency=urgency,
        clinical_question=clinical_question,
        local_reference=local_reference,
        contrast=contrast,
        loops=loops,
        files=files,
    )
    try:
        cleaned = records.clean_record(
            RequesterReading,
            records.READING_FIELDS,
            records.READING_TEXTS,
            reading,
            organ=organ,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        if records.is_empty(cleaned):
            errors.setdefault("reading", []).append(
                _(
                    "Give your own reading first: the findings you saw, the category or your "
                    "impression."
                )
            )
    if errors:
        raise ValidationError(errors)
    warnings = identifiers.checked(
        {
            "clinical_question": clinical_question,
            "local_reference": local_reference,
            "impression": cleaned["impression"],
        },
        confirmed=confirmed,
    )
    with transaction.atomic():
        consult = Consultation.objects.create(
            requesting_institution_id=institution_id,
            requester=by,
            target=target,
            expert=expert,
            organ=organ,
            clinical_question=clinical_question,
            urgency=urgency,
            status=ConsultStatus.SUBMITTED,
            submitted_at=now,
            activity_at=now,
            local_reference=local_reference,
            phi_warnings=warnings,
            **contrast,
        )
        RequesterReading.objects.create(consult=consult, sent_at=now, **cleaned)
        attached = list(loops)
        rejected: list[str] = []
        if files:
            batch = loops_create_for_member(member=by, files=files)
            attached += batch.loops
            rejected = [item.message for item in batch.rejected]
        if not attached:
            raise ValidationError({"loops": rejected or [_("None of the files is a loop.")]})
        ConsultLoop.objects.bulk_create(
            ConsultLoop(consult=consult, loop=loop, order=order)
            for order, loop in enumerate(attached)
        )
        record_submission(consult, by=by, now=now)
    return SubmitResult(consult, warnings, rejected)


def consult_withdraw(
    *, consult: Consultation, by: User, reason: str = "", now: datetime | None = None
) -> Consultation:
    """The requesting side takes back a request that is not answered yet."""
    if not rights.manages_request(by, consult):
        raise PermissionDenied(
            _(
                "Only the requester or their institution's instructors and "
                "directors can withdraw this request."
            )
        )
    reason = (reason or "").strip()[: conf.MAX_TEXT]
    with transaction.atomic():
        locked = lock_consult(consult)
        move(locked, to=ConsultStatus.WITHDRAWN, by=by, now=now or timezone.now(), reason=reason)
    return locked


def consult_close(*, consult: Consultation, by: User, now: datetime | None = None) -> Consultation:
    """The requesting side (or the expert who answered) closes an answered consult."""
    if not (rights.manages_request(by, consult) or rights.is_claimer(by, consult)):
        raise PermissionDenied(_("You cannot close this consultation."))
    with transaction.atomic():
        locked = lock_consult(consult)
        move(locked, to=ConsultStatus.CLOSED, by=by, now=now or timezone.now())
    return locked


def consent_record(*, consult: Consultation, by: User, now: datetime | None = None) -> Consultation:
    """Record that the patient agreed to teaching use of the consult (who, when). Recorded
    once: a second call changes nothing."""
    if not rights.is_requesting_side(by, consult):
        raise PermissionDenied(
            _("Only the requesting institution can record the patient's consent.")
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        if locked.has_teaching_consent:
            return locked
        if locked.status in (ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED):
            raise ConsultError(
                _(
                    "This consultation was withdrawn or declined: it cannot become teaching "
                    "material."
                ),
                "consult_over",
            )
        locked.teaching_consent_by = by
        locked.teaching_consent_at = now
        locked.save(update_fields=["teaching_consent_by", "teaching_consent_at", "updated_at"])
        record(locked, kind=EventKind.CONSENT, by=by, now=now)
    return locked
