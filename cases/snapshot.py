"""A case as plain JSON, for its revision history."""

from __future__ import annotations

from typing import Any

from cases.models import Case, CeusFindings
from core.content_language import localized

# The case texts stored in English and Simplified Chinese (cases/translation.py).
CASE_TEXTS = ("title", "clinical_history", "final_diagnosis", "teaching_points")

# The fields an author edits, in the order the form shows them; the services accept exactly
# these and the revision history records them.
SNAPSHOT_FIELDS = (
    "title",
    "organ",
    "modality",
    "difficulty",
    "visibility",
    "assessment_only",
    "contrast_agent",
    "contrast_dose",
    "injection_time_s",
    "dynamic_range_db",
    "clinical_history",
    *CeusFindings.FINDING_FIELDS,
    "final_diagnosis",
    "proof",
    "certainty",
    "teaching_points",
    "references",
)


def case_snapshot(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(case, name) for name in SNAPSHOT_FIELDS}
    # The texts stored in English and Chinese: each language (the plain name above is the one
    # read when the revision was made).
    data.update({name: getattr(case, name) for name in localized(*CASE_TEXTS)})
    data["tags"] = sorted(case.tags.values_list("name", flat=True))
    data["authors"] = sorted(case.authors.values_list("pk", flat=True))
    data["loops"] = [
        {
            "loop": link.loop_id,
            "caption": link.caption,
            "starts_after_injection_s": link.starts_after_injection_s,
        }
        for link in case.case_loops.order_by("order", "pk")
    ]
    data["annotations"] = [
        {
            "id": a.pk,
            "loop": a.loop_id,
            "kind": a.kind,
            "geometry": a.geometry,
            "label": a.label,
            "t_start": a.t_start,
            "t_end": a.t_end,
            "roi_role": a.roi_role,
            "length_mm": a.length_mm,
        }
        for a in case.annotations.order_by("order", "pk")
    ]
    data["phase_markers"] = [
        {"id": m.pk, "loop": m.loop_id, "kind": m.kind, "time_s": m.time_s}
        for m in case.phase_markers.order_by("loop_id", "time_s", "pk")
    ]
    return data


def changed_keys(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Top-level keys whose values differ (none when there is no ``before``); a text changed
    in either language counts as its field (``title_zh_hans`` → ``title``)."""
    if before is None:
        return []
    names = {name: base for base in CASE_TEXTS for name in localized(base)}
    changed = [names.get(key, key) for key in after if before.get(key) != after.get(key)]
    return list(dict.fromkeys(changed))
