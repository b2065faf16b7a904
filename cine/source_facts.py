"""Facts about the source file, known from its header before any frame is decoded: SOP class,
transfer syntax and pixel layout, the H.264/HEVC stream, frame timing and ultrasound regions
(``HeaderFacts``: what ``python -m cine info`` prints; part of ``cine.facts.LoopFacts``).
``cine.facts`` exports them with the rest of the contract: import them from there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cine.json_fields import (
    REQUIRED,
    Json,
    MetadataError,
    get_bool,
    get_float,
    get_int,
    get_opt_float,
    get_opt_str,
    get_section,
    get_str,
    value_of,
)
from cine.regions import Region


@dataclass(frozen=True)
class StreamFacts:
    """An H.264 / HEVC source's own stream (``cine.video_stream``): ``video_stream``."""

    codec: str  # "h264" or "hevc"
    container: str  # "h264"/"hevc" (raw Annex B), "mpegts" or "mp4"
    profile: str | None
    pix_fmt: str
    fps: float | None  # the rate the stream states, when plausible

    def to_json(self) -> Json:
        return {
            "codec": self.codec,
            "container": self.container,
            "profile": self.profile,
            "pix_fmt": self.pix_fmt,
            "fps": self.fps,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StreamFacts:
        return cls(
            codec=get_str(data, "codec"),
            container=get_str(data, "container"),
            profile=get_opt_str(data, "profile"),
            pix_fmt=get_str(data, "pix_fmt"),
            fps=get_opt_float(data, "fps"),
        )


@dataclass(frozen=True)
class SourceFacts:
    """The source file: SOP class, transfer syntax and pixel layout, as read."""

    sop_class: str
    sop_class_name: str | None
    is_ultrasound: bool
    transfer_syntax: str
    transfer_syntax_name: str | None
    transfer_syntax_guessed: bool  # no file meta: derived from the encoding
    frames: int
    rows: int
    columns: int
    samples_per_pixel: int
    photometric: str
    bits_allocated: int
    bits_stored: int
    planar_configuration: int
    encapsulated: bool
    decoder: str  # "pillow-jpeg", "pydicom", "jpegxl" or "pyav"
    video_stream: StreamFacts | None
    burned_in_annotation: str  # "YES", "NO", "absent" or "other" (never the raw value)

    def to_json(self) -> Json:
        """The keys before the timing; ``burned_in_annotation`` comes after the regions."""
        return {
            "sop_class": self.sop_class,
            "sop_class_name": self.sop_class_name,
            "is_ultrasound": self.is_ultrasound,
            "transfer_syntax": self.transfer_syntax,
            "transfer_syntax_name": self.transfer_syntax_name,
            "transfer_syntax_guessed": self.transfer_syntax_guessed,
            "frames": self.frames,
            "rows": self.rows,
            "columns": self.columns,
            "samples_per_pixel": self.samples_per_pixel,
            "photometric": self.photometric,
            "bits_allocated": self.bits_allocated,
            "bits_stored": self.bits_stored,
            "planar_configuration": self.planar_configuration,
            "encapsulated": self.encapsulated,
            "decoder": self.decoder,
            "video_stream": self.video_stream.to_json() if self.video_stream else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SourceFacts:
        stream = get_section(data, "video_stream", optional=True)
        return cls(
            sop_class=get_str(data, "sop_class"),
            sop_class_name=get_opt_str(data, "sop_class_name"),
            is_ultrasound=get_bool(data, "is_ultrasound"),
            transfer_syntax=get_str(data, "transfer_syntax"),
            transfer_syntax_name=get_opt_str(data, "transfer_syntax_name"),
            transfer_syntax_guessed=get_bool(data, "transfer_syntax_guessed"),
            frames=get_int(data, "frames"),
            rows=get_int(data, "rows"),
            columns=get_int(data, "columns"),
            samples_per_pixel=get_int(data, "samples_per_pixel"),
            photometric=get_str(data, "photometric"),
            bits_allocated=get_int(data, "bits_allocated"),
            bits_stored=get_int(data, "bits_stored"),
            planar_configuration=get_int(data, "planar_configuration"),
            encapsulated=get_bool(data, "encapsulated"),
            decoder=get_str(data, "decoder"),
            video_stream=StreamFacts.from_json(stream) if stream else None,
            burned_in_annotation=get_str(data, "burned_in_annotation"),
        )


@dataclass(frozen=True)
class TimingFacts:
    """Frame timing (``cine.timing``), rounded as stored; times in seconds from frame 0."""

    fps: float | None  # None for a single frame
    duration_s: float | None
    source: str  # FrameTime, FrameTimeVector, CineRate, … "default" or "single_frame"
    assumed: bool  # no tag gave the timing: the default rate was used
    uniform: bool
    frame_time_s: float | None  # the interval of a uniform loop
    first_frame_offset_s: float
    frame_times_s: tuple[float, ...]

    def to_json(self, *, with_times: bool = True) -> Json:
        data: Json = {
            "fps": self.fps,
            "duration_s": self.duration_s,
            "timing_source": self.source,
            "timing_assumed": self.assumed,
            "frame_timing": "uniform" if self.uniform else "variable",
            "frame_time_s": self.frame_time_s,
            "first_frame_offset_s": self.first_frame_offset_s,
        }
        if with_times:
            data["frame_times_s"] = list(self.frame_times_s)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TimingFacts:
        kind = get_str(data, "frame_timing")
        if kind not in ("uniform", "variable"):
            raise MetadataError("metadata: 'frame_timing' is uniform or variable")
        times = value_of(data, "frame_times_s", (list,), REQUIRED)
        if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in times):
            raise MetadataError("metadata: 'frame_times_s' must hold numbers")
        return cls(
            fps=get_opt_float(data, "fps"),
            duration_s=get_opt_float(data, "duration_s"),
            source=get_str(data, "timing_source"),
            assumed=get_bool(data, "timing_assumed"),
            uniform=kind == "uniform",
            frame_time_s=get_opt_float(data, "frame_time_s"),
            first_frame_offset_s=get_float(data, "first_frame_offset_s"),
            frame_times_s=tuple(float(t) for t in times),
        )


@dataclass(frozen=True)
class RegionFacts:
    """An ultrasound region and whether it fits the image (one that does not is ignored)."""

    region: Region
    fits_image: bool

    def to_json(self) -> Json:
        return {**self.region.as_dict(), "fits_image": self.fits_image}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RegionFacts:
        try:
            region = Region.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise MetadataError("metadata: a region is malformed") from exc
        return cls(region=region, fits_image=get_bool(data, "fits_image"))


def calibrated(regions: Sequence[RegionFacts]) -> bool:
    """A 2D region that fits the image is calibrated in cm both ways: lengths can be given."""
    return any(
        r.fits_image and r.region.spatial_format == 1 and r.region.is_calibrated_cm for r in regions
    )


def header_json(
    source: SourceFacts, timing: TimingFacts, regions: Sequence[RegionFacts], with_times: bool
) -> Json:
    """The header's part of metadata.json, keys in their order of every release."""
    data = {
        **source.to_json(),
        **timing.to_json(with_times=False),
        "regions": [r.to_json() for r in regions],
        "calibrated": calibrated(regions),
        "burned_in_annotation": source.burned_in_annotation,
    }
    if with_times:
        data["frame_times_s"] = list(timing.frame_times_s)
    return data


def get_regions(data: Mapping[str, Any]) -> tuple[RegionFacts, ...]:
    """The ``regions`` list of a metadata.json."""
    items = value_of(data, "regions", (list,), REQUIRED)
    if not all(isinstance(item, dict) for item in items):
        raise MetadataError("metadata: 'regions' must hold objects")
    return tuple(RegionFacts.from_json(item) for item in items)


@dataclass(frozen=True)
class HeaderFacts:
    """What the header tells before any frame is decoded: ``python -m cine info``."""

    source: SourceFacts
    timing: TimingFacts
    regions: tuple[RegionFacts, ...]

    @property
    def calibrated(self) -> bool:
        return calibrated(self.regions)

    def to_json(self) -> Json:
        """The header facts without the frame times (a long loop has thousands)."""
        return header_json(self.source, self.timing, self.regions, with_times=False)
