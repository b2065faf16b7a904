"""End to end: one decode pass -> video, poster, sprite, intensity stack, DICOM, metadata."""

from __future__ import annotations

import json
import warnings
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from pydicom import dcmread

from cine.cleaning import CleaningDecision, CleaningReason, clean_frame, plan_cleaning
from cine.errors import InconsistentImageError
from cine.frames import luma, reduce
from cine.pipeline import ProcessOptions, deidentified_dicom_writer, process
from cine.regions import parse_regions

from .cine_factory import MARKER, frames_pattern, make_cine, psnr, region_item
from .facts_roundtrip import assert_facts_round_trip
from .sample_files import real_path
from .test_samples_process import at_source_size

SECRET = b"pipeline-secret-0123456789"
REGIONS = (region_item((8, 6, 55, 41)), region_item((0, 44, 63, 47), spatial_format=4, units=4))


# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("pipeline")


def video_frames(path: Path, gray: bool) -> tuple[list[np.ndarray], list[float], float]:
    """Decoded frames, their presentation times (s) and the stream duration (s)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames, times = [], []
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="gray" if gray else "rgb24"))
            times.append(float(frame.pts * frame.time_base))
        duration = float(stream.duration * stream.time_base)
    return frames, times, duration


def reference(path: Path) -> tuple[np.ndarray, object]:
    """pydicom's decode (YBR->RGB by pydicom) cleaned with the same plan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(path)
        pixels = ds.pixel_array
    if ds.get("NumberOfFrames", 1) in (None, "", 1):
        pixels = pixels[None]
    plan = plan_cleaning(parse_regions(ds), ds.Rows, ds.Columns, ds.get("BurnedInAnnotation"))
    return np.stack([clean_frame(np.array(f), plan) for f in pixels]), plan


