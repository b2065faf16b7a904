"""Lower renditions (``cine.renditions``): the same frames at the same timestamps, smaller.

Read back with PyAV: every rendition holds every frame at the full video's presentation
timestamps, keyframes on the same frames at most ``KEYFRAME_SECONDS`` apart, and each file is
smaller than the one above it; loops too small to need one get none. Made in the decode pass
(also when the full video is the source's H.264 re-muxed) and, for older loops, from the
de-identified DICOM.
"""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from cine.encoder_choice import keyframe_interval
from cine.facts import load
from cine.pipeline import deidentified_dicom_writer, process
from cine.renditions import LADDER, file_name, rendition_size, renditions_from_dicom

from .cine_factory import base_dataset, make_cine, write
from .facts_roundtrip import assert_facts_round_trip
from .samples_reference import REAL, Sample
from .test_video_syntaxes import H264_HIGH_41, encode_stream, video_cine

SECRET = b"renditions-secret-0123456789"
MULTI_FRAME = [s for s in REAL if s.frames > 1]
# Real samples whose renditions are certain: big enough for both, or too small for any.
KEPT = {
    "orthanc-Issue16.dcm": ("medium", "low"),
    "dicom_viewer_0020.dcm": ("medium", "low"),
    "US-MONO2-8-8x-execho.dcm": (),
}


