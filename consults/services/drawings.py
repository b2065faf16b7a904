"""The expert's drawings on a consultation's loops — outlines, arrows, measurements, curve
ROIs, phase markers — saved as one set, with the case library's own validation
(``cases.services.annotations``): the same shapes, geometry and rules as a case's.

Only the expert who claimed the consult draws, until it is answered; the drawings are then
part of the answer. Curves of ROIs are computed on demand by the loop's curve endpoint
(``GET /api/v1/cineloops/{id}/tic/?roi=…``) and stored once the consult becomes a case.

Public functions (keyword-only):
    drawings_replace(*, consult, by, annotations, phase_markers) -> DrawingSet
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cases import phi
from cases.services.annotations import (
    clean_drawings,
    label_warnings,
    replace_annotations,
    replace_markers,
)
from cineloops.models import CineLoop
from consults.models import ConsultAnnotation, Consultation, ConsultPhaseMarker
from consults.services.transitions import lock_consult, require_claimer, require_expert


@dataclass
class DrawingSet:
    annotations: list[ConsultAnnotation]
    phase_markers: list[ConsultPhaseMarker]
    warnings: list[phi.PhiWarning] = field(default_factory=list)


def drawings_replace(
    *,
    consult: Consultation,
    by: User,
    annotations: Sequence[Mapping[str, Any]],
    phase_markers: Sequence[Mapping[str, Any]],
) -> DrawingSet:
    """Make ``annotations`` and ``phase_markers`` (the case editor's items: ``loop``, ``kind``,
    ``geometry`` …, with ``id`` for kept ones) the consult's whole set."""
    require_expert(by, consult)
    with transaction.atomic():
        locked = lock_consult(consult)
        require_claimer(by, locked)
        clean_annotations, clean_markers = clean_drawings(
            loops={
                loop.pk: loop for loop in CineLoop.objects.filter(consult_links__consult=locked)
            },
            known_annotations=set(locked.annotations.values_list("pk", flat=True)),
            known_markers=set(locked.phase_markers.values_list("pk", flat=True)),
            annotations=annotations,
            phase_markers=phase_markers,
            foreign_loop=_("The loop is not part of this consultation."),
        )
        saved = replace_annotations(locked.annotations, clean_annotations)
        markers = replace_markers(locked.phase_markers, clean_markers)
    return DrawingSet(saved, markers, label_warnings(saved))
