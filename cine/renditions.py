"""Lower renditions of the teaching video, for slow links and phones (DOMAIN §9).

Besides ``video.mp4`` at full quality, a multi-frame loop gets smaller H.264 MP4s, the rungs
of ``LADDER``: ``video-medium.mp4`` (long side at most 640 px, at most 500 kbit/s) and
``video-low.mp4`` (400 px, 200 kbit/s). They are encoded from the cleaned frames as they
stream past in the pipeline's one decode pass (``cine.pipeline``), also when the full video
is the source's own H.264 re-muxed; or later from a loop's de-identified DICOM
(``renditions_from_dicom``: loops processed before renditions existed).

Every rendition has every frame at the full video's timestamps (pts on the 1/90000 s clock,
``cine.video``), so frame indices, annotation times, time-point answers and curves are the
same whichever one plays. The whole source frame is shrunk to the rendition's even size by
area averaging (swscale), never enlarged: source pixel (x, y) is at (x * width / columns,
y * height / rows). Keyframes come every ``KEYFRAME_SECONDS`` on the same frames as in the
full video (``cine.encoder_choice``).

Settings, measured on the 60 s 800 x 600 bench loop (``bench/rendition_bench.py``; PSNR of
the luma against the cleaned frames area-shrunk to the rendition's size): a capped CRF, x264's
default CRF 23 where that stays under the rung's rate and the VBV cap (maxrate, 2 s buffer)
where it would not. Against the full video (800 x 600, 2713 kbit/s, 44.6 dB), "medium" is
640 x 480 at 508 kbit/s (42.0 dB; 40.9 dB enlarged back to 800 x 600) and "low" 400 x 300 at
188 kbit/s (41.1 dB; 40.2 dB). The rungs encode with ``ultrafast`` plus CABAC and the
deblocking filter: the extra encoders are paid for in the decode pass (``bench/cine_bench.py``
must stay within 1.3 x its yardstick), and at the capped rate ultrafast lost nothing to
veryfast (41.8 vs 41.7 dB at 640 x 480, half the CPU); superfast with x264's macroblock tree
made smaller files on this slow-moving loop (84 kbit/s at 400 x 300 for 40.8 dB) for twice the
time of the rung.

A rendition is kept only where it helps (``worth_keeping``): the one above it must not fit
the rung's rate already (tiny or short loops get none), and it must be clearly smaller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from cine.display import display_frames
from cine.encoder_choice import join_params, keyframe_params
from cine.errors import InconsistentImageError
from cine.facts import RenditionFacts
from cine.reader import read_header
from cine.streams import background
from cine.timing import FrameTiming
from cine.video import Mp4Writer, VideoSettings


@dataclass(frozen=True)
class Rung:
    """One rendition of the ladder."""

    name: str
    long_side: int  # px, at most (never more than the source's own)
    max_kbps: int  # the peak rate: VBV maxrate over a ``BUFFER_SECONDS`` buffer
    crf: int = 23


LADDER = (Rung("medium", 640, 500), Rung("low", 400, 200))  # highest first
PRESET = "ultrafast"
# CABAC and the deblocking filter, which ultrafast leaves out: fewer bits, no block edges.
ULTRAFAST_EXTRAS = "cabac=1:deblock=0,0"
BUFFER_SECONDS = 2
# A rung is left out when the rendition above it carries over the rung's link within the
# loop's duration (or this long, for a shorter loop), or when it saves less than a fifth.
START_SECONDS = 2.0
MAX_SHARE = 0.8


def file_name(name: str) -> str:
    return f"video-{name}.mp4"


def rendition_size(rows: int, columns: int, long_side: int) -> tuple[int, int]:
    """(height, width): the frame shrunk so that its long side is ``long_side`` at most (never
    enlarged), each side rounded down to even (yuv420p)."""
    factor = min(1.0, long_side / max(rows, columns))
    return max(2, int(rows * factor) // 2 * 2), max(2, int(columns * factor) // 2 * 2)


def rung_settings(rung: Rung, fps: float) -> VideoSettings:
    cap = f"vbv-maxrate={rung.max_kbps}:vbv-bufsize={rung.max_kbps * BUFFER_SECONDS}"
    params = join_params(keyframe_params(fps), ULTRAFAST_EXTRAS, cap)
    return VideoSettings(preset=PRESET, crf=rung.crf, x264_params=params)


def kbps(size: int, duration_s: float) -> int:
    """Mean bitrate of a file of ``size`` bytes playing ``duration_s``, rounded up."""
    return math.ceil(size * 8 / 1000 / duration_s) if duration_s > 0 else 0


def worth_keeping(size: int, above: int, rung: Rung, duration_s: float) -> bool:
    """Whether a rendition of ``size`` bytes helps below one of ``above`` bytes: the one above
    does not fit the rung's rate, and this one is clearly smaller."""
    carried = rung.max_kbps * 1000 / 8 * max(duration_s, START_SECONDS)
    return above > carried and size <= MAX_SHARE * above