def speckle_cine(path: Path, frames: int = 120, vector: list[float] | None = None) -> Path:
    """320 x 240 grey speckle that changes every frame: a full video of ~2.6 Mbit/s at 25 fps
    (or the FrameTimeVector ``vector``, ms), uncompressed (a lossless source)."""
    rows, columns = 240, 320
    coarse = np.random.default_rng(7).rayleigh(40, (frames, rows // 2, columns // 2))
    pixels = np.kron(coarse, np.ones((1, 2, 2))).clip(0, 255).astype(np.uint8)
    ds = base_dataset(
        frames=frames, rows=rows, columns=columns, photometric="MONOCHROME2", burned_in="NO"
    )
    if vector is None:
        ds.FrameTime, ds.FrameIncrementPointer = 40.0, 0x00181063
    else:
        ds.FrameTimeVector, ds.FrameIncrementPointer = vector, 0x00181065
    ds.PixelData = pixels.tobytes()
    return write(ds, path)


def frames_of(path: Path) -> tuple[list[int], list[int], tuple[int, int], float]:
    """(pts on the stream's clock, indices of the keyframes, (height, width), duration s)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts, keys = [], []
        for i, frame in enumerate(container.decode(stream)):
            pts.append(frame.pts * stream.time_base * 90000)
            if frame.key_frame:
                keys.append(i)
        size = (stream.codec_context.height, stream.codec_context.width)
        return pts, keys, size, float(stream.duration * stream.time_base)


def assert_renditions_match_the_video(out: Path, frames: int, *, encoded: bool = True) -> list:
    """Every rendition the facts list: as described, every frame at the video's timestamps,
    lasting as long as the loop, smaller than the one above, keyframes at most 2 s apart (also
    in the full video unless it is the source's own stream); no other rendition file. Returns
    the renditions' facts."""
    facts = load(out / "metadata.json")
    video = facts.video
    assert video is not None and video.bytes == (out / video.file).stat().st_size
    pts, keys, _, _ = frames_of(out / video.file)
    assert len(pts) == frames
    interval = keyframe_interval(facts.timing.fps or 0)
    if encoded:
        assert np.diff([*keys, frames]).max() <= interval
    above = video.bytes
    for rendition in video.renditions:
        path = out / rendition.file
        assert rendition.bytes == path.stat().st_size < above
        above = rendition.bytes
        own_pts, own_keys, size, own_duration = frames_of(path)
        assert own_pts == pts
        assert own_duration == pytest.approx(facts.timing.duration_s, abs=1e-3)
        assert rendition.frames == frames and size == (rendition.height, rendition.width)
        assert own_keys == list(range(0, frames, interval))
    made = {p.name for p in out.glob("video-*.mp4")}
    assert made == {r.file for r in video.renditions}
    return list(video.renditions)


@pytest.mark.parametrize("sample", MULTI_FRAME, ids=lambda s: s.name)
def test_every_rendition_of_a_real_sample_has_the_videos_frames(
    sample: Sample, processed_sample
) -> None:
    _, out = processed_sample(sample)
    renditions = assert_renditions_match_the_video(out, sample.frames)
    ladder = {rung.name: rung for rung in LADDER}
    for rendition in renditions:
        rung = ladder[rendition.name]
        assert rendition.file == file_name(rung.name) and rendition.target_kbps == rung.max_kbps
        # Shrunk from the source frame, never enlarged (the full video may be: small colour).
        assert (rendition.height, rendition.width) == rendition_size(
            sample.rows, sample.columns, rung.long_side
        )
        assert max(rendition.width, rendition.height) <= rung.long_side
        assert rendition.width <= sample.columns and rendition.height <= sample.rows
    if sample.name in KEPT:
        assert tuple(r.name for r in renditions) == KEPT[sample.name]


def test_renditions_round_trip_through_metadata(processed_sample, tmp_path: Path) -> None:
    sample = next(s for s in REAL if s.name == "orthanc-Issue16.dcm")
    _, out = processed_sample(sample)
    facts = assert_facts_round_trip(out, tmp_path)
    assert (
        facts.video is not None
        and tuple(r.name for r in facts.video.renditions) == KEPT[sample.name]
    )
    stored = json.loads((out / "metadata.json").read_text())["video"]["renditions"]
    assert [r.to_json() for r in facts.video.renditions] == stored


def test_a_tiny_loop_gets_no_rendition(tmp_path: Path) -> None:
    src = make_cine(tmp_path / "tiny.dcm", frames=6, colour=True)
    facts = process(src, tmp_path / "out").facts
    assert facts.video is not None and facts.video.renditions == ()
    assert json.loads((tmp_path / "out" / "metadata.json").read_text())["video"]["renditions"] == []
    assert not list((tmp_path / "out").glob("video-*"))


@pytest.fixture(scope="module")
def speckle(tmp_path_factory) -> tuple[Path, Path]:
    """The speckle loop processed with a DICOM writer: (source, output folder)."""
    tmp = tmp_path_factory.mktemp("speckle")
    src = speckle_cine(tmp / "speckle.dcm")
    return src, process(src, tmp / "out", dicom_writer=deidentified_dicom_writer(SECRET)).out_dir


def test_keyframes_fall_on_the_same_frames_in_every_rendition(speckle) -> None:
    _, out = speckle
    renditions = assert_renditions_match_the_video(out, 120)
    assert [r.name for r in renditions] == ["medium", "low"]
    assert frames_of(out / "video.mp4")[1] == [0, 50, 100]  # 2 s at 25 fps


def test_variable_frame_timing_is_the_same_in_every_rendition(tmp_path: Path) -> None:
    vector = [0.0] + [40.0, 30.0, 60.0, 45.0] * 15
    src = speckle_cine(tmp_path / "vfr.dcm", frames=len(vector), vector=vector)
    out = process(src, tmp_path / "out").out_dir
    assert assert_renditions_match_the_video(out, len(vector))
    pts = frames_of(out / "video-low.mp4")[0]
    assert pts == [round(t * 90) for t in np.cumsum(vector)]


def test_a_remuxed_source_gets_renditions_at_its_timestamps(tmp_path: Path) -> None:
    coarse = np.random.default_rng(3).rayleigh(40, (90, 120, 160))
    pixels = np.kron(coarse, np.ones((1, 2, 2))).clip(0, 255).astype(np.uint8)
    data = encode_stream(np.repeat(pixels[..., None], 3, axis=-1), options={"crf": "18"})
    src = video_cine(tmp_path / "h264.dcm", H264_HIGH_41, data, len(pixels), rows=240, columns=320)
    out = process(src, tmp_path / "out").out_dir
    assert json.loads((out / "metadata.json").read_text())["video"]["remuxed"]
    renditions = assert_renditions_match_the_video(out, len(pixels), encoded=False)
    assert [r.name for r in renditions] == ["medium", "low"]


def test_renditions_made_later_from_the_dicom_are_the_same(speckle, tmp_path: Path) -> None:
    """A loop processed before renditions existed: from its (lossless) de-identified DICOM,
    at its video's timestamps, the renditions the decode pass makes (x264's threads make the
    bytes differ a little from run to run)."""
    _, out = speckle
    made = renditions_from_dicom(out / "deidentified.dcm", out / "video.mp4", tmp_path)
    facts = load(out / "metadata.json").video
    assert facts is not None
    shape = [(r.name, r.file, r.width, r.height, r.frames) for r in facts.renditions]
    assert [(r.name, r.file, r.width, r.height, r.frames) for r in made] == shape
    for ours, theirs in zip(made, facts.renditions, strict=True):
        assert ours.bytes == (tmp_path / ours.file).stat().st_size
        assert ours.bytes == pytest.approx(theirs.bytes, rel=0.02)
        assert frames_of(tmp_path / ours.file)[:3] == frames_of(out / theirs.file)[:3]


@pytest.mark.parametrize(
    ("rows", "columns", "long_side", "size"),
    [
        (600, 800, 640, (480, 640)),
        (600, 800, 400, (300, 400)),
        (430, 480, 640, (430, 480)),  # smaller than the rung: never enlarged
        (431, 481, 640, (430, 480)),  # odd: one pixel less, never more
        (768, 1024, 400, (300, 400)),
        (1536, 2048, 640, (480, 640)),
        (3, 1000, 400, (2, 400)),
    ],
)
def test_rendition_size(rows: int, columns: int, long_side: int, size: tuple) -> None:
    assert rendition_size(rows, columns, long_side) == size
