"""The loop every renditions test plays (tests/browser/test_renditions*.py): made by the real
pipeline from an 801 x 601 cine, 10 fps, 4 s, grey speckle that changes every frame with a
bright bar that moves 18 px a frame (where the bar is says which frame is shown), and a case
with one arrow on it; and the helpers that read and choose the rendition a player shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cases import services
from cases.models import CaseStatus
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.cine_factory import base_dataset, write

FPS, FRAMES = 10, 40  # as test_case_viewer's helpers expect
ROWS, COLUMNS = 601, 801
HEIGHTS = {"high": 602, "medium": 480, "low": 300}
ARROW = {"x1": 600.0, "y1": 80.0, "x2": 420.0, "y2": 260.0}
RENDITIONS_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "renditions.js"
PHONE = {"width": 390, "height": 844}


def bar_x(frame: int) -> float:
    """The centre of frame ``frame``'s bar, in source pixels."""
    return 40 + 18 * frame + 4


def bar_cine(path: Path) -> Path:
    rng = np.random.default_rng(16)
    coarse = rng.rayleigh(30, (FRAMES, (ROWS + 1) // 2, (COLUMNS + 1) // 2))
    pixels = np.kron(coarse, np.ones((1, 2, 2)))[:, :ROWS, :COLUMNS].clip(0, 180)
    for frame in range(FRAMES):
        left = int(bar_x(frame)) - 4
        pixels[frame, :, left : left + 8] = 255
    ds = base_dataset(
        frames=FRAMES, rows=ROWS, columns=COLUMNS, photometric="MONOCHROME2", burned_in="NO"
    )
    ds.FrameTime, ds.FrameIncrementPointer = 1000 / FPS, 0x00181063
    ds.PixelData = pixels.astype(np.uint8).tobytes()
    return write(ds, path)


@pytest.fixture
def ladder_loop(cine_dirs, tmp_path, hospital):
    loop = processed(bar_cine(tmp_path / "bar.dcm"), hospital)
    assert loop.video_file, loop.error
    return loop


@pytest.fixture
def ladder_case(ladder_loop, hospital, instructor):
    case = CaseFactory(
        institution=hospital,
        loops=[ladder_loop],
        created_by=instructor,
        status=CaseStatus.PUBLISHED,
    )
    services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {"loop": ladder_loop.pk, "kind": "arrow", "geometry": ARROW, "label": "Bar",
             "t_start": None, "t_end": None, "roi_role": ""},
        ],
        phase_markers=[],
    )  # fmt: skip
    return case


# --- Helpers --------------------------------------------------------------------------------------

VIDEO = "[data-video]"


def rendition(page, video: str = VIDEO) -> str:
    return page.locator(video).get_attribute("data-rendition")


def choose(page, name: str, scope: str = "") -> None:
    page.locator(f"{scope} [data-quality-select]".strip()).select_option(name)