@dataclass(frozen=True)
class Written:
    """A rendition as encoded, before ``kept`` decides about it."""

    rung: Rung
    path: Path
    width: int
    height: int
    frames: int


def write_renditions(
    frames: Iterable[np.ndarray | av.VideoFrame],
    folder: Path,
    rows: int,
    columns: int,
    timing: FrameTiming,
    ladder: Sequence[Rung] = LADDER,
) -> list[Written]:
    """Encode every frame into every rung of ``ladder`` (the consumer of one stage of the
    decode pass): display frames, or the frames a full-size ``Mp4Writer`` returned; frame i
    is shown at ``timing.span_s(i)``, as in the full video."""
    with ExitStack() as stack:
        writers = []
        for rung in ladder:
            path = folder / file_name(rung.name)
            writer = Mp4Writer(
                path,
                rows,
                columns,
                timing.fps,
                rung_settings(rung, timing.fps),
                size=rendition_size(rows, columns, rung.long_side),
            )
            writers.append((rung, path, stack.enter_context(writer)))
        for i, frame in enumerate(frames):
            time_s, duration_s = timing.span_s(i)
            for _, _, writer in writers:
                writer.write(frame, time_s, duration_s)
        for _, _, writer in writers:
            writer.close()
    return [Written(r, p, w.width, w.height, w.frames) for r, p, w in writers]


def kept(written: Sequence[Written], video_bytes: int, duration_s: float) -> list[RenditionFacts]:
    """The facts of the renditions worth keeping below a full video of ``video_bytes``, each
    judged against the nearest kept one above it; the others' files are deleted."""
    out: list[RenditionFacts] = []
    above = video_bytes
    for item in written:
        size = item.path.stat().st_size
        if not worth_keeping(size, above, item.rung, duration_s):
            item.path.unlink()
            continue
        above = size
        out.append(
            RenditionFacts(
                name=item.rung.name,
                file=item.path.name,
                width=item.width,
                height=item.height,
                target_kbps=item.rung.max_kbps,
                frames=item.frames,
                bytes=size,
                kbps=kbps(size, duration_s),
            )
        )
    return out


def video_timing(path: Path) -> FrameTiming:
    """The presentation times of an MP4's frames, read from its packets (nothing decoded)."""
    spans: list[tuple[Fraction, Fraction]] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        base = stream.time_base or Fraction(1, 90000)
        for packet in container.demux(stream):
            if packet.pts is not None:
                spans.append((packet.pts * base, (packet.duration or 0) * base))
    if not spans:
        raise InconsistentImageError("the video holds no frames")
    spans.sort()
    first = spans[0][0]
    return FrameTiming(
        times_s=tuple(float(t - first) for t, _ in spans),
        last_duration_s=float(spans[-1][1]),
        source="video",
    )


def renditions_from_dicom(
    dicom: Path, video: Path, folder: Path, ladder: Sequence[Rung] = LADDER, queue_size: int = 4
) -> list[RenditionFacts]:
    """The renditions of a processed loop, written into ``folder`` from its de-identified
    DICOM ``dicom`` (cleaned frames) at the timestamps of its full video ``video``."""
    timing = video_timing(video)
    header = read_header(dicom)
    layout = header.layout
    if layout.frames != timing.frames:
        raise InconsistentImageError("the DICOM and the video hold different numbers of frames")
    frames = background(lambda: display_frames(dicom, header), queue_size)
    try:
        written = write_renditions(frames, folder, layout.rows, layout.columns, timing, ladder)
    finally:
        frames.close()
    if any(item.frames != timing.frames for item in written):
        raise InconsistentImageError("fewer frames could be decoded than the video holds")
    return kept(written, video.stat().st_size, timing.duration_s)
