"""Copy a browser-playable H.264 source into the teaching MP4 as it is: no re-encoding.

Used when the source is H.264 that browsers play (8-bit 4:2:0 ``yuv420p``, profile up to
High, not the stereo syntax whose second view browsers ignore) and cleaning leaves its pixels
alone. The packets are muxed unchanged (the MP4 muxer only turns Annex B start codes into
length prefixes); the loop keeps its quality and costs no encoder time.

Timestamps are the header's timing on the 1/90000 s clock, as ``cine.video`` gives encoded
frames: frame i is shown at ``times_s[i]``. A raw stream has no timestamps and may reorder
frames (B-frames), so the decode pass records which packet each shown frame came from
(``decode_order``); a packet's presentation time follows from it, and decode times trail them
by the stream's reorder depth (the MP4's edit list starts the video at its first frame).
When packets and frames do not pair one to one (e.g. interlaced fields), or the muxer
refuses the stream, ``remux_h264`` returns None and the caller encodes instead.
"""

from __future__ import annotations

from pathlib import Path

import av
from pydicom.uid import MPEG4HP42STEREO

from cine.facts import VideoFacts
from cine.reader import CineHeader
from cine.syntaxes import H264
from cine.timing import FrameTiming
from cine.video import TIME_BASE
from cine.video_stream import open_video, packets

BROWSER_PROFILES = frozenset({"Constrained Baseline", "Baseline", "Main", "High"})
REMUX_SYNTAXES = H264 - {MPEG4HP42STEREO}  # Stereo High: extra NAL units per frame


def can_remux(header: CineHeader, *, pixels_change: bool) -> bool:
    """Whether the source stream can become the MP4 unchanged."""
    video = header.video
    return (
        video is not None
        and not pixels_change
        and header.layout.frames > 1
        and header.layout.transfer_syntax in REMUX_SYNTAXES
        and video.codec == "h264"
        and video.pix_fmt == "yuv420p"
        and video.profile in BROWSER_PROFILES
    )


def packet_times(
    decode_order: list[int], timing: FrameTiming
) -> tuple[list[int], list[int], list[int]] | None:
    """(pts, dts, duration) of each packet in decode order, in TIME_BASE ticks; None unless
    every packet gave exactly one frame."""
    count = len(decode_order)
    if count != timing.frames or sorted(decode_order) != list(range(count)):
        return None
    shown: list[int] = []  # presentation ticks, strictly increasing as in cine.video
    for t in timing.times_s:
        shown.append(max(round(t / TIME_BASE), shown[-1] + 1 if shown else 0))
    ends = [*shown[1:], shown[-1] + max(1, round(timing.last_duration_s / TIME_BASE))]
    position = [0] * count  # decode number -> presentation index
    for index, packet in enumerate(decode_order):
        position[packet] = index
    delay = max(0, max(d - position[d] for d in range(count)))  # frames of reordering
    step = min(b - a for a, b in zip(shown, ends, strict=True))
    pts = [shown[position[d]] for d in range(count)]
    dts = [shown[d - delay] if d >= delay else shown[0] - (delay - d) * step for d in range(count)]
    durations = [ends[position[d]] - shown[position[d]] for d in range(count)]
    return pts, dts, durations


def _mux(
    src: Path, header: CineHeader, path: Path, pts: list[int], dts: list[int], durations: list[int]
) -> int | None:
    """Copy every packet with its timestamps; the packet count, None if it is not len(pts)."""
    count = 0
    with (
        src.open("rb") as fp,
        open_video(fp, header.layout) as (container, stream, _),
        av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        target = out.add_stream_from_template(stream)
        target.time_base = TIME_BASE
        for packet in packets(container, stream):
            if count >= len(pts):
                return None
            packet.stream = target
            packet.time_base = TIME_BASE
            packet.pts, packet.dts, packet.duration = pts[count], dts[count], durations[count]
            out.mux(packet)
            count += 1
    return count if count == len(pts) else None


def remux_h264(
    src: Path, header: CineHeader, decode_order: list[int], timing: FrameTiming, path: Path
) -> VideoFacts | None:
    """Write ``path`` from the source's packets; its facts, or None."""
    times, video = packet_times(decode_order, timing), header.video
    if times is None or video is None:
        return None
    try:
        count = _mux(src, header, path, *times)
    except av.FFmpegError:  # a stream the MP4 muxer will not take as it is
        return None
    if count is None:
        return None
    return VideoFacts(
        file=path.name,
        codec="h264",
        encoder="copy",  # the source's packets, re-muxed
        preset=None,
        crf=None,
        pix_fmt=video.pix_fmt,
        profile=video.profile,
        width=video.width,
        height=video.height,
        frames=count,
        scale=1,  # the source's own pixels
        padded=(0, 0),
        remuxed=True,
    )
