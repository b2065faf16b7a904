"""Frame timing of a cine loop (PS3.3 C.7.6.5), kept at the scanner's native rate.

Order of sources (the first valid one wins; ``FrameTiming.source`` names it):

1. the tag FrameIncrementPointer (0028,0009) points to: FrameTime (0018,1063, ms) or
   FrameTimeVector (0018,1065, ms increments);
2. FrameTime, then FrameTimeVector, when the pointer is absent or points elsewhere;
3. CineRate (0018,0040), then RecommendedDisplayFrameRate (0008,2144) — display rates, frames/s;
4. ActualFrameDuration (0018,1242, ms);
5. ``default_fps`` (25 fps) with ``assumed=True``: metadata flags the loop for review.

Times are seconds from the first frame. FrameTimeVector holds the increment from the previous
frame, so its first entry should be 0; some scanners put a non-zero value there (typically the
frame interval itself). That entry is not an increment between two frames of this loop, so it
is reported as ``first_offset_s`` and frame 0 stays at t = 0 — this keeps the video starting at
its first frame and every later interval exact. A vector one entry short (the leading 0
omitted) is accepted. Each frame lasts until the next one; the last frame lasts the median
interval (FrameTime exactly for uniform loops).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

DEFAULT_FPS = 25.0
# Plausible bounds for an ultrasound frame interval: 1 ms (1000 fps) to 10 s.
MIN_INTERVAL_S = 0.001
MAX_INTERVAL_S = 10.0

FRAME_TIME = Tag(0x0018, 0x1063)
FRAME_TIME_VECTOR = Tag(0x0018, 0x1065)


@dataclass(frozen=True)
class FrameTiming:
    times_s: tuple[float, ...]  # presentation time of each frame, first = 0
    last_duration_s: float
    source: str  # FrameTime, FrameTimeVector, CineRate, ... or "default" / "single_frame"
    assumed: bool = False  # True when no tag gave the timing
    first_offset_s: float = 0.0  # FrameDelay, or a non-zero first FrameTimeVector entry

    @property
    def frames(self) -> int:
        return len(self.times_s)

    @property
    def duration_s(self) -> float:
        return self.times_s[-1] + self.last_duration_s if self.times_s else 0.0

    @property
    def uniform(self) -> bool:
        steps = self.intervals_s
        return all(math.isclose(s, self.last_duration_s, rel_tol=1e-6) for s in steps)

    @property
    def intervals_s(self) -> tuple[float, ...]:
        t = self.times_s
        return tuple(b - a for a, b in itertools.pairwise(t))

    @property
    def fps(self) -> float:
        """Native frame rate: frames per second of loop duration."""
        return self.frames / self.duration_s if self.duration_s > 0 else 0.0

    def span_s(self, index: int) -> tuple[float, float]:
        """(time, duration) of frame ``index``: shown until the next one; the last frame for
        ``last_duration_s``."""
        start = self.times_s[index]
        if index + 1 < self.frames:
            return start, self.times_s[index + 1] - start
        return start, self.last_duration_s


def _values(value: object) -> list[Any]:
    """A DICOM value as a list (pydicom gives MultiValue for several, a scalar for one)."""
    if value is None or value == "":
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _number(ds: Dataset, keyword: str) -> float | None:
    try:
        result = float(_values(ds.get(keyword))[0])
    except (TypeError, ValueError, IndexError):
        return None
    return result if math.isfinite(result) else None


def _plausible(interval_s: float | None) -> bool:
    return interval_s is not None and MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S


def uniform_timing(
    frames: int, interval_s: float, source: str, *, assumed: bool = False, offset_s: float = 0.0
) -> FrameTiming:
    times = tuple(i * interval_s for i in range(frames))
    return FrameTiming(times, interval_s, source, assumed, offset_s)


def _from_frame_time(ds: Dataset, frames: int, offset_s: float) -> FrameTiming | None:
    ms = _number(ds, "FrameTime")
    if ms is None or not _plausible(ms / 1000):
        return None
    return uniform_timing(frames, ms / 1000, "FrameTime", offset_s=offset_s)


def _from_vector(ds: Dataset, frames: int, offset_s: float) -> FrameTiming | None:
    try:
        values = [float(v) for v in _values(ds.get("FrameTimeVector"))]
    except (TypeError, ValueError):
        return None
    if not values:
        return None
    if len(values) == frames - 1:
        values = [0.0, *values]
    if len(values) != frames or not all(math.isfinite(v) for v in values):
        return None
    increments = [v / 1000 for v in values[1:]]
    if increments and not all(_plausible(i) for i in increments):
        return None
    first = values[0] / 1000
    times = [0.0]
    for inc in increments:
        times.append(times[-1] + inc)
    if increments:
        last = statistics.median(increments)
    elif _plausible(first):
        last = first  # single-frame vector: its only value is the frame's duration
    else:
        return None
    return FrameTiming(tuple(times), last, "FrameTimeVector", False, offset_s + first)


def _pointer_targets(ds: Dataset) -> list[BaseTag]:
    try:
        return [Tag(v) for v in _values(ds.get("FrameIncrementPointer"))]
    except (TypeError, ValueError, OverflowError):
        return []


def frame_timing(ds: Dataset, frames: int, default_fps: float = DEFAULT_FPS) -> FrameTiming:
    """Timing for ``frames`` frames of ``ds`` (see the module docstring for the order)."""
    if frames <= 1:
        return FrameTiming((0.0,) * frames, 0.0, "single_frame")
    delay_ms = _number(ds, "FrameDelay")
    offset_s = delay_ms / 1000 if delay_ms is not None else 0.0

    readers = {FRAME_TIME: _from_frame_time, FRAME_TIME_VECTOR: _from_vector}
    order = [t for t in _pointer_targets(ds) if t in readers]
    order += [t for t in (FRAME_TIME, FRAME_TIME_VECTOR) if t not in order]
    for tag in order:
        timing = readers[tag](ds, frames, offset_s)
        if timing is not None:
            return timing

    for keyword in ("CineRate", "RecommendedDisplayFrameRate"):
        rate = _number(ds, keyword)
        if rate and rate > 0 and _plausible(1 / rate):
            return uniform_timing(frames, 1 / rate, keyword, offset_s=offset_s)
    ms = _number(ds, "ActualFrameDuration")
    if ms is not None and _plausible(ms / 1000):
        return uniform_timing(frames, ms / 1000, "ActualFrameDuration", offset_s=offset_s)
    return uniform_timing(frames, 1 / default_fps, "default", assumed=True, offset_s=offset_s)
