"""What ``cine.pipeline.process`` found and wrote, as frozen values: the contract with callers.

``LoopFacts`` is the whole of it; ``metadata.json`` is its serialised form (``write``,
``load`` / ``loads``; ``LoopFacts.to_json`` / ``from_json``), so a caller reads attributes
whether it got the facts from ``process()`` or from the file. ``HeaderFacts`` is the part
known before any frame is decoded (``python -m cine info``). Values are technical only, never
a patient field (see ``cine.metadata``, which measures them).

The JSON shape is that of schema 1 as every release wrote it; ``from_json`` also reads the
first files of schema 1, written before the cleaning reason code, the source stream and the
video's ``scale`` / ``remuxed`` existed (they read as None, None, 1 and False).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cine.cleaning import CleaningDecision, CleaningReason
from cine.regions import Region

SCHEMA_VERSION = 1

Json = dict[str, Any]


class MetadataError(ValueError):
    """A metadata.json that is not the serialised form of ``LoopFacts``."""


# --- reading JSON values with their types checked -------------------------------------------


_REQUIRED: Any = object()  # the default of a key every file has


def _value(data: Mapping[str, Any], key: str, kinds: tuple[type | None, ...], default: Any) -> Any:
    if key not in data:
        if default is _REQUIRED:
            raise MetadataError(f"metadata: {key!r} is missing")
        return default
    value = data[key]
    if value is None and None in kinds:
        return None
    if isinstance(value, bool) and bool not in kinds:  # JSON true is no number
        raise MetadataError(f"metadata: {key!r} has the wrong type")
    if not isinstance(value, tuple(k for k in kinds if k is not None)):
        raise MetadataError(f"metadata: {key!r} has the wrong type")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    return str(_value(data, key, (str,), _REQUIRED))


def _opt_str(data: Mapping[str, Any], key: str, default: str | None = _REQUIRED) -> str | None:
    value = _value(data, key, (str, None), default)
    return None if value is None else str(value)


def _int(data: Mapping[str, Any], key: str, default: int = _REQUIRED) -> int:
    return int(_value(data, key, (int,), default))


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = _value(data, key, (int, None), _REQUIRED)
    return None if value is None else int(value)


def _float(data: Mapping[str, Any], key: str) -> float:
    return float(_value(data, key, (int, float), _REQUIRED))


def _opt_float(data: Mapping[str, Any], key: str) -> float | None:
    value = _value(data, key, (int, float, None), _REQUIRED)
    return None if value is None else float(value)


def _bool(data: Mapping[str, Any], key: str, default: bool = _REQUIRED) -> bool:
    return bool(_value(data, key, (bool,), default))


def _ints(data: Mapping[str, Any], key: str, length: int | None = None) -> tuple[int, ...]:
    values = _value(data, key, (list,), _REQUIRED)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise MetadataError(f"metadata: {key!r} must hold integers")
    if length is not None and len(values) != length:
        raise MetadataError(f"metadata: {key!r} must hold {length} integers")
    return tuple(int(v) for v in values)


def _section(data: Mapping[str, Any], key: str, *, optional: bool = False) -> Mapping[str, Any]:
    section: Mapping[str, Any] | None
    if optional:
        section = _value(data, key, (dict, None), None)
    else:
        section = _value(data, key, (dict,), _REQUIRED)
    return section or {}


def _file(data: Mapping[str, Any]) -> str:
    """An output's file name: a bare name inside the output folder, never a path."""
    name = _str(data, "file")
    if not name or Path(name).name != name or name in (".", ".."):
        raise MetadataError("metadata: an output's 'file' must be a plain file name")
    return name


