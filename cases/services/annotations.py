"""Replacing a case's annotations and phase markers as one set (the editor's "Save").

Every item is validated before anything is written; then, in one transaction, items with an
id are updated (ids never move between cases), items without one are created and the rest
deleted. ROIs whose inputs changed get their time-intensity curve queued after commit, and
measurements get their calibrated length. A published case records a revision.

The validation and the replacement work on any owner of ``AnnotationShape`` / ``PhaseMark``
rows (``clean_drawings``, ``replace_annotations``, ``replace_markers``): a consultation's
drawings (``consults.services.drawings``) are checked and saved by the same code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from cases import phi
from cases.geometry import ROI_KINDS, clean_geometry
from cases.measure import length_mm, loop_regions
from cases.models import (
    Annotation,
    AnnotationKind,
    AnnotationShape,
    Case,
    PhaseKind,
    PhaseMarker,
    RoiRole,
)
from cases.services.authoring import lock_current_status, record_revision, require_editor
from cases.services.tic import refresh_case_curves
from cine.regions import MeasurementRefused
from cineloops.models import CineLoop

MAX_ITEMS = 500
ANNOTATION_KEYS = ("loop", "kind", "geometry", "label", "t_start", "t_end", "roi_role")


@dataclass
class AnnotationSet:
    annotations: list[Annotation]
    phase_markers: list[PhaseMarker]
    warnings: list[phi.PhiWarning] = field(default_factory=list)


class _Errors:
    """Collects "Annotation 3: …" messages so the author sees every problem at once."""

    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, group: str, index: int | None, message: str) -> None:
        prefix = {
            "annotations": _("Annotation %(number)s"),
            "phase_markers": _("Phase marker %(number)s"),
        }[group]
        text = f"{prefix % {'number': index + 1}}: {message}" if index is not None else message
        self.messages.setdefault(group, []).append(text)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def _time(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(_("Times must be numbers of seconds."))
    if value < 0:
        raise ValidationError(_("Times cannot be negative."))
    return round(float(value), 3)


def _measure(geometry: dict[str, float], loop: CineLoop) -> float:
    p1, p2 = (geometry["x1"], geometry["y1"]), (geometry["x2"], geometry["y2"])
    regions = loop_regions(loop.regions)
    if not any(r.contains(*p1) and r.contains(*p2) for r in regions):
        raise ValidationError(
            _(
                "This measurement cannot be made: both ends must lie in the same calibrated "
                "ultrasound region of the image."
            )
        )
    try:
        return round(length_mm(p1, p2, loop.regions), 2)
    except MeasurementRefused:
        raise ValidationError(
            _("This measurement cannot be made: the image region is not calibrated in cm.")
        ) from None


def _foreign_loop() -> str:
    return _("The loop is not part of this case.")


def _clean_annotation(
    item: Mapping[str, Any], loops: dict[int, CineLoop], foreign_loop: str
) -> dict[str, Any]:
    loop = loops.get(item.get("loop"))  # type: ignore[arg-type]
    if loop is None:
        raise ValidationError(foreign_loop)
    kind = item.get("kind")
    if kind not in AnnotationKind.values:
        raise ValidationError(_("Unknown annotation kind."))
    size = (loop.columns, loop.rows) if loop.columns and loop.rows else None
    geometry = clean_geometry(kind, item.get("geometry"), size)
    role = item.get("roi_role") or ""
    if role not in RoiRole.values:
        raise ValidationError(_("Unknown curve role."))
    if role and kind not in ROI_KINDS:
        raise ValidationError(_("Only ellipses and polygons can have a curve role."))
    t_start, t_end = _time(item.get("t_start")), _time(item.get("t_end"))
    if t_start is not None and t_end is not None and t_end < t_start:
        raise ValidationError(_("The annotation must end after it starts."))
    label = str(item.get("label") or "").strip()
    if len(label) > 200:
        raise ValidationError(_("Labels are at most 200 characters long."))
    return {
        "loop_id": loop.pk,
        "kind": kind,
        "geometry": geometry,
        "label": label,
        "t_start": t_start,
        "t_end": t_end,
        "roi_role": role,
        "length_mm": _measure(geometry, loop) if kind == AnnotationKind.MEASURE else None,
    }


def _clean_marker(
    item: Mapping[str, Any], loops: dict[int, CineLoop], foreign_loop: str
) -> dict[str, Any]:
    loop = loops.get(item.get("loop"))  # type: ignore[arg-type]
    if loop is None:
        raise ValidationError(foreign_loop)
    if item.get("kind") not in PhaseKind.values:
        raise ValidationError(_("Unknown phase marker."))
    time_s = _time(item.get("time_s"))
    if time_s is None:
        raise ValidationError(_("A phase marker needs a time."))
    if loop.duration_s is not None and time_s > loop.duration_s + 1e-6:
        raise ValidationError(_("The time is after the end of the loop."))
    return {"loop_id": loop.pk, "kind": item["kind"], "time_s": time_s}


def _ids(items: Sequence[Mapping[str, Any]], known: set[int], group: str, errors: _Errors):
    seen: set[int] = set()
    for index, item in enumerate(items):
        pk = item.get("id")
        if pk is None:
            continue
        if pk not in known or pk in seen:
            errors.add(group, index, _("Unknown or repeated id."))
        seen.add(pk)


Cleaned = list[tuple[int | None, dict[str, Any]]]


def clean_drawings(
    *,
    loops: dict[int, CineLoop],
    known_annotations: set[int],
    known_markers: set[int],
    annotations: Sequence[Mapping[str, Any]],
    phase_markers: Sequence[Mapping[str, Any]],
    foreign_loop: str | None = None,
) -> tuple[Cleaned, Cleaned]:
    """Every item checked against the owner's ``loops`` (by id) and the ids it already has;
    (id, cleaned values) pairs, or one ``ValidationError`` with every problem. ``foreign_loop``
    is the message for a loop the owner does not have."""
    foreign_loop = foreign_loop or _foreign_loop()
    errors = _Errors()
    if len(annotations) > MAX_ITEMS or len(phase_markers) > MAX_ITEMS:
        raise ValidationError(_("Too many items (at most %(max)s).") % {"max": MAX_ITEMS})
    _ids(annotations, known_annotations, "annotations", errors)
    _ids(phase_markers, known_markers, "phase_markers", errors)
    clean_annotations, clean_markers = [], []
    for index, item in enumerate(annotations):
        try:
            clean_annotations.append((item.get("id"), _clean_annotation(item, loops, foreign_loop)))
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("annotations", index, message)
    taken: set[tuple[int, str]] = set()
    for index, item in enumerate(phase_markers):
        try:
            clean = _clean_marker(item, loops, foreign_loop)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("phase_markers", index, message)
            continue
        if (clean["loop_id"], clean["kind"]) in taken:
            errors.add("phase_markers", index, _("This loop already has a marker of this kind."))
        taken.add((clean["loop_id"], clean["kind"]))
        clean_markers.append((item.get("id"), clean))
    errors.raise_any()
    return clean_annotations, clean_markers


def _validate(case: Case, annotations, phase_markers) -> tuple[Cleaned, Cleaned]:
    return clean_drawings(
        loops={loop.pk: loop for loop in CineLoop.objects.filter(case_links__case=case)},
        known_annotations=set(case.annotations.values_list("pk", flat=True)),
        known_markers=set(case.phase_markers.values_list("pk", flat=True)),
        annotations=annotations,
        phase_markers=phase_markers,
    )


def replace_annotations(manager, items: Cleaned) -> list:
    """Make ``items`` (from ``clean_drawings``) the whole set of ``manager`` (an owner's
    related manager of ``AnnotationShape`` rows: ``case.annotations``)."""
    existing = {obj.pk: obj for obj in manager.all()}
    keep = {pk for pk, _data in items if pk is not None}
    manager.exclude(pk__in=keep).delete()
    saved = []
    for position, (pk, data) in enumerate(items):
        values = {**data, "order": position}
        annotation = existing.get(pk) if pk is not None else None
        if annotation is None:
            annotation = manager.create(**values)
        else:
            changed = [name for name, value in values.items() if getattr(annotation, name) != value]
            for name in changed:
                setattr(annotation, name, values[name])
            if changed:
                annotation.save(update_fields=[*changed, "updated_at"])
        saved.append(annotation)
    return saved


def replace_markers(manager, items: Cleaned) -> list:
    """Markers keep their id while their loop and kind stay; a marker moved to another loop or
    kind is replaced, so (loop, kind) stays unique at every step. ``manager``: an owner's
    related manager of ``PhaseMark`` rows (``case.phase_markers``)."""
    existing = {obj.pk: obj for obj in manager.all()}
    kept = {
        pk
        for pk, data in items
        if pk in existing
        and (existing[pk].loop_id, existing[pk].kind) == (data["loop_id"], data["kind"])
    }
    manager.exclude(pk__in=kept).delete()
    saved = []
    for pk, data in items:
        if pk in kept:
            marker = existing[pk]
            if marker.time_s != data["time_s"]:
                marker.time_s = data["time_s"]
                marker.save(update_fields=["time_s"])
        else:
            marker = manager.create(**data)
        saved.append(marker)
    return saved


def annotations_replace(
    *,
    case: Case,
    by: User,
    annotations: Sequence[Mapping[str, Any]],
    phase_markers: Sequence[Mapping[str, Any]],
) -> AnnotationSet:
    """Make ``annotations`` and ``phase_markers`` the case's whole set (see module doc)."""
    require_editor(case, by)
    clean_annotations, clean_markers = _validate(case, annotations, phase_markers)
    with transaction.atomic():
        lock_current_status(case)  # one save at a time
        saved = replace_annotations(case.annotations, clean_annotations)
        markers = replace_markers(case.phase_markers, clean_markers)
        refresh_case_curves(case=case)
        if case.is_published:
            record_revision(case, by, "annotated")
    return AnnotationSet(saved, markers, label_warnings(saved))


def label_warnings(saved: Sequence[AnnotationShape]) -> list[phi.PhiWarning]:
    """Labels that look like a patient identifier (saving is not refused for them)."""
    labels = {
        f"annotation-{index + 1}": (_("Annotation %(number)s") % {"number": index + 1}, a.label)
        for index, a in enumerate(saved)
    }
    return phi.check_texts(labels)
