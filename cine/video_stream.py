"""H.264 and HEVC cines (PS3.5 8.2.7-8.2.10): the fragments of Pixel Data, concatenated, are
one video stream, decoded here with PyAV (FFmpeg) one frame at a time.

The stream is read straight from the file through ``FragmentStream`` (a seekable view of the
fragments), so memory holds a few frames whatever the length of the loop. Its container is
recognised from its first bytes: MPEG-2 TS or MP4 (what PS3.5 now names), else a raw Annex B
elementary stream (what most files hold). The stream's own characteristics decide how it is
decoded (PS3.5 8.2.7): frames come out RGB, converted with the colour matrix and range the
stream signals, or grey when the header says the data is monochrome. Rows x Columns must match
the stream; NumberOfFrames is checked against the decoded count as frames stream past (the
pipeline), and FrameTime against the stream's own frame rate when it states one
(``check_rate``). Header timing wins; a header without timing takes the stream's rate
(``stream_timing``).
"""

from __future__ import annotations

import bisect
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import av
import numpy as np

from cine.errors import InconsistentImageError, PixelDecodeError
from cine.syntaxes import H264, HEVC
from cine.timing import FrameTiming, uniform_timing

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

    from cine.reader import PixelLayout

Fragments = tuple[tuple[int, int], ...]
# A stated rate above this is a clock tick (variable-rate streams put one in their VUI), not
# a frame rate; below 0.1 fps it is no cine either.
MAX_STREAM_FPS = 240.0
MIN_STREAM_FPS = 0.1
RATE_TOLERANCE = 0.02  # 29.97 vs 30 fps is one stream; 25 vs 30 is not
# FFmpeg reads (and holds) the start of the stream to learn its parameters before the first
# frame comes out: by default up to 5 MB or 5 s, the whole of a short loop. The parameters are
# in the first access unit; the rest arrives with the packets.
PROBE_OPTIONS = {"probesize": str(1 << 20), "analyzeduration": "1000000"}
_TS_PACKET = 188
# PS3.5 8.2.7: YBR_PARTIAL_420; the others say how the decoded frames may be stored (RGB, or
# grey for a monochrome loop), which the stream's own signalling overrides for decoding.
PHOTOMETRICS = frozenset({"YBR_PARTIAL_420", "YBR_FULL", "YBR_FULL_422", "RGB", "MONOCHROME2"})


class FragmentStream(io.RawIOBase):
    """The fragments ((offset, length), ...) of an open file, read as one seekable stream."""

    def __init__(self, fp: BinaryIO, fragments: Fragments) -> None:
        self._fp, self._fragments = fp, fragments
        self._starts: list[int] = []
        total = 0
        for _, length in fragments:
            self._starts.append(total)
            total += length
        self._size, self._pos = total, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            i = bisect.bisect_right(self._starts, self._pos) - 1
            offset, length = self._fragments[i]
            inside = self._pos - self._starts[i]
            want = min(len(view) - done, length - inside)
            self._fp.seek(offset + inside)
            data = self._fp.read(want)
            if not data:
                break
            view[done : done + len(data)] = data
            done += len(data)
            self._pos += len(data)
        return done


@dataclass(frozen=True)
class VideoStreamInfo:
    codec: str  # "h264" or "hevc"
    container: str  # "h264"/"hevc" (raw Annex B), "mpegts" or "mp4"
    profile: str | None  # e.g. "High", "Main 10"
    pix_fmt: str  # e.g. "yuv420p"
    width: int
    height: int
    fps: float | None  # the stream's own frame rate, when it states a plausible one


def _codec(ts: str) -> str:
    return "h264" if ts in H264 else "hevc"


def _codec_name(ts: str) -> str:
    return "H.264" if ts in H264 else "HEVC"


def available(ts: str) -> bool:
    return ts in H264 | HEVC and _codec(ts) in av.codecs_available


def _container_format(head: bytes, ts: str) -> str:
    if head[:1] == b"\x47" and head[_TS_PACKET : _TS_PACKET + 1] in (b"", b"\x47"):
        return "mpegts"  # sync byte every 188 bytes
    if head[4:8] == b"ftyp":
        return "mp4"
    return _codec(ts)


