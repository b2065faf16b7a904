"""A colour loop's enlarged video (``cine.encoder_choice``: 2x each way) in the case viewer.

The video is twice the loop's size; the overlay must stay in the loop's own pixels, letterboxed
exactly over the image, as for a video of the loop's size.
"""

import pytest

pytest.importorskip("cases.models")

from cases import services
from cases.models import CaseStatus
from tests.browser.test_case_viewer import open_case, sign_in, to_screen
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item

pytestmark = pytest.mark.browser

ROWS, COLUMNS = 120, 160
ARROW = {"x1": 150.0, "y1": 20.0, "x2": 90.0, "y2": 70.0}


@pytest.fixture
def colour_case(cine_dirs, tmp_path, hospital, instructor):
    path = make_cine(
        tmp_path / "colour.dcm",
        frames=10,
        rows=ROWS,
        columns=COLUMNS,
        colour=True,
        frame_time=100.0,
        regions=[region_item((5, 5, 154, 114))],
    )
    loop = processed(path, hospital)
    assert loop.video_file, loop.error
    case = CaseFactory(
        institution=hospital, loops=[loop], created_by=instructor, status=CaseStatus.PUBLISHED
    )
    services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {"loop": loop.pk, "kind": "arrow", "geometry": ARROW, "label": "Jet",
             "t_start": None, "t_end": None, "roi_role": ""},
        ],
        phase_markers=[],
    )  # fmt: skip
    return case


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_overlay_stays_on_the_image_of_an_enlarged_video(
    page, live_server, trainee, colour_case, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    sign_in(page, live_server, trainee)
    open_case(page, colour_case)
    page.evaluate("window.CeusViewer.player.ensureLoading()")  # as the first frame step does
    page.wait_for_function("document.querySelector('[data-video]').readyState >= 2")
    size = page.evaluate("(v => [v.videoWidth, v.videoHeight])(document.querySelector('video'))")
    assert size == [2 * COLUMNS, 2 * ROWS]
    assert page.locator("[data-overlay]").get_attribute("viewBox") == f"0 0 {COLUMNS} {ROWS}"
    video = page.locator("[data-video]").bounding_box()
    scale = min(video["width"] / COLUMNS, video["height"] / ROWS)
    left = video["x"] + (video["width"] - COLUMNS * scale) / 2
    top = video["y"] + (video["height"] - ROWS * scale) / 2
    x, y = to_screen(page, ARROW["x2"], ARROW["y2"])
    assert x == pytest.approx(left + ARROW["x2"] * scale, abs=1)
    assert y == pytest.approx(top + ARROW["y2"] * scale, abs=1)
