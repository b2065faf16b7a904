"""Phase bands of a loop's timeline, from the author's phase markers or default timings.

Pure functions over plain values. Times are seconds on the loop's own timeline;
``injection_s`` is the loop time at which contrast was injected (t0; negative when the loop
started after the injection; None when unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.models import Case, CaseLoop

PHASES = ("arterial", "portal_venous", "late")
# Which marker starts which phase; the arterial phase also starts at contrast arrival.
PHASE_STARTS = {
    "arterial": ("arterial_onset", "arrival"),
    "portal_venous": ("portal_venous",),
    "late": ("late",),
}


def injection_on_loop(case: Case, link: CaseLoop, index: int) -> float | None:
    """t0 on the timeline of the case's loop ``index`` (``link``): the case's injection time
    on the first loop; on a later one, minus its recording's start after the injection."""
    if index == 0:
        return case.injection_time_s
    if link.starts_after_injection_s is not None:
        return -link.starts_after_injection_s
    return None


def phase_bands(
    markers: Mapping[str, float],
    *,
    injection_s: float | None,
    defaults: Mapping[str, tuple[float, float]],
    duration_s: float | None = None,
) -> list[dict[str, float | str]]:
    """Bands ``[{phase, start_s, end_s}]`` in phase order.

    A phase starts at its marker, else at t0 + its default start; it ends where the next
    phase starts, the last one at t0 + its default end (or the loop's end without t0).
    Bands are clipped to [0, duration_s] when the duration is known; a band that cannot be
    placed or is empty after clipping is left out.
    """
    starts: dict[str, float | None] = {}
    for phase in PHASES:
        marked = next((markers[k] for k in PHASE_STARTS[phase] if k in markers), None)
        default = injection_s + defaults[phase][0] if injection_s is not None else None
        starts[phase] = marked if marked is not None else default
    bands = []
    for index, phase in enumerate(PHASES):
        start = starts[phase]
        if start is None:
            continue
        following = [starts[p] for p in PHASES[index + 1 :] if starts[p] is not None]
        if following:
            end = following[0]
        elif injection_s is not None:
            end = injection_s + defaults[phase][1]
        else:
            end = duration_s
        if end is None:
            continue
        if duration_s is not None:
            start, end = max(start, 0.0), min(end, duration_s)
        if end > start:
            bands.append({"phase": phase, "start_s": round(start, 3), "end_s": round(end, 3)})
    return bands