@contextmanager
def open_video(
    fp: BinaryIO, layout: PixelLayout
) -> Iterator[tuple[av.container.InputContainer, av.VideoStream, str]]:
    """The demuxer over the stream, its (first) video stream and the container format."""
    ts = layout.transfer_syntax
    raw = FragmentStream(fp, layout.frame_fragments[0])
    fmt = _container_format(raw.read(_TS_PACKET + 1), ts)
    raw.seek(0)
    # FFmpeg refuses frames larger than the header's (bounded) size before decoding them;
    # the margin is for coded sizes, whole macroblocks / coding tree units of up to 64 px.
    limit = {"max_pixels": str((layout.rows + 64) * (layout.columns + 64))}
    try:
        # PyAV's stub types stream_options as list[str]: each item is a stream's option dict.
        container: av.container.InputContainer = av.open(  # type: ignore[call-overload]
            raw, "r", format=fmt, options=PROBE_OPTIONS, stream_options=[limit]
        )
    except av.FFmpegError as exc:
        raise PixelDecodeError("the pixel data is not a readable video stream") from exc
    try:
        if not container.streams.video:
            raise PixelDecodeError("the pixel data holds no video stream")
        stream = container.streams.video[0]
        if stream.codec_context.name != _codec(ts):
            raise InconsistentImageError(
                f"the video stream is not {_codec_name(ts)}, as the transfer syntax says"
            )
        stream.codec_context.options = limit
        stream.thread_type = "AUTO"
        yield container, stream, fmt
    finally:
        container.close()


def packets(container: av.container.InputContainer, stream: av.VideoStream) -> Iterator[av.Packet]:
    """The stream's packets in decode order, numbered 0, 1, … in ``pts`` and ``dts``."""
    index = 0
    for packet in container.demux(stream):
        if packet.size == 0:  # the demuxer's end-of-stream marker
            continue
        packet.pts = packet.dts = index  # a decoded frame carries its packet's number
        index += 1
        yield packet


def _decoded(
    container: av.container.InputContainer, stream: av.VideoStream
) -> Iterator[av.VideoFrame]:
    for packet in packets(container, stream):
        yield from stream.decode(packet)
    yield from stream.decode(None)


def _stated_fps(stream: av.VideoStream, fmt: str) -> float | None:
    # Raw streams: the SPS/VPS timing info (FFmpeg's demuxer otherwise invents 25 fps);
    # containers: their timestamps.
    rate = stream.codec_context.framerate if fmt in ("h264", "hevc") else stream.average_rate
    if not rate:
        return None
    fps = float(rate)
    return fps if MIN_STREAM_FPS <= fps <= MAX_STREAM_FPS else None


def probe(fp: BinaryIO, layout: PixelLayout) -> VideoStreamInfo:
    """Open the stream, decode its first frame and check it against the header."""
    try:
        with open_video(fp, layout) as (container, stream, fmt):
            first = next(_decoded(container, stream), None)
            if first is None:
                raise PixelDecodeError("the video stream holds no decodable frame")
            if (first.height, first.width) != (layout.rows, layout.columns):
                raise InconsistentImageError("Rows and Columns do not match the video frame size")
            ctx = stream.codec_context
            return VideoStreamInfo(
                codec=ctx.name,
                container=fmt,
                profile=ctx.profile,
                pix_fmt=first.format.name,
                width=first.width,
                height=first.height,
                fps=_stated_fps(stream, fmt),
            )
    except av.FFmpegError as exc:
        name = _codec_name(layout.transfer_syntax)
        raise PixelDecodeError(f"the video stream cannot be decoded as {name}") from exc


def iter_video_frames(
    fp: BinaryIO, layout: PixelLayout, decode_order: list[int] | None = None
) -> Iterator[np.ndarray]:
    """Each frame in presentation order: RGB, or grey when the header says monochrome.

    ``decode_order`` receives, per frame, the number of the packet it came from (the re-mux
    needs it to time packets whose stream carries no timestamps).
    """
    fmt = "gray" if layout.samples_per_pixel == 1 else "rgb24"
    with open_video(fp, layout) as (container, stream, _):
        for frame in _decoded(container, stream):
            if (frame.height, frame.width) != (layout.rows, layout.columns):
                raise InconsistentImageError("a frame's size differs from Rows x Columns")
            if decode_order is not None:  # -1: unknown, which turns the re-mux down
                decode_order.append(-1 if frame.pts is None else int(frame.pts))
            # Converted with the matrix and range the stream signals (BT.601 limited range
            # when it signals none, as every player assumes); explicit, as older PyAV
            # releases did not default to the frame's own.
            yield frame.to_ndarray(
                format=fmt, src_colorspace=frame.colorspace, src_color_range=frame.color_range
            )


def check_rate(timing: FrameTiming, info: VideoStreamInfo) -> None:
    """Refuse a header frame rate that the stream's own rate contradicts."""
    if timing.assumed or not info.fps or timing.frames < 2 or not timing.uniform:
        return
    header_fps = 1 / timing.last_duration_s
    if not math.isclose(header_fps, info.fps, rel_tol=RATE_TOLERANCE):
        raise InconsistentImageError(
            f"the video stream runs at {info.fps:.3g} frames/s but the header's frame timing "
            f"says {header_fps:.3g}"
        )


def stream_timing(timing: FrameTiming, info: VideoStreamInfo | None) -> FrameTiming:
    """The header's timing, or the stream's rate when the header gave none."""
    if info is None or not timing.assumed or not info.fps:
        return timing
    return uniform_timing(
        timing.frames, 1 / info.fps, "video stream", offset_s=timing.first_offset_s
    )
