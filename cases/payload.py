"""The case payload as plain values: what ``GET /api/v1/cases/{id}/`` returns and the case page
embeds (``case_json``). ``cases.api.serializers.CaseDetailSerializer`` declares its shape for
the OpenAPI schema and delegates here: DRF's field machinery costs several milliseconds per
case, more than the queries (a test checks that both list the same keys).

Built from prefetched rows only (``selectors.detail_cases``), so a case page costs the same
queries whatever it holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString
from rest_framework.fields import DateTimeField

from cases import conf
from cases.measure import region_summary
from cases.models import AnnotationShape, Case, CaseLoop, PhaseMark
from cases.timeline import injection_on_loop, phase_bands
from cine.facts import LoopFacts
from cineloops.models import CineLoop
from cineloops.playback import renditions_payload
from cineloops.selectors import loop_facts
from core.content_language import fallbacks
from core.markdown import render_markdown

TICS_URL_TEMPLATE = "/api/v1/cineloops/{loop}/tic/?roi={annotation}"


def _markers_by_loop(case: Case) -> dict[int, dict[str, float]]:
    markers: dict[int, dict[str, float]] = {}
    for marker in case.phase_markers.all():
        markers.setdefault(marker.loop_id, {})[marker.kind] = marker.time_s
    return markers


def loop_bands(case: Case, link: CaseLoop, index: int, markers) -> list[dict[str, Any]]:
    return phase_bands(
        markers.get(link.loop_id, {}),
        injection_s=injection_on_loop(case, link, index),
        defaults=conf.phase_defaults(),
        duration_s=link.loop.duration_s,
    )


def thumbnails_payload(facts: LoopFacts | None) -> dict[str, Any] | None:
    """The thumbnail strip as the viewer reads it (``ThumbnailsSerializer``)."""
    if facts is None:
        return None
    strip = facts.thumbnails
    return {
        "count": strip.count,
        "tile_width": strip.width,
        "tile_height": strip.height,
        "frame_indices": list(strip.frame_indices),
    }


def loop_entry(
    loop: CineLoop,
    *,
    order: int,
    caption: str,
    injection_s: float | None,
    starts_after_injection_s: float | None,
    markers: Mapping[str, float],
) -> dict[str, Any]:
    """One loop as the viewer reads it (``static/js/viewer.js``): media, timing, calibrated
    regions, t0 on its timeline and its phase bands. Also the consult page's loops."""
    return {
        "id": loop.pk,
        "order": order,
        "caption": caption,
        "status": loop.status,
        "fps": loop.fps,
        "frames": loop.frames,
        "duration_s": loop.duration_s,
        "rows": loop.rows,
        "columns": loop.columns,
        "video_url": loop.media_url("video"),
        "renditions": renditions_payload(loop),
        "poster_url": loop.media_url("poster"),
        "thumbnails_url": loop.media_url("thumbnails"),
        "thumbnails": thumbnails_payload(loop_facts(loop)),
        "regions": [region_summary(region) for region in loop.regions or []],
        "injection_time_s": injection_s,
        "starts_after_injection_s": starts_after_injection_s,
        "phase_bands": phase_bands(
            markers,
            injection_s=injection_s,
            defaults=conf.phase_defaults(),
            duration_s=loop.duration_s,
        ),
    }


def loop_entries(case: Case) -> list[dict[str, Any]]:
    markers = _markers_by_loop(case)
    return [
        loop_entry(
            link.loop,
            order=index,
            caption=link.caption,
            injection_s=injection_on_loop(case, link, index),
            starts_after_injection_s=link.starts_after_injection_s,
            markers=markers.get(link.loop_id, {}),
        )
        for index, link in enumerate(case.case_loops.all())
    ]


def case_bands(case: Case) -> list[dict[str, Any]]:
    """The bands of the first loop's timeline (where the case's t0 lives)."""
    links = list(case.case_loops.all())
    if not links:
        return []
    return loop_bands(case, links[0], 0, _markers_by_loop(case))


