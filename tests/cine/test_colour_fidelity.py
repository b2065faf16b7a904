"""Colour-flow fidelity of the teaching video (issue 12, Found 3).

PSNR is measured on the whole frame and on the colour regions alone (pixels where the source is
chromatic: max(R,G,B) - min(R,G,B) > 30), against the frames that went in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cine.encoder_choice import BASE_CRF, choose_crf
from cine.pipeline import process
from cine.video import Mp4Writer, VideoSettings

from .cine_factory import psnr
from .sample_files import real_path
from .samples_reference import REAL
from .test_samples_process import cleaned_reference, video_frames


def chromatic(frame: np.ndarray) -> np.ndarray:
    return (frame.max(axis=2).astype(np.int16) - frame.min(axis=2)) > 30


def colour_psnr(ours: np.ndarray, theirs: np.ndarray) -> float:
    mask = chromatic(theirs)
    return psnr(ours[mask], theirs[mask]) if mask.any() else float("inf")


def doppler_loop(frames: int, rows: int, columns: int) -> np.ndarray:
    """Grey speckle with a moving red/blue flow patch, like a colour-Doppler sector."""
    rng = np.random.default_rng(12)
    speckle = rng.gamma(2.0, 30.0, (frames, rows, columns)).clip(0, 255).astype(np.uint8)
    loop = np.repeat(speckle[..., None], 3, axis=3)
    y, x = np.mgrid[:rows, :columns]
    for t in range(frames):
        cx, cy = columns // 2 + 4 * t, rows // 2
        inside = (x - cx) ** 2 / 60**2 + (y - cy) ** 2 / 40**2 < 1
        towards = inside & (y < cy)  # red above the axis, blue below: two flow directions
        loop[t][towards] = (200 + t, 30, 20)
        loop[t][inside & ~towards] = (20, 40, 210 - t)
    return loop


@pytest.mark.parametrize(
    ("rows", "columns", "frames", "colour", "flow", "expected"),
    [
        (430, 600, 10, True, False, BASE_CRF - 5),  # small palette echo loop
        (430, 600, 10, False, True, BASE_CRF - 5),  # grey storage, colour-flow region
        (430, 600, 10, False, False, BASE_CRF - 2),  # small grey loop
        (600, 800, 10, True, False, BASE_CRF - 3),  # large colour loop
        (600, 800, 1800, False, False, BASE_CRF),  # long 800x600 grey loop: today's CRF
        (600, 800, 1800, True, True, BASE_CRF - 2),  # long colour loop: the bitrate floor
        (430, 600, 3600, True, False, BASE_CRF - 2),  # long small colour loop: floor too
    ],
)
def test_crf_is_chosen_by_content_size_and_length(rows, columns, frames, colour, flow, expected):
    assert choose_crf(rows, columns, frames, colour=colour, colour_flow=flow) == expected


def test_generated_colour_doppler_loop_keeps_its_colour(tmp_path: Path) -> None:
    loop = doppler_loop(10, 430, 600)
    crf = choose_crf(430, 600, 10, colour=True)
    with Mp4Writer(tmp_path / "v.mp4", 430, 600, 25.0, VideoSettings(crf=crf)) as video:
        for i, frame in enumerate(loop):
            video.write(frame, i / 25, 1 / 25)
    frames, _ = video_frames(tmp_path / "v.mp4", 430, 600)
    assert len(frames) == 10
    for ours, theirs in zip(frames, loop, strict=True):
        assert psnr(ours, theirs) >= 30  # 27.1 dB at CRF 23 before
        # 4:2:0 smears the patch edges: 24.1 dB before, 24.3 now; 30 is out of reach (below).
        assert colour_psnr(ours, theirs) >= 24


PALETTE_LOOPS = [s for s in REAL if s.photometric == "PALETTE COLOR" and s.frames > 1]


@pytest.mark.parametrize("sample", PALETTE_LOOPS, ids=lambda s: s.name)
def test_palette_loop_video_whole_frame_psnr(sample, tmp_path: Path) -> None:
    src = real_path(sample.name)
    result = process(src, tmp_path / "out")
    assert result.metadata["video"]["crf"] == choose_crf(
        sample.rows, sample.columns, sample.frames, colour=True
    )
    frames, _ = video_frames(tmp_path / "out" / "video.mp4", sample.rows, sample.columns)
    expected = cleaned_reference(src, sample)
    whole = [psnr(a, b) for a, b in zip(frames, expected, strict=True)]
    colour = [colour_psnr(a, b) for a, b in zip(frames, expected, strict=True)]
    # Measured 30.66 / 20.10 dB (min over frames) with CRF 23 and bilinear chroma before.
    assert min(whole) >= 31.3
    assert min(colour) >= 20.6


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,  # the PSNR below, not an absent sample (CEUS_REQUIRE_SAMPLES)
    reason="4:2:0 chroma caps scattered flow pixels at ~23.5 dB even losslessly "
    "(yuv444p: 53 dB, but High 4:4:4 does not play in browsers)",
)
@pytest.mark.parametrize("sample", PALETTE_LOOPS, ids=lambda s: s.name)
def test_palette_loop_colour_regions_reach_30_db(sample, tmp_path: Path) -> None:
    src = real_path(sample.name)
    process(src, tmp_path / "out")
    frames, _ = video_frames(tmp_path / "out" / "video.mp4", sample.rows, sample.columns)
    expected = cleaned_reference(src, sample)
    assert min(colour_psnr(a, b) for a, b in zip(frames, expected, strict=True)) >= 30
