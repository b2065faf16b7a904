"""Facts about a cine (``cine.facts``) measured from its header: technical values only, never
a patient field.

Everything here is computed from the pixel module, timing, regions and class/transfer-syntax
UIDs (whose names come from pydicom's dictionary, not from the file). Free-text header values
(names, IDs, dates, descriptions, institution, device) are never copied, so ``info`` output and
metadata.json can be shown and logged freely.
"""

from __future__ import annotations

from pydicom.uid import UID

from cine.cleaning import CleaningPlan
from cine.facts import (
    CleaningFacts,
    HeaderFacts,
    RegionFacts,
    SourceFacts,
    StreamFacts,
    TimingFacts,
)
from cine.reader import US_SOP_CLASSES, CineHeader
from cine.regions import Region
from cine.syntaxes import syntax_name
from cine.timing import FrameTiming
from cine.video_stream import VideoStreamInfo


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


def timing_facts(timing: FrameTiming) -> TimingFacts:
    multi = timing.frames > 1
    return TimingFacts(
        fps=round(timing.fps, 4) if multi else None,
        duration_s=round(timing.duration_s, 4) if multi else None,
        source=timing.source,
        assumed=timing.assumed,
        uniform=timing.uniform,
        frame_time_s=round(timing.last_duration_s, 6) if timing.uniform else None,
        first_frame_offset_s=round(timing.first_offset_s, 6),
        frame_times_s=tuple(round(t, 4) for t in timing.times_s),
    )


def stream_facts(info: VideoStreamInfo) -> StreamFacts:
    return StreamFacts(
        codec=info.codec,
        container=info.container,
        profile=info.profile,
        pix_fmt=info.pix_fmt,
        fps=round(info.fps, 4) if info.fps else None,
    )


def source_facts(header: CineHeader) -> SourceFacts:
    layout = header.layout
    return SourceFacts(
        sop_class=header.sop_class_uid,
        sop_class_name=_uid_name(header.sop_class_uid),
        is_ultrasound=header.is_ultrasound,
        transfer_syntax=layout.transfer_syntax,
        transfer_syntax_name=syntax_name(layout.transfer_syntax),
        transfer_syntax_guessed=header.transfer_syntax_guessed,
        frames=layout.frames,
        rows=layout.rows,
        columns=layout.columns,
        samples_per_pixel=layout.samples_per_pixel,
        photometric=layout.photometric,
        bits_allocated=layout.bits_allocated,
        bits_stored=layout.bits_stored,
        planar_configuration=layout.planar_configuration,
        encapsulated=layout.encapsulated,
        decoder=header.decoder,
        video_stream=stream_facts(header.video) if header.video else None,
        burned_in_annotation=burned_in_flag(header.dataset.get("BurnedInAnnotation")),
    )


def header_facts(
    header: CineHeader, timing: FrameTiming, regions: tuple[Region, ...]
) -> HeaderFacts:
    """What ``python -m cine info`` prints (``HeaderFacts.to_json()``)."""
    rows, columns = header.layout.rows, header.layout.columns
    return HeaderFacts(
        source=source_facts(header),
        timing=timing_facts(timing),
        regions=tuple(RegionFacts(r, r.fits(rows, columns)) for r in regions),
    )


def cleaning_facts(plan: CleaningPlan) -> CleaningFacts:
    return CleaningFacts(decision=plan.decision, reason=plan.reason, reason_code=plan.reason_code)
