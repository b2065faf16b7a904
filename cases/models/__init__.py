"""The case library's models, by concern: ``case`` (what instructors author), ``annotations``
(shapes, phase markers, curves) and ``learning`` (bookmarks, watch time)."""

from cases.models.annotations import Annotation, PhaseMarker, RoiCurve
from cases.models.case import Case, CaseLoop, CaseRevision, RevisionEvent, Tag
from cases.models.choices import (
    AnnotationKind,
    ArterialPattern,
    CaseStatus,
    Certainty,
    Difficulty,
    Enhancement,
    LiRads,
    Modality,
    Organ,
    PhaseKind,
    Proof,
    RoiRole,
    TicStatus,
    WashoutDegree,
)
from cases.models.learning import Bookmark, CaseWatch

__all__ = [
    "Annotation",
    "AnnotationKind",
    "ArterialPattern",
    "Bookmark",
    "Case",
    "CaseLoop",
    "CaseRevision",
    "CaseStatus",
    "CaseWatch",
    "Certainty",
    "Difficulty",
    "Enhancement",
    "LiRads",
    "Modality",
    "Organ",
    "PhaseKind",
    "PhaseMarker",
    "Proof",
    "RevisionEvent",
    "RoiCurve",
    "RoiRole",
    "Tag",
    "TicStatus",
    "WashoutDegree",
]
