"""From an answered consultation to a draft teaching case, in one action.

The case is made by the case library's own services (``case_create``, ``annotations_replace``)
so that it is a draft like any other and goes through the usual review: the consult's loops
become its loops, the expert's drawings its annotations and phase markers (curves are
computed for its ROIs), the structured answer its findings, diagnosis and certainty, the
clinical question its history; the expert's report and recommendation — and, if asked, the
requester's reading as "what a first reader thought" — its teaching points. Never the local
reference, never the thread. The consult keeps a link to its case.

It needs the patient's consent, recorded by the requesting institution; an expert of the
centre makes a case of the centre, an instructor of the requesting institution one of
theirs. Once made, a second call is refused (``teaching_case_exists``).

Public functions (keyword-only):
    teaching_case_make(*, consult, by, include_reading=True, now=None) -> CaseResult
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from accounts.models import User
from cases.models import CeusFindings
from cases.services import CaseResult, LoopSpec, annotations_replace, case_create
from cases.services.annotations import ANNOTATION_KEYS
from consults import rights
from consults.models import (
    ANSWERED_STATUSES,
    Consultation,
    EventKind,
    ExpertAnswer,
    RequesterReading,
)
from consults.selectors.comparison import finding_lines
from consults.services.transitions import ConsultError, lock_consult, record
from core.scoping import default_visibility


def _refusal(consult: Consultation) -> str | None:
    if consult.teaching_case_id is not None:
        return _("This consultation is already a teaching case.")
    if consult.status not in ANSWERED_STATUSES:
        return _("Only an answered consultation can become a teaching case.")
    if not consult.has_teaching_consent:
        return _(
            "The requesting institution has not recorded the patient's consent to teaching use."
        )
    return None


def _title(consult: Consultation, answer: ExpertAnswer) -> str:
    summary = answer.diagnosis or answer.category
    values = {"organ": consult.get_organ_display(), "summary": summary}
    if summary:
        return _("%(organ)s CEUS: %(summary)s") % values
    return _("%(organ)s CEUS consultation") % values


def _reading_point(reading: RequesterReading) -> str:
    lines = [f"- {label}: {value}" for label, value in finding_lines(reading)]
    if reading.impression:
        lines.append(f"- {_('Impression')}: {reading.impression}")
    if not lines:
        return ""
    return "\n".join([f"**{_('What a first reader thought')}**", "", *lines])


def _teaching_points(answer: ExpertAnswer, reading: RequesterReading | None) -> str:
    parts = []
    if answer.report:
        parts.append(f"**{_('Expert report')}**\n\n{answer.report}")
    if answer.recommendation:
        parts.append(f"**{_('Recommendation')}**\n\n{answer.recommendation}")
    if reading is not None:
        point = _reading_point(reading)
        if point:
            parts.append(point)
    return "\n\n".join(parts)


def _in_every_language(make) -> dict[str, str]:
    """``{field_en: …, field_zh_hans: …}`` — the generated texts, each written in its
    language (free text typed by the two sides stays as it was typed)."""
    texts = {}
    for code in settings.MODELTRANSLATION_LANGUAGES:
        with translation.override(code):
            for name, value in make().items():
                texts[build_localized_fieldname(name, code)] = value
    return texts


def teaching_case_make(
    *,
    consult: Consultation,
    by: User,
    include_reading: bool = True,
    now: datetime | None = None,
) -> CaseResult:
    """A draft case made from the answered consult (see the module doc)."""
    if not (
        rights.is_expert(by, consult)
        or (rights.is_requesting_side(by, consult) and by.is_instructor)
    ):
        raise PermissionDenied(
            _(
                "Only an expert of the centre or an instructor of the requesting institution can "
                "make a teaching case of this consultation."
            )
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        refusal = _refusal(locked)
        if refusal:
            code = "teaching_case_exists" if locked.teaching_case_id else "illegal_transition"
            raise ConsultError(refusal, code)
        answer = locked.answer
        reading = locked.reading if include_reading else None
        loop_ids = list(locked.consult_loops.values_list("loop_id", flat=True))
        fields: dict[str, Any] = {
            "visibility": default_visibility(by.institution),
            "contrast_agent": locked.contrast_agent,
            "contrast_dose": locked.contrast_dose,
            "injection_time_s": locked.injection_time_s,
            "clinical_history": locked.clinical_question,
            "final_diagnosis": answer.diagnosis,
            "certainty": answer.certainty,
            **{name: getattr(answer, name) for name in CeusFindings.FINDING_FIELDS},
            **_in_every_language(
                lambda: {
                    "title": _title(locked, answer),
                    "teaching_points": _teaching_points(answer, reading),
                }
            ),
        }
        result = case_create(
            by=by,
            organ=locked.organ,
            institution=by.institution,
            loops=[LoopSpec(pk) for pk in loop_ids],
            # The centre's expert cannot edit the requesting hospital's loops: this consult
            # lends them to the case.
            lent_loops=frozenset(loop_ids),
            **fields,
        )
        case = result.case
        annotations_replace(
            case=case,
            by=by,
            # The editor's own items: checked and measured again as the case's.
            annotations=[
                {
                    key: getattr(shape, "loop_id" if key == "loop" else key)
                    for key in ANNOTATION_KEYS
                }
                for shape in locked.annotations.all()
            ],
            phase_markers=[
                {"loop": marker.loop_id, "kind": marker.kind, "time_s": marker.time_s}
                for marker in locked.phase_markers.all()
            ],
        )
        locked.teaching_case = case
        locked.save(update_fields=["teaching_case", "updated_at"])
        record(locked, kind=EventKind.TEACHING_CASE, by=by, now=now)
    return result