def poster_url(case: Case) -> str | None:
    links = list(case.case_loops.all())
    return links[0].loop.media_url("poster") if links else None


def page_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"pk": case.pk})


DISPLAY_FIELDS = (
    "organ",
    "modality",
    "status",
    "visibility",
    "difficulty",
    "proof",
    "certainty",
    "arterial_enhancement",
    "arterial_pattern",
    "portal_venous_enhancement",
    "late_enhancement",
    "washout_degree",
)
_DATETIME = DateTimeField()  # the API's own date format


@lru_cache(maxsize=1024)
def markdown(text: str) -> SafeString:
    """Rendered Markdown, remembered: the same case texts are shown again and again."""
    return render_markdown(text)


def findings_of(case: Case) -> dict[str, Any]:
    return {
        "arterial": {"enhancement": case.arterial_enhancement, "pattern": case.arterial_pattern},
        "portal_venous": {"enhancement": case.portal_venous_enhancement},
        "late": {"enhancement": case.late_enhancement},
        "washout_onset_s": case.washout_onset_s,
        "washout_degree": case.washout_degree,
    }


def display_of(case: Case) -> dict[str, str]:
    """Labels of the coded fields in the reader's language."""
    return {name: str(getattr(case, f"get_{name}_display")()) for name in DISPLAY_FIELDS}


def annotation_dict(annotation: AnnotationShape) -> dict[str, Any]:
    """A case's annotation — or a consultation's, which has the same shape (no stored curve)."""
    tic_status = None
    if annotation.is_roi:
        curve = getattr(annotation, "curve", None)
        tic_status = curve.status if curve is not None else None
    return {
        "id": annotation.pk,
        "loop": annotation.loop_id,
        "kind": annotation.kind,
        "geometry": annotation.geometry,
        "label": annotation.label,
        "t_start": annotation.t_start,
        "t_end": annotation.t_end,
        "roi_role": annotation.roi_role,
        "length_mm": annotation.length_mm,
        "tic_status": tic_status,
    }


def marker_dict(marker: PhaseMark) -> dict[str, Any]:
    return {"id": marker.pk, "loop": marker.loop_id, "kind": marker.kind, "time_s": marker.time_s}


def case_detail(case: Case, *, can_edit: bool) -> dict[str, Any]:
    """The whole payload of one case (see the module doc)."""
    return {
        "id": case.pk,
        "title": case.title,
        "organ": case.organ,
        "modality": case.modality,
        "contrast_agent": case.contrast_agent,
        "contrast_dose": case.contrast_dose,
        "injection_time_s": case.injection_time_s,
        "dynamic_range_db": case.dynamic_range_db,
        "clinical_history": case.clinical_history,
        "clinical_history_html": str(markdown(case.clinical_history)),
        "findings": findings_of(case),
        "category": case.category,
        "final_diagnosis": case.final_diagnosis,
        "proof": case.proof,
        "certainty": case.certainty,
        "teaching_points": case.teaching_points,
        "teaching_points_html": str(markdown(case.teaching_points)),
        "references": case.references,
        "references_html": str(markdown(case.references)),
        "difficulty": case.difficulty,
        "tags": [tag.name for tag in case.tags.all()],
        "status": case.status,
        "visibility": case.visibility,
        "assessment_only": case.assessment_only,
        "institution": case.institution_id,
        "institution_name": case.institution.name,
        "fallback": {
            **fallbacks(case, "title", "clinical_history", "final_diagnosis", "teaching_points"),
            **fallbacks(case.institution, "name", names={"name": "institution_name"}),
        },
        "can_edit": can_edit,
        "loops": loop_entries(case),
        "annotations": [annotation_dict(a) for a in case.annotations.all()],
        "phase_markers": [marker_dict(m) for m in case.phase_markers.all()],
        "phase_bands": case_bands(case),
        "tics_url_template": TICS_URL_TEMPLATE,
        "display": display_of(case),
        "url": page_url(case),
        "published_at": _DATETIME.to_representation(case.published_at)
        if case.published_at
        else None,
        "updated_at": _DATETIME.to_representation(case.updated_at),
    }
