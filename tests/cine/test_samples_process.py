"""Every real sample through ``python -m cine process``: outputs against pydicom's own decode.

What an instructor's upload becomes — video, poster, de-identified DICOM, metadata — must show
the same pixels pydicom decodes (after the same pixel cleaning), at the file's own timing.
Each sample is processed once per session (``processed_sample``, tests/processed_outputs.py);
tests/cineloops/test_samples.py makes loops of the same outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from pydicom import dcmread

from cine.cleaning import clean_frame, plan_cleaning
from cine.regions import parse_regions

from .cine_factory import psnr
from .facts_roundtrip import assert_facts_round_trip
from .sample_files import real_path, reference_display
from .samples_reference import REAL, Sample


def cleaned_reference(path: Path, sample: Sample) -> np.ndarray:
    ds = dcmread(path, stop_before_pixels=True)
    plan = plan_cleaning(
        parse_regions(ds), sample.rows, sample.columns, ds.get("BurnedInAnnotation")
    )
    return np.stack([clean_frame(np.array(f), plan) for f in reference_display(path, sample)])


def as_rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image


def at_source_size(image: np.ndarray, rows: int, columns: int, scale: int) -> np.ndarray:
    """A decoded video frame back at source size: padding dropped, and an enlarged video's
    (small colour loops) s x s block of each source pixel averaged, as a viewer sees it."""
    block = image[: rows * scale, : columns * scale].astype(np.float64)
    block = block.reshape(rows, scale, columns, scale, *image.shape[2:]).mean(axis=(1, 3))
    return np.rint(block).astype(np.uint8)


def video_frames(path: Path, rows: int, columns: int) -> tuple[list[np.ndarray], float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        scale = max(1, stream.codec_context.width // columns)
        frames = [
            at_source_size(f.to_ndarray(format="rgb24"), rows, columns, scale)
            for f in container.decode(stream)
        ]
        return frames, float(stream.duration * stream.time_base)


@pytest.mark.parametrize("sample", REAL, ids=lambda s: s.name)
def test_every_sample_processes_with_metadata_matching_its_tags(
    sample: Sample, processed_sample
) -> None:
    code, out = processed_sample(sample)
    assert code == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert (meta["frames"], meta["rows"], meta["columns"]) == (
        sample.frames,
        sample.rows,
        sample.columns,
    )
    assert meta["pixel_cleaning"] == sample.cleaning
    if sample.fps is not None:
        assert meta["fps"] == pytest.approx(sample.fps, abs=1e-3)
        assert meta["duration_s"] == pytest.approx(sample.frames / sample.fps, abs=1e-3)
    assert (out / "video.mp4").exists() == (sample.frames > 1)


@pytest.mark.parametrize("sample", REAL, ids=lambda s: s.name)
def test_metadata_is_the_serialised_facts(sample: Sample, processed_sample, tmp_path: Path) -> None:
    _, out = processed_sample(sample)
    facts = assert_facts_round_trip(out, tmp_path)
    assert (facts.source.frames, facts.cleaning.decision) == (sample.frames, sample.cleaning)
    assert (facts.video is not None) == (sample.frames > 1)
    assert facts.dicom is not None and facts.dicom.frames == sample.frames


@pytest.mark.parametrize("sample", REAL, ids=lambda s: s.name)
def test_poster_shows_pydicoms_decode_after_cleaning(sample: Sample, processed_sample) -> None:
    _, out = processed_sample(sample)
    meta = json.loads((out / "metadata.json").read_text())
    expected = cleaned_reference(real_path(sample.name), sample)[meta["poster"]["frame_index"]]
    poster = np.asarray(Image.open(out / "poster.jpg"))
    assert poster.shape[:2] == (sample.rows, sample.columns)
    assert psnr(as_rgb(poster), as_rgb(expected)) >= 30


@pytest.mark.parametrize("sample", [s for s in REAL if s.frames > 1], ids=lambda s: s.name)
def test_video_frames_and_duration_match_the_file(sample: Sample, processed_sample) -> None:
    _, out = processed_sample(sample)
    frames, duration = video_frames(out / "video.mp4", sample.rows, sample.columns)
    assert len(frames) == sample.frames
    assert duration == pytest.approx(sample.frames / sample.fps, abs=1e-3)
    expected = cleaned_reference(real_path(sample.name), sample)
    for ours, theirs in zip(frames, expected, strict=True):
        assert psnr(ours, as_rgb(theirs)) >= 30


@pytest.mark.parametrize("sample", REAL, ids=lambda s: s.name)
def test_deidentified_dicom_has_every_frame_and_says_so(sample: Sample, processed_sample) -> None:
    _, out = processed_sample(sample)
    ds = dcmread(out / "deidentified.dcm")
    assert int(ds.get("NumberOfFrames", 1) or 1) == sample.frames
    assert (ds.Rows, ds.Columns) == (sample.rows, sample.columns)
    assert ds.PatientIdentityRemoved == "YES"
    original = dcmread(real_path(sample.name), stop_before_pixels=True, force=True)
    assert ds.StudyInstanceUID != original.get("StudyInstanceUID")
