"""What ``cine.pipeline.process`` found and wrote, as frozen values: the contract with callers.

``LoopFacts`` is the whole of it; ``metadata.json`` is its serialised form (``write``,
``load`` / ``loads``; ``LoopFacts.to_json`` / ``from_json``), so a caller reads attributes
whether it got the facts from ``process()`` or from the file. ``HeaderFacts`` is the part
known before any frame is decoded (``python -m cine info``). Values are technical only, never
a patient field (see ``cine.metadata``, which measures them).

The JSON shape is that of schema 1 as every release wrote it; ``from_json`` also reads the
first files of schema 1, written before the cleaning reason code, the source stream and the
video's ``scale`` / ``remuxed`` existed (they read as None, None, 1 and False), and those
written before the lower renditions and the video's measured size (no renditions, size None).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cine.cleaning import CleaningDecision, CleaningReason
from cine.json_fields import (
    Json,
    MetadataError,
    get_bool,
    get_file,
    get_float,
    get_int,
    get_ints,
    get_opt_float,
    get_opt_int,
    get_opt_str,
    get_section,
    get_sections,
    get_str,
)
from cine.source_facts import (
    HeaderFacts,
    RegionFacts,
    SourceFacts,
    StreamFacts,
    TimingFacts,
    calibrated,
    get_regions,
    header_json,
)

__all__ = [
    "SCHEMA_VERSION",
    "CleaningFacts",
    "DicomFacts",
    "HeaderFacts",
    "IntensityFacts",
    "LoopFacts",
    "MetadataError",
    "PosterFacts",
    "RegionFacts",
    "RenditionFacts",
    "SourceFacts",
    "StreamFacts",
    "ThumbnailFacts",
    "TimingFacts",
    "VideoFacts",
    "load",
    "loads",
    "write",
]

SCHEMA_VERSION = 1


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
        code = get_opt_str(data, "pixel_cleaning_reason_code", None)
        try:
            return cls(
                decision=CleaningDecision(get_str(data, "pixel_cleaning")),
                reason=get_str(data, "pixel_cleaning_reason"),
                reason_code=CleaningReason(code) if code else None,
            )
        except ValueError as exc:  # a decision or code this release does not know
            raise MetadataError("metadata: unknown pixel cleaning decision or reason") from exc


@dataclass(frozen=True)
class RenditionFacts:
    """A lower rendition of ``video.mp4`` (``cine.renditions``): the same frames at the same
    timestamps, smaller; the whole source frame fills ``width`` x ``height``."""

    name: str  # "medium", "low"
    file: str
    width: int
    height: int
    target_kbps: int  # the encoder's peak rate (VBV maxrate)
    frames: int
    bytes: int
    kbps: int  # measured: bytes over the loop's duration

    def to_json(self) -> Json:
        return {
            "name": self.name,
            "file": self.file,
            "width": self.width,
            "height": self.height,
            "target_kbps": self.target_kbps,
            "frames": self.frames,
            "bytes": self.bytes,
            "kbps": self.kbps,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RenditionFacts:
        return cls(
            name=get_str(data, "name"),
            file=get_file(data),
            width=get_int(data, "width"),
            height=get_int(data, "height"),
            target_kbps=get_int(data, "target_kbps"),
            frames=get_int(data, "frames"),
            bytes=get_int(data, "bytes"),
            kbps=get_int(data, "kbps"),
        )


@dataclass(frozen=True)
class VideoFacts:
    """``video.mp4`` (multi-frame loops only): encoded, or the source's H.264 re-muxed; its
    lower renditions, highest first (none for a loop too small to need them)."""

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
    bytes: int | None = None  # measured size, and bitrate over the loop's duration
    kbps: int | None = None
    renditions: tuple[RenditionFacts, ...] = ()

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
        if self.bytes is not None:
            data.update({"bytes": self.bytes, "kbps": self.kbps})
        data["renditions"] = [rendition.to_json() for rendition in self.renditions]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VideoFacts:
        padded = get_ints(data, "padded", 2)
        return cls(
            file=get_file(data),
            codec=get_str(data, "codec"),
            encoder=get_str(data, "encoder"),
            preset=get_opt_str(data, "preset"),
            crf=get_opt_int(data, "crf"),
            pix_fmt=get_str(data, "pix_fmt"),
            width=get_int(data, "width"),
            height=get_int(data, "height"),
            scale=get_int(data, "scale", 1),
            frames=get_int(data, "frames"),
            padded=(padded[0], padded[1]),
            remuxed=get_bool(data, "remuxed", False),
            profile=get_opt_str(data, "profile", None),
            bytes=get_opt_int(data, "bytes", None),
            kbps=get_opt_int(data, "kbps", None),
            renditions=tuple(RenditionFacts.from_json(r) for r in get_sections(data, "renditions")),
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
            file=get_file(data),
            frame_index=get_int(data, "frame_index"),
            time_s=get_float(data, "time_s"),
            mean_intensity=get_float(data, "mean_intensity"),
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
            file=get_file(data),
            layout=get_str(data, "layout"),
            count=get_int(data, "count"),
            width=get_int(data, "width"),
            height=get_int(data, "height"),
            frame_indices=get_ints(data, "frame_indices"),
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
        t, h, w = get_ints(data, "shape", 3)
        return cls(
            file=get_file(data),
            shape=(t, h, w),
            dtype=get_str(data, "dtype"),
            values=get_str(data, "values"),
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
            file=get_file(data),
            transfer_syntax=get_str(data, "transfer_syntax"),
            photometric=get_str(data, "photometric"),
            frames=get_int(data, "frames"),
            compression_ratio=get_opt_float(data, "compression_ratio"),
        )


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
            **header_json(self.source, self.timing, self.regions, with_times=True),
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
        schema = get_int(data, "schema")
        if schema != SCHEMA_VERSION:
            raise MetadataError(f"metadata: schema {schema} is not {SCHEMA_VERSION}")
        video = get_section(data, "video", optional=True)
        dicom = get_section(data, "deidentified_dicom", optional=True)
        return cls(
            source=SourceFacts.from_json(data),
            timing=TimingFacts.from_json(data),
            regions=get_regions(data),
            cleaning=CleaningFacts.from_json(data),
            poster=PosterFacts.from_json(get_section(data, "poster")),
            thumbnails=ThumbnailFacts.from_json(get_section(data, "thumbnails")),
            intensity=IntensityFacts.from_json(
                get_section(data, "intensity"), get_ints(data, "intensity_scale", 2)
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