# --- the facts ------------------------------------------------------------------------------


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
            codec=_str(data, "codec"),
            container=_str(data, "container"),
            profile=_opt_str(data, "profile"),
            pix_fmt=_str(data, "pix_fmt"),
            fps=_opt_float(data, "fps"),
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
        stream = _section(data, "video_stream", optional=True)
        return cls(
            sop_class=_str(data, "sop_class"),
            sop_class_name=_opt_str(data, "sop_class_name"),
            is_ultrasound=_bool(data, "is_ultrasound"),
            transfer_syntax=_str(data, "transfer_syntax"),
            transfer_syntax_name=_opt_str(data, "transfer_syntax_name"),
            transfer_syntax_guessed=_bool(data, "transfer_syntax_guessed"),
            frames=_int(data, "frames"),
            rows=_int(data, "rows"),
            columns=_int(data, "columns"),
            samples_per_pixel=_int(data, "samples_per_pixel"),
            photometric=_str(data, "photometric"),
            bits_allocated=_int(data, "bits_allocated"),
            bits_stored=_int(data, "bits_stored"),
            planar_configuration=_int(data, "planar_configuration"),
            encapsulated=_bool(data, "encapsulated"),
            decoder=_str(data, "decoder"),
            video_stream=StreamFacts.from_json(stream) if stream else None,
            burned_in_annotation=_str(data, "burned_in_annotation"),
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
        kind = _str(data, "frame_timing")
        if kind not in ("uniform", "variable"):
            raise MetadataError("metadata: 'frame_timing' is uniform or variable")
        times = _value(data, "frame_times_s", (list,), _REQUIRED)
        if not all(isinstance(t, int | float) and not isinstance(t, bool) for t in times):
            raise MetadataError("metadata: 'frame_times_s' must hold numbers")
        return cls(
            fps=_opt_float(data, "fps"),
            duration_s=_opt_float(data, "duration_s"),
            source=_str(data, "timing_source"),
            assumed=_bool(data, "timing_assumed"),
            uniform=kind == "uniform",
            frame_time_s=_opt_float(data, "frame_time_s"),
            first_frame_offset_s=_float(data, "first_frame_offset_s"),
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
        return cls(region=region, fits_image=_bool(data, "fits_image"))


def calibrated(regions: Sequence[RegionFacts]) -> bool:
    """A 2D region that fits the image is calibrated in cm both ways: lengths can be given."""
    return any(
        r.fits_image and r.region.spatial_format == 1 and r.region.is_calibrated_cm for r in regions
    )


@dataclass(frozen=True)
class CleaningFacts:
    """How burned-in text was removed (``cine.cleaning``)."""

    decision: CleaningDecision
    reason: str  # English wording, for logs and the CLI
    reason_code: CleaningReason | None  # stable code, for translations

    @property
    def publishable(self) -> bool:
        return self.decision.publishable

    def to_json(self) -> Json:
        return {
            "pixel_cleaning": str(self.decision),
            "pixel_cleaning_reason": self.reason,
            "pixel_cleaning_reason_code": str(self.reason_code or ""),
            "publishable": self.publishable,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CleaningFacts:
        code = _opt_str(data, "pixel_cleaning_reason_code", None)
        try:
            return cls(
                decision=CleaningDecision(_str(data, "pixel_cleaning")),
                reason=_str(data, "pixel_cleaning_reason"),
                reason_code=CleaningReason(code) if code else None,
            )
        except ValueError as exc:  # a decision or code this release does not know
            raise MetadataError("metadata: unknown pixel cleaning decision or reason") from exc


@dataclass(frozen=True)
class VideoFacts:
    """``video.mp4`` (multi-frame loops only): encoded, or the source's H.264 re-muxed."""

    file: str
    codec: str  # "h264"
    encoder: str  # "libx264", or "copy" when re-muxed
    preset: str | None
    crf: int | None
    pix_fmt: str
    width: int
    height: int
    scale: int  # video pixels per source pixel, each way
    frames: int
    padded: tuple[int, int]  # columns, rows added to reach even sizes (video pixels)
    remuxed: bool = False
    profile: str | None = None  # the source stream's profile, when re-muxed

    def to_json(self) -> Json:
        data: Json = {
            "file": self.file,
            "codec": self.codec,
            "encoder": self.encoder,
            "preset": self.preset,
            "crf": self.crf,
            "pix_fmt": self.pix_fmt,
        }
        if self.profile is not None:
            data["profile"] = self.profile
        data.update(
            {
                "width": self.width,
                "height": self.height,
                "scale": self.scale,
                "frames": self.frames,
                "padded": list(self.padded),
                "remuxed": self.remuxed,
            }
        )
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VideoFacts:
        padded = _ints(data, "padded", 2)
        return cls(
            file=_file(data),
            codec=_str(data, "codec"),
            encoder=_str(data, "encoder"),
            preset=_opt_str(data, "preset"),
            crf=_opt_int(data, "crf"),
            pix_fmt=_str(data, "pix_fmt"),
            width=_int(data, "width"),
            height=_int(data, "height"),
            scale=_int(data, "scale", 1),
            frames=_int(data, "frames"),
            padded=(padded[0], padded[1]),
            remuxed=_bool(data, "remuxed", False),
            profile=_opt_str(data, "profile", None),
        )


@dataclass(frozen=True)
class PosterFacts:
    """``poster.jpg``: the frame with the highest mean intensity inside the 2D region."""

    file: str
    frame_index: int
    time_s: float
    mean_intensity: float

    def to_json(self) -> Json:
        return {
            "file": self.file,
            "frame_index": self.frame_index,
            "time_s": self.time_s,
            "mean_intensity": self.mean_intensity,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PosterFacts:
        return cls(
            file=_file(data),
            frame_index=_int(data, "frame_index"),
            time_s=_float(data, "time_s"),
            mean_intensity=_float(data, "mean_intensity"),
        )


@dataclass(frozen=True)
class ThumbnailFacts:
    """``thumbs.jpg``: ``count`` tiles of ``width`` x ``height`` side by side, tile i showing
    frame ``frame_indices[i]``."""

    file: str
    layout: str  # "horizontal"
    count: int
    width: int
    height: int
    frame_indices: tuple[int, ...]

    def to_json(self) -> Json:
        return {
            "file": self.file,
            "layout": self.layout,
            "count": self.count,
            "width": self.width,
            "height": self.height,
            "frame_indices": list(self.frame_indices),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ThumbnailFacts:
        return cls(
            file=_file(data),
            layout=_str(data, "layout"),
            count=_int(data, "count"),
            width=_int(data, "width"),
            height=_int(data, "height"),
            frame_indices=_ints(data, "frame_indices"),
        )


@dataclass(frozen=True)
class IntensityFacts:
    """``intensity.npy``: T x h x w uint8 luma; stack pixel (i, j) averages original rows
    [i*sy, (i+1)*sy) and columns [j*sx, (j+1)*sx), ``scale`` = (sx, sy)."""

    file: str
    shape: tuple[int, int, int]
    dtype: str
    values: str  # what the numbers are, in words
    scale: tuple[int, int]  # original pixels per stack pixel (x, y): ``intensity_scale``

    def to_json(self) -> Json:
        """The ``intensity`` section (``scale`` is stored beside it, as ``intensity_scale``)."""
        return {
            "file": self.file,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "values": self.values,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], scale: Sequence[int]) -> IntensityFacts:
        t, h, w = _ints(data, "shape", 3)
        return cls(
            file=_file(data),
            shape=(t, h, w),
            dtype=_str(data, "dtype"),
            values=_str(data, "values"),
            scale=(scale[0], scale[1]),
        )


@dataclass(frozen=True)
class DicomFacts:
    """``deidentified.dcm``, when the caller gave a ``DicomWriter``."""

    file: str
    transfer_syntax: str
    photometric: str
    frames: int
    compression_ratio: float | None

    def to_json(self) -> Json:
        return {
            "file": self.file,
            "transfer_syntax": self.transfer_syntax,
            "photometric": self.photometric,
            "frames": self.frames,
            "compression_ratio": self.compression_ratio,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DicomFacts:
        return cls(
            file=_file(data),
            transfer_syntax=_str(data, "transfer_syntax"),
            photometric=_str(data, "photometric"),
            frames=_int(data, "frames"),
            compression_ratio=_opt_float(data, "compression_ratio"),
        )


def _header_json(
    source: SourceFacts, timing: TimingFacts, regions: Sequence[RegionFacts], with_times: bool
) -> Json:
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


def _regions(data: Mapping[str, Any]) -> tuple[RegionFacts, ...]:
    items = _value(data, "regions", (list,), _REQUIRED)
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
        return _header_json(self.source, self.timing, self.regions, with_times=False)


@dataclass(frozen=True)
class LoopFacts:
    """Everything ``process()`` learnt and wrote; ``metadata.json`` is ``to_json()``."""

    source: SourceFacts
    timing: TimingFacts
    regions: tuple[RegionFacts, ...]  # every region of the header, fitting or not
    cleaning: CleaningFacts
    poster: PosterFacts
    thumbnails: ThumbnailFacts
    intensity: IntensityFacts
    video: VideoFacts | None  # None for a single frame
    dicom: DicomFacts | None  # None without a DicomWriter

    @property
    def calibrated(self) -> bool:
        return calibrated(self.regions)

    def to_json(self) -> Json:
        return {
            "schema": SCHEMA_VERSION,
            **_header_json(self.source, self.timing, self.regions, with_times=True),
            **self.cleaning.to_json(),
            "video": self.video.to_json() if self.video else None,
            "poster": self.poster.to_json(),
            "thumbnails": self.thumbnails.to_json(),
            "intensity": self.intensity.to_json(),
            "intensity_scale": list(self.intensity.scale),
            "deidentified_dicom": self.dicom.to_json() if self.dicom else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LoopFacts:
        """Raises ``MetadataError`` for anything but the serialised form (schema 1)."""
        if not isinstance(data, Mapping):
            raise MetadataError("metadata: not a JSON object")
        schema = _int(data, "schema")
        if schema != SCHEMA_VERSION:
            raise MetadataError(f"metadata: schema {schema} is not {SCHEMA_VERSION}")
        video = _section(data, "video", optional=True)
        dicom = _section(data, "deidentified_dicom", optional=True)
        return cls(
            source=SourceFacts.from_json(data),
            timing=TimingFacts.from_json(data),
            regions=_regions(data),
            cleaning=CleaningFacts.from_json(data),
            poster=PosterFacts.from_json(_section(data, "poster")),
            thumbnails=ThumbnailFacts.from_json(_section(data, "thumbnails")),
            intensity=IntensityFacts.from_json(
                _section(data, "intensity"), _ints(data, "intensity_scale", 2)
            ),
            video=VideoFacts.from_json(video) if video else None,
            dicom=DicomFacts.from_json(dicom) if dicom else None,
        )


def write(facts: LoopFacts, path: str | os.PathLike[str]) -> None:
    """Write ``metadata.json``."""
    text = json.dumps(facts.to_json(), indent=1, ensure_ascii=False)
    Path(path).write_text(text + "\n", "utf-8")


def loads(text: str | bytes) -> LoopFacts:
    """The facts a ``metadata.json``'s content holds; raises ``MetadataError`` (a ValueError)."""
    try:
        data = json.loads(text)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise MetadataError("metadata: not JSON") from exc
    return LoopFacts.from_json(data)


def load(path: str | os.PathLike[str]) -> LoopFacts:
    """Read ``metadata.json`` back; raises OSError, or ``MetadataError`` (a ValueError)."""
    return loads(Path(path).read_bytes())
