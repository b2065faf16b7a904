"""One decode pass over a cine: clean, measure and encode every frame as it streams past.

``process(src, out_dir)`` writes into ``out_dir``:

* ``video.mp4`` — H.264 (multi-frame input only), native timing (see ``cine.video``); an
  H.264 source that browsers play is re-muxed as it is when cleaning changes no pixel
  (``cine.remux``, at scale 1: its chroma is 4:2:0 already); small colour loops otherwise
  enlarged ``facts.video.scale`` times each way (``cine.encoder_choice``), every other
  output and coordinate in source pixels;
* ``video-medium.mp4``, ``video-low.mp4`` — the lower renditions (``cine.renditions``), the
  same frames at the same timestamps, smaller; only those worth having
  (``facts.video.renditions``);
* ``poster.jpg`` — the frame with the highest mean intensity inside the 2D region;
* ``thumbs.jpg`` — evenly spaced small frames in one horizontal strip;
* ``intensity.npy`` — T x h x w uint8 luma, long side ≤ 160 px, for time-intensity curves;
  ``facts.intensity.scale = (sx, sy)`` original pixels per stack pixel (one integer
  factor f for both: stack pixel (i, j) averages original rows [i*f, (i+1)*f) and columns
  [j*f, (j+1)*f));
* ``deidentified.dcm`` — compact de-identified DICOM of the cleaned frames (when a
  ``DicomWriter`` is given: it needs the de-identification secret);
* ``metadata.json`` — the ``cine.facts.LoopFacts`` that ``process()`` returns, serialised.

Every output shows the cleaned frames (see ``cine.cleaning``). Threads: decode + convert +
clean in one, DICOM encoding in another, the renditions in a third, the rest (x264 has its own
threads) here. Outputs are built in a temporary directory beside ``out_dir`` and renamed into
place at the end, so a failure leaves nothing half-written and a rerun replaces the previous
result.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from numpy.lib.format import write_array_header_1_0

from cine.cleaning import FULL_IMAGE_FRACTION, CleaningPlan, Polygon, plan_cleaning
from cine.dataset_checks import quiet_pydicom
from cine.display import display_frames
from cine.encoder_choice import (
    COLOUR_FLOW_DATA_TYPE,
    choose_crf,
    choose_scale,
    join_params,
    keyframe_params,
    x264_params,
)
from cine.errors import InconsistentImageError
from cine.facts import (
    DicomFacts,
    IntensityFacts,
    LoopFacts,
    PosterFacts,
    ThumbnailFacts,
    VideoFacts,
)
from cine.facts import write as write_facts
from cine.frames import luma, reduce, reduce_factor
from cine.images import PosterPicker, ThumbnailStrip, save_jpeg, thumbnail_indices
from cine.metadata import cleaning_facts, header_facts
from cine.reader import CineHeader, read_header
from cine.regions import Region, parse_regions, regions_fitting
from cine.remux import can_remux, remux_h264
from cine.renditions import LADDER, Rung, Written, kbps, kept, write_renditions
from cine.streams import ThreadedConsumer, background
from cine.timing import DEFAULT_FPS, FrameTiming, frame_timing
from cine.video import Mp4Writer, VideoSettings
from cine.video_stream import stream_timing

Progress = Callable[[int], None]
ManualMask = np.ndarray | Iterable[Polygon]
# Values that describe the stored greyscale range: wrong once frames are windowed to 8 bits.
GREY_RANGE_KEYWORDS = (
    "WindowCenter",
    "WindowWidth",
    "WindowCenterWidthExplanation",
    "VOILUTFunction",
    "VOILUTSequence",
    "RescaleSlope",
    "RescaleIntercept",
    "RescaleType",
    "ModalityLUTSequence",
)


@dataclass(frozen=True)
class ProcessOptions:
    video: VideoSettings = field(default_factory=VideoSettings)
    thumb_count: int = 24
    preview_long_side: int = 160  # thumbnails and intensity stack share one reduction
    default_fps: float = DEFAULT_FPS
    full_image_fraction: float = FULL_IMAGE_FRACTION
    queue_size: int = 4
    renditions: tuple[Rung, ...] = LADDER  # highest first; () for none


@dataclass(frozen=True)
class ProcessResult:
    out_dir: Path
    facts: LoopFacts = field(compare=False, repr=False)  # also in out_dir / "metadata.json"


@dataclass(frozen=True)
class _Outputs:
    """What ``_render`` wrote."""

    video: VideoFacts | None
    poster: PosterFacts
    thumbnails: ThumbnailFacts
    intensity: IntensityFacts
    dicom: DicomFacts | None


class DicomWriter(Protocol):
    """Writes the cleaned frames as a de-identified DICOM file; returns its facts."""

    def __call__(
        self,
        header: CineHeader,
        frames: Iterator[np.ndarray],
        path: Path,
        *,
        photometric: str,
        timing: FrameTiming,
        pixels_cleaned: bool,
        windowed: bool,
    ) -> DicomFacts: ...


def deidentified_dicom_writer(secret: bytes, *, lossy: bool = False) -> DicomWriter:
    """The project's writer: ``cine.deid`` header + ``cine.dicom_writer`` compact pixels
    (lossless for a lossless source unless ``lossy``: see ``cine.dicom_writer``)."""
    from cine.deid import deidentify_dataset
    from cine.dicom_writer import write_deidentified_dicom
    from cine.uids import check_secret

    check_secret(secret)

    def write(
        header: CineHeader,
        frames: Iterator[np.ndarray],
        path: Path,
        *,
        photometric: str,
        timing: FrameTiming,
        pixels_cleaned: bool,
        windowed: bool,
    ) -> DicomFacts:
        out = deidentify_dataset(header.dataset, secret=secret, pixels_cleaned=pixels_cleaned)
        if windowed:
            for keyword in GREY_RANGE_KEYWORDS:
                out.pop(keyword, None)
        timing_args: dict[str, Any] = {}
        if timing.frames > 1 and timing.uniform:
            timing_args["frame_time_ms"] = timing.last_duration_s * 1000
        elif timing.frames > 1:
            timing_args["frame_time_vector_ms"] = [0.0] + [s * 1000 for s in timing.intervals_s]
        written = write_deidentified_dicom(
            out, frames, path, photometric_in=photometric, compress=True, lossy=lossy, **timing_args
        )
        return DicomFacts(
            file=path.name,
            transfer_syntax=written.transfer_syntax_uid,
            photometric=written.photometric,
            frames=written.n_frames,
            compression_ratio=written.compression_ratio,
        )

    return write


def _score_mask(
    regions: tuple[Region, ...], plan: CleaningPlan, rows: int, columns: int, factor: int
) -> np.ndarray | None:
    """Where the poster score is measured, on the stack grid: 2D regions, else kept pixels."""
    full = np.zeros((rows, columns), np.uint8)
    for r in regions:
        if r.spatial_format == 1:
            full[r.min_y : r.max_y + 1, r.min_x : r.max_x + 1] = 255
    if not full.any():
        if plan.keep is None:
            return None
        full = plan.keep.astype(np.uint8) * 255
    small = reduce(full, factor) >= 128
    return small if small.any() else None


def _publish(work: Path, out_dir: Path) -> None:
    os.chmod(work, 0o755)  # mkdtemp makes it private; outputs are served to the web app
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".cine-old-{uuid.uuid4().hex}")
        os.replace(out_dir, old)
    os.replace(work, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def process(
    src: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    manual_mask: ManualMask | None = None,
    progress: Progress | None = None,
    dicom_writer: DicomWriter | None = None,
    options: ProcessOptions | None = None,
) -> ProcessResult:
    """Process one DICOM file into ``out_dir`` (see the module docstring).

    ``manual_mask``: boolean rows x columns array of pixels to keep, or polygons of (x, y)
    points (two points = rectangle corners). ``progress(percent)`` is called with 0…100.
    Raises ``CineError`` for input that cannot be handled, and with a ``dicom_writer``
    for anything but an ultrasound image (``UnsupportedSopClassError``).
    """
    with quiet_pydicom():  # header values parsed below must not leak into warnings/logs
        return _process(Path(src), Path(out_dir), manual_mask, progress, dicom_writer, options)


def _process(
    src: Path,
    out_dir: Path,
    manual_mask: ManualMask | None,
    progress: Progress | None,
    dicom_writer: DicomWriter | None,
    options: ProcessOptions | None,
) -> ProcessResult:
    options = options or ProcessOptions()
    # The DICOM writer writes ultrasound objects: refuse others before anything else.
    header = read_header(src, ultrasound_only=dicom_writer is not None)
    layout = header.layout
    all_regions = parse_regions(header.dataset)
    regions = regions_fitting(all_regions, layout.rows, layout.columns)
    timing = frame_timing(header.dataset, layout.frames, options.default_fps)
    timing = stream_timing(timing, header.video)
    plan = plan_cleaning(
        all_regions,
        layout.rows,
        layout.columns,
        header.dataset.get("BurnedInAnnotation"),
        manual_mask,
        options.full_image_fraction,
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".cine-", suffix=".partial", dir=out_dir.parent))
    try:
        out = _render(src, header, timing, regions, plan, work, progress, dicom_writer, options)
        known = header_facts(header, timing, all_regions)
        facts = LoopFacts(
            source=known.source,
            timing=known.timing,
            regions=known.regions,
            cleaning=cleaning_facts(plan),
            poster=out.poster,
            thumbnails=out.thumbnails,
            intensity=out.intensity,
            video=out.video,
            dicom=out.dicom,
        )
        write_facts(facts, work / "metadata.json")
        _publish(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ProcessResult(out_dir, facts)


def _render(
    src: Path,
    header: CineHeader,
    timing: FrameTiming,
    regions: tuple[Region, ...],
    plan: CleaningPlan,
    work: Path,
    progress: Progress | None,
    dicom_writer: DicomWriter | None,
    options: ProcessOptions,
) -> _Outputs:
    layout = header.layout
    total, rows, columns = layout.frames, layout.rows, layout.columns
    colour = layout.samples_per_pixel == 3 or layout.photometric == "PALETTE COLOR"
    # Grey frames leave as 8-bit display values (window, rescale, MONOCHROME1 applied).
    windowed = not colour
    factor = reduce_factor(rows, columns, options.preview_long_side)
    h, w = rows // factor, columns // factor
    score_mask = _score_mask(regions, plan, rows, columns, factor)
    poster = PosterPicker()
    thumbs = ThumbnailStrip(thumbnail_indices(total, options.thumb_count))
    times = timing.times_s
    reported = -1
    settings = options.video
    if settings.crf is None:
        colour_flow = any(r.data_type == COLOUR_FLOW_DATA_TYPE for r in regions)
        scale = choose_scale(rows, columns, total, colour=colour)
        crf = choose_crf(rows, columns, total, colour=colour, colour_flow=colour_flow, scale=scale)
        params = join_params(x264_params(scale), keyframe_params(timing.fps))
        settings = dataclasses.replace(settings, crf=crf, scale=scale, x264_params=params)
    remux = can_remux(header, pixels_change=plan.blanks)
    decode_order: list[int] | None = [] if remux else None

    with ExitStack() as stack:
        frames = background(
            lambda: display_frames(src, header, plan, decode_order), options.queue_size
        )
        stack.callback(frames.close)
        stack_file = stack.enter_context((work / "intensity.npy").open("wb"))
        write_array_header_1_0(
            stack_file, {"descr": "|u1", "fortran_order": False, "shape": (total, h, w)}
        )
        video = None
        if total > 1 and not remux:
            video = stack.enter_context(
                Mp4Writer(work / "video.mp4", rows, columns, timing.fps, settings)
            )
        dicom: ThreadedConsumer[np.ndarray, DicomFacts] | None = None
        if dicom_writer is not None:
            dicom = ThreadedConsumer(
                lambda items: dicom_writer(
                    header,
                    items,
                    work / "deidentified.dcm",
                    photometric="RGB" if colour else "MONOCHROME2",
                    timing=timing,
                    pixels_cleaned=plan.blanks,
                    windowed=windowed,
                ),
                options.queue_size,
            )
            stack.callback(dicom.abort)
        renditions: ThreadedConsumer[np.ndarray | av.VideoFrame, list[Written]] | None = None
        # The renditions shrink the full video's own yuv420p frame when it is the source's
        # size: half the conversion work of starting again from RGB.
        shrink_encoded = video is not None and (video.height, video.width) == (rows, columns)
        if total > 1 and options.renditions:
            renditions = ThreadedConsumer(
                lambda items: write_renditions(
                    items, work, rows, columns, timing, options.renditions
                ),
                options.queue_size,
            )
            stack.callback(renditions.abort)
        if progress:
            progress(0)

        count = 0
        for i, frame in enumerate(frames):
            if i >= total:
                raise InconsistentImageError("the pixel data holds more frames than declared")
            small = reduce(frame, factor)
            grey = np.ascontiguousarray(luma(small))
            stack_file.write(grey.data)
            score = float(grey[score_mask].mean() if score_mask is not None else grey.mean())
            poster.offer(i, score, frame)
            thumbs.offer(i, small)
            encoded = video.write(frame, *timing.span_s(i)) if video is not None else None
            if dicom is not None:
                dicom.put(frame)
            if renditions is not None:
                renditions.put(encoded if shrink_encoded and encoded is not None else frame)
            count = i + 1
            percent = 99 * count // total
            if progress and percent != reported:
                reported = percent
                progress(percent)
        if count != total:
            raise InconsistentImageError("fewer frames could be decoded than NumberOfFrames")
        if video is not None:
            video.close()
        dicom_facts = dicom.finish() if dicom is not None else None
        written = renditions.finish() if renditions is not None else []

    video_facts = _video_facts(video, settings) if video is not None else None
    if decode_order is not None:  # the source's own packets become the video
        video_facts = remux_h264(src, header, decode_order, timing, work / "video.mp4")
        if video_facts is None:  # packets and frames do not pair (e.g. fields): encode
            video_facts = _encode_video(src, header, plan, timing, settings, work / "video.mp4")
    if video_facts is not None:
        size, duration = (work / video_facts.file).stat().st_size, timing.duration_s
        video_facts = dataclasses.replace(
            video_facts,
            bytes=size,
            kbps=kbps(size, duration),
            renditions=tuple(kept(written, size, duration)),
        )

    poster_index, poster_frame = poster.index, poster.frame
    if poster_index is None or poster_frame is None:  # count == total >= 1: never
        raise InconsistentImageError("the pixel data holds no frames")
    save_jpeg(poster_frame, work / "poster.jpg")
    thumbs.save(work / "thumbs.jpg")
    if progress:
        progress(100)
    return _Outputs(
        video=video_facts,
        poster=PosterFacts(
            file="poster.jpg",
            frame_index=poster_index,
            time_s=round(times[poster_index], 4),
            mean_intensity=round(poster.score, 2),
        ),
        thumbnails=ThumbnailFacts(
            file="thumbs.jpg",
            layout="horizontal",
            count=len(thumbs.collected),
            width=w,
            height=h,
            frame_indices=tuple(thumbs.collected),
        ),
        intensity=IntensityFacts(
            file="intensity.npy",
            shape=(total, h, w),
            dtype="uint8",
            values="BT.601 luma of the cleaned display frames (log-compressed)",
            scale=(factor, factor),
        ),
        dicom=dicom_facts,
    )


def _encode_video(
    src: Path,
    header: CineHeader,
    plan: CleaningPlan,
    timing: FrameTiming,
    settings: VideoSettings,
    path: Path,
) -> VideoFacts:
    """A second decode pass into the encoder, for a source the re-mux turned down late."""
    layout = header.layout
    with Mp4Writer(path, layout.rows, layout.columns, timing.fps, settings) as video:
        for i, frame in enumerate(display_frames(src, header, plan)):
            video.write(frame, *timing.span_s(i))
    return _video_facts(video, settings)


def _video_facts(video: Mp4Writer, settings: VideoSettings) -> VideoFacts:
    return VideoFacts(
        file="video.mp4",
        codec="h264",
        encoder=settings.codec,
        preset=settings.preset,
        crf=settings.crf,
        pix_fmt=settings.pix_fmt,
        width=video.width,
        height=video.height,
        scale=video.scale,
        frames=video.frames,
        padded=(
            video.width - video.scale * video.columns,
            video.height - video.scale * video.rows,
        ),
        remuxed=False,
    )
