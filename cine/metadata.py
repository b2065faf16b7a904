"""JSON-ready facts about a cine: technical values only, never a patient field.

Everything here is computed from the pixel module, timing, regions and class/transfer-syntax
UIDs (whose names come from pydicom's dictionary, not from the file). Free-text header values
(names, IDs, dates, descriptions, institution, device) are never copied, so ``info`` output and
metadata.json can be shown and logged freely.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydicom.uid import UID

from cine.cleaning import CleaningPlan
from cine.reader import US_SOP_CLASSES, CineHeader
from cine.regions import Region
from cine.syntaxes import syntax_name
from cine.timing import FrameTiming

SCHEMA_VERSION = 1


def _uid_name(uid: str) -> str | None:
    if uid in US_SOP_CLASSES:
        return US_SOP_CLASSES[uid]
    try:
        name = UID(uid).name
    except Exception:
        return None
    return name if name != uid else None  # pydicom echoes unknown UIDs


def burned_in_flag(value: object) -> str:
    """BurnedInAnnotation reduced to YES / NO / absent / other (the raw value is not echoed)."""
    text = str(value or "").strip().upper()
    if not text:
        return "absent"
    return text if text in ("YES", "NO") else "other"


def timing_facts(timing: FrameTiming, *, with_times: bool = True) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "fps": round(timing.fps, 4) if timing.frames > 1 else None,
        "duration_s": round(timing.duration_s, 4) if timing.frames > 1 else None,
        "timing_source": timing.source,
        "timing_assumed": timing.assumed,
        "frame_timing": "uniform" if timing.uniform else "variable",
        "frame_time_s": round(timing.last_duration_s, 6) if timing.uniform else None,
        "first_frame_offset_s": round(timing.first_offset_s, 6),
    }
    if with_times:
        facts["frame_times_s"] = [round(t, 4) for t in timing.times_s]
    return facts


def header_facts(
    header: CineHeader, timing: FrameTiming, regions: tuple[Region, ...]
) -> dict[str, Any]:
    """What ``python -m cine info`` prints."""
    layout = header.layout
    return {
        "sop_class": header.sop_class_uid,
        "sop_class_name": _uid_name(header.sop_class_uid),
        "is_ultrasound": header.is_ultrasound,
        "transfer_syntax": layout.transfer_syntax,
        "transfer_syntax_name": syntax_name(layout.transfer_syntax),
        "transfer_syntax_guessed": header.transfer_syntax_guessed,
        "frames": layout.frames,
        "rows": layout.rows,
        "columns": layout.columns,
        "samples_per_pixel": layout.samples_per_pixel,
        "photometric": layout.photometric,
        "bits_allocated": layout.bits_allocated,
        "bits_stored": layout.bits_stored,
        "planar_configuration": layout.planar_configuration,
        "encapsulated": layout.encapsulated,
        "decoder": header.decoder,
        "video_stream": header.video.as_dict() if header.video else None,
        **timing_facts(timing, with_times=False),
        "regions": [
            {**r.as_dict(), "fits_image": r.fits(layout.rows, layout.columns)} for r in regions
        ],
        "calibrated": any(
            r.spatial_format == 1 and r.is_calibrated_cm and r.fits(layout.rows, layout.columns)
            for r in regions
        ),
        "burned_in_annotation": burned_in_flag(header.dataset.get("BurnedInAnnotation")),
    }


def process_metadata(
    header: CineHeader,
    timing: FrameTiming,
    regions: tuple[Region, ...],
    plan: CleaningPlan,
    outputs: dict[str, Any],
) -> dict[str, Any]:
    """metadata.json: header facts, full frame times, cleaning decision and output files."""
    facts = header_facts(header, timing, regions)
    facts.update(timing_facts(timing, with_times=True))
    return {
        "schema": SCHEMA_VERSION,
        **facts,
        "pixel_cleaning": plan.decision,
        "pixel_cleaning_reason": plan.reason,
        # Stable code of the reason (``cine.cleaning.CleaningReason``), for translations.
        "pixel_cleaning_reason_code": str(plan.reason_code or ""),
        "publishable": plan.decision != "review_required",
        **outputs,
    }


def write_json(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