@pytest.fixture(scope="module")
def colour_cine(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A JPEG YBR_FULL_422 cine with regions, processed once for several tests."""
    tmp = tmp_path_factory.mktemp("colour")
    src = make_cine(tmp / "in.dcm", frames=9, encoding="jpeg", colour=True, regions=REGIONS)
    progress: list[int] = []
    result = process(
        src,
        tmp / "out",
        progress=progress.append,
        dicom_writer=deidentified_dicom_writer(SECRET),
    )
    return src, result.out_dir, {"facts": result.facts, "progress": progress}


def test_outputs_and_metadata(colour_cine) -> None:
    _, out, extra = colour_cine
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "deidentified.dcm",
        "intensity.npy",
        "metadata.json",
        "poster.jpg",
        "thumbs.jpg",
        "video.mp4",
    ]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta == extra["facts"].to_json()
    assert assert_facts_round_trip(out, out.parent) == extra["facts"]
    for key in (
        "frames", "fps", "duration_s", "rows", "columns", "photometric", "transfer_syntax",
        "regions", "pixel_cleaning", "frame_times_s", "sop_class", "timing_source",
        "intensity_scale",
    ):  # fmt: skip
        assert key in meta
    assert (meta["frames"], meta["fps"], meta["duration_s"]) == (9, 25.0, 0.36)
    assert meta["pixel_cleaning"] == "outside_regions" and meta["publishable"]
    assert meta["regions"][0]["cm_per_pixel_x"] == 0.05
    assert meta["regions"][1]["cm_per_pixel_x"] is None  # waveform: seconds, not cm
    assert meta["decoder"] == "pillow-jpeg"
    progress = extra["progress"]
    assert progress[0] == 0 and progress[-1] == 100 and progress == sorted(progress)
    assert not list(out.parent.glob(".cine-*"))


def top_level_boxes(path: Path) -> list[str]:
    data, boxes, pos = path.read_bytes(), [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        boxes.append(data[pos + 4 : pos + 8].decode("latin-1"))
        if size < 8:
            break
        pos += size
    return boxes


def test_video_is_h264_yuv420p_with_the_index_first(colour_cine) -> None:
    _, out, _ = colour_cine
    boxes = top_level_boxes(out / "video.mp4")
    assert boxes.index("moov") < boxes.index("mdat")  # +faststart: playable while loading
    with av.open(str(out / "video.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert stream.average_rate == 25


def test_video_matches_pydicoms_decode_and_timing(colour_cine) -> None:
    src, out, _ = colour_cine
    expected, _ = reference(src)
    frames, times, duration = video_frames(out / "video.mp4", gray=False)
    assert len(frames) == 9
    assert times == pytest.approx([i * 0.04 for i in range(9)], abs=1e-4)
    assert duration == pytest.approx(0.36, abs=1e-3)
    for ours, theirs in zip(frames, expected, strict=True):
        scale = ours.shape[0] // theirs.shape[0]  # 2: a small colour loop's video is enlarged
        ours = at_source_size(ours, *theirs.shape[:2], scale)
        assert psnr(ours, theirs) >= 30
        assert ours[:4].mean() < 6  # the blanked band stays black (4:2:0 chroma aside)


def test_poster_is_the_brightest_frame_in_the_2d_region(colour_cine) -> None:
    src, out, extra = colour_cine
    expected, _ = reference(src)
    assert extra["facts"].poster.frame_index == 4  # frames_pattern peaks in the middle
    poster = np.asarray(Image.open(out / "poster.jpg"))
    assert psnr(poster, expected[4]) >= 30


def test_thumbnail_sprite(colour_cine) -> None:
    _, out, extra = colour_cine
    thumbs = extra["facts"].thumbnails
    assert thumbs.frame_indices == tuple(range(9))  # fewer frames than thumbnails
    sprite = Image.open(out / "thumbs.jpg")
    assert sprite.size == (thumbs.width * thumbs.count, thumbs.height)


def test_intensity_stack(colour_cine) -> None:
    src, out, extra = colour_cine
    expected, _ = reference(src)
    stack = np.load(out / "intensity.npy", mmap_mode="r")
    sx, sy = extra["facts"].intensity.scale
    assert stack.dtype == np.uint8 and stack.shape == (9, 48 // sy, 64 // sx)
    assert (sx, sy) == (1, 1)  # small image: no reduction
    for small, frame in zip(stack, expected, strict=True):
        assert np.abs(small.astype(int) - luma(frame).astype(int)).max() <= 8


def test_deidentified_dicom(colour_cine) -> None:
    src, out, extra = colour_cine
    expected, _ = reference(src)
    written = out / "deidentified.dcm"
    assert MARKER.encode() not in written.read_bytes()
    ds = dcmread(written)
    assert ds.PatientIdentityRemoved == "YES" and ds.BurnedInAnnotation == "NO"
    assert ds.NumberOfFrames == 9
    for ours, theirs in zip(ds.pixel_array, expected, strict=True):
        assert psnr(ours, theirs) >= 30
    assert extra["facts"].dicom.frames == 9


def test_no_output_contains_the_patient_name(colour_cine) -> None:
    _, out, _ = colour_cine
    for path in out.iterdir():
        data = path.read_bytes()
        assert MARKER.encode() not in data and b"Wei" not in data


def test_variable_frame_timing_reaches_the_video(tmp_path: Path) -> None:
    vector = [33.0, 40.0, 40.0, 80.0, 20.0, 40.0]  # non-zero first entry
    src = make_cine(tmp_path / "vft.dcm", frames=6, frame_time_vector=vector)
    timing = process(src, tmp_path / "out").facts.timing
    expected = [0.0, 0.04, 0.08, 0.16, 0.18, 0.22]
    assert timing.frame_times_s == pytest.approx(expected)
    assert not timing.uniform and timing.first_frame_offset_s == 0.033
    assert timing.duration_s == pytest.approx(0.26)  # + median interval (40 ms)
    _, times, duration = video_frames(tmp_path / "out" / "video.mp4", gray=True)
    assert times == pytest.approx(expected, abs=1e-4)
    assert duration == pytest.approx(0.26, abs=1e-3)


def test_grey_odd_sized_cine_is_padded_to_even(tmp_path: Path) -> None:
    src = make_cine(tmp_path / "odd.dcm", frames=4, rows=47, columns=63)
    facts = process(src, tmp_path / "out").facts
    assert facts.video is not None and (facts.video.width, facts.video.height) == (64, 48)
    assert facts.cleaning.decision == "review_required" and not facts.cleaning.publishable
    frames, _, _ = video_frames(tmp_path / "out" / "video.mp4", gray=True)
    pattern = frames_pattern(4, 47, 63, colour=False)
    for ours, theirs in zip(frames, pattern, strict=True):
        assert psnr(ours[:47, :63], theirs) >= 30


def test_single_frame_gives_no_video(tmp_path: Path) -> None:
    src = make_cine(tmp_path / "one.dcm", frames=1, frame_time=None)
    facts = process(src, tmp_path / "out").facts
    assert not (tmp_path / "out" / "video.mp4").exists()
    assert facts.video is None and facts.source.frames == 1 and facts.timing.fps is None
    assert (tmp_path / "out" / "poster.jpg").exists()


def test_manual_mask_blanks_everything_else(tmp_path: Path) -> None:
    src = make_cine(tmp_path / "in.dcm", frames=3, regions=REGIONS)
    cleaning = process(src, tmp_path / "out", manual_mask=[[(10, 10), (29, 29)]]).facts.cleaning
    assert cleaning.decision is CleaningDecision.MANUAL_MASK
    assert cleaning.reason_code is CleaningReason.MANUAL_MASK
    stack = np.load(tmp_path / "out" / "intensity.npy")
    assert stack[:, :10].max() == 0 and stack[:, 30:].max() == 0 and stack[:, :, 30:].max() == 0
    assert stack[:, 10:30, 10:30].min() > 0


def test_failure_leaves_nothing_and_rerun_replaces(tmp_path: Path) -> None:
    good = make_cine(tmp_path / "good.dcm", frames=3)
    out = tmp_path / "out"
    process(good, out)
    (out / "stale.txt").write_text("from an earlier run")
    process(good, out)
    assert not (out / "stale.txt").exists()
    lying = make_cine(tmp_path / "lie.dcm", frames=3, declared_frames=7)
    with pytest.raises(InconsistentImageError):
        process(lying, tmp_path / "out2")
    assert not (tmp_path / "out2").exists()
    assert not list(tmp_path.glob(".cine-*"))


def test_failure_mid_stream_cleans_up(tmp_path: Path, monkeypatch) -> None:
    src = make_cine(tmp_path / "in.dcm", frames=5)

    def broken(header, frames, path, **kwargs):
        next(frames)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        process(src, tmp_path / "out", dicom_writer=broken)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".cine-*"))


@pytest.mark.parametrize("name", ["orthanc-Issue16.dcm", "dicom_viewer_0020.dcm"])
def test_real_cines(tmp_path: Path, name: str) -> None:
    src = real_path(name)
    options = ProcessOptions(thumb_count=4)
    facts = process(src, tmp_path / "out", options=options).facts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dcmread(src)
    frames, times, duration = video_frames(tmp_path / "out" / "video.mp4", gray=False)
    assert len(frames) == ds.NumberOfFrames == facts.source.frames
    frame_time = float(ds.FrameTime) / 1000
    assert duration == pytest.approx(ds.NumberOfFrames * frame_time, abs=1e-3)
    assert Fraction(facts.timing.fps).limit_denominator(1000) == pytest.approx(1 / frame_time, 1e-3)
    assert times[1] == pytest.approx(frame_time, abs=1e-4)
    expected, _ = reference(src)
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        expected = np.rint(apply_color_lut(ds.pixel_array, ds) / 257).astype(np.uint8)
    for ours, theirs in zip(frames, expected, strict=True):
        scale = facts.video.scale  # 2 for these small colour loops
        assert psnr(at_source_size(ours, ds.Rows, ds.Columns, scale), theirs) >= 30
    poster = np.asarray(Image.open(tmp_path / "out" / "poster.jpg"))
    assert psnr(poster, expected[facts.poster.frame_index]) >= 30
    stack = np.load(tmp_path / "out" / "intensity.npy")
    factor = facts.intensity.scale[0]
    assert stack.shape == (len(frames), ds.Rows // factor, ds.Columns // factor)
    np.testing.assert_allclose(
        stack[0], luma(reduce(np.ascontiguousarray(expected[0]), factor)), atol=3
    )
