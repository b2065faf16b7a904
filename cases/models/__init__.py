"""The case library's models, by concern: ``case`` (what instructors author), ``findings`` (the
structured CEUS findings), ``annotations`` (shapes, phase markers, curves) and ``learning``
(bookmarks, watch time)."""

from cases.models.annotations import Annotation, AnnotationShape, PhaseMark, PhaseMarker, RoiCurve
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
from cases.models.findings import CeusContrast, CeusFindings, category_error
from cases.models.learning import Bookmark, CaseWatch

__all__ = [
    "Annotation",
    "AnnotationKind",
    "AnnotationShape",
    "ArterialPattern",
    "Bookmark",
    "Case",
    "CaseLoop",
    "CaseRevision",
    "CaseStatus",
    "CaseWatch",
    "Certainty",
    "CeusContrast",
    "CeusFindings",
    "Difficulty",
    "Enhancement",
    "LiRads",
    "Modality",
    "Organ",
    "PhaseKind",
    "PhaseMark",
    "PhaseMarker",
    "Proof",
    "RevisionEvent",
    "RoiCurve",
    "RoiRole",
    "Tag",
    "TicStatus",
    "WashoutDegree",
    "category_error",
]
