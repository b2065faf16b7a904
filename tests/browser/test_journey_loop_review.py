"""Journey 2 of issue 10, clicking only what the pages show: two loops without ultrasound
regions arrive as *needs review*; the instructor steps through the frames of one, draws a
keep-rectangle with the mouse and saves — the worker (eager here) cleans every frame again and
the loop is ready, blank outside the rectangle on every frame of every derived file — and
confirms the other has no burned-in text."""

import pytest

from cineloops.models import CineLoop
from tests.browser.conftest import _missing_reason
from tests.browser.journey import log_in, menu_link
from tests.cineloops.masks import COLUMNS, FRAMES, ROWS, assert_blank_outside, cine_without_regions
from tests.factories import InstructorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_missing_reason() is not None, reason=str(_missing_reason())),
]
RECTANGLE = [24, 16, 95, 79]  # x0, y0, x1, y1: inclusive original pixels


def open_loop(page, loop: CineLoop) -> None:
    menu_link(page, "Cine loops").click()
    row = page.locator("tr", has=page.get_by_role("link", name=loop.display_label, exact=True))
    assert "Needs review" in row.inner_text()
    row.get_by_role("link", name=loop.display_label, exact=True).click()
    page.get_by_role("heading", name="Check the frames for burned-in text").wait_for()


def drag_rectangle(page, rectangle: list[int]) -> None:
    """Press on the centre of pixel (x0, y0), release on the centre of (x1, y1)."""
    surface = page.locator("[data-mask-surface]")
    surface.scroll_into_view_if_needed()
    box = surface.bounding_box()  # viewport coordinates, as the mouse uses

    def at(x: int, y: int) -> tuple[float, float]:
        return (
            box["x"] + (x + 0.5) * box["width"] / COLUMNS,
            box["y"] + (y + 0.5) * box["height"] / ROWS,
        )

    x0, y0, x1, y1 = rectangle
    page.mouse.move(*at(x0, y0))
    page.mouse.down()
    page.mouse.move(*at((x0 + x1) // 2, (y0 + y1) // 2), steps=4)
    page.mouse.move(*at(x1, y1), steps=4)
    page.mouse.up()


@pytest.mark.django_db(transaction=True)
def test_instructor_resolves_two_loops_that_need_review(page, celery_eager, cine_dirs, tmp_path):
    instructor = InstructorFactory(first_name="Min", last_name="Zhao")
    masked_source = cine_without_regions(tmp_path / "first.dcm")
    confirmed_source = cine_without_regions(tmp_path / "second.dcm")
    log_in(page, instructor.username)

    # Upload both through the upload page (one at a time: SQLite takes one writer).
    menu_link(page, "Cine loops").click()
    page.get_by_role("link", name="Upload loops").click()
    files = page.locator(".cine-file")
    for index, source in enumerate((masked_source, confirmed_source)):
        page.locator("[data-file-input]").set_input_files([str(source)])
        files.nth(index).locator(".cine-status-needs_review").wait_for()
    masked, confirmed = CineLoop.objects.order_by("pk")

    # The first: step through the frames, draw the part to keep, save.
    open_loop(page, masked)
    label = page.locator("[data-frame-label]")
    assert label.inner_text() == f"Frame 1 of {FRAMES}"
    for _ in range(FRAMES - 1):
        page.get_by_role("button", name="Next frame").click()
    assert label.inner_text() == f"Frame {FRAMES} of {FRAMES}"
    save = page.get_by_role("button", name="Keep these rectangles and clean every frame")
    assert save.is_disabled()
    drag_rectangle(page, RECTANGLE)
    assert page.locator("[data-mask-list] li").all_inner_texts() == ["x 24\u201395, y 16\u201379"]
    save.click()

    page.get_by_text("Cleaned with a mask drawn by an instructor").first.wait_for()
    assert page.locator(".page-head [data-status]").inner_text() == "Ready"
    assert "By Min Zhao" in page.locator("[data-review-resolution]").inner_text()
    masked.refresh_from_db()
    assert masked.status == CineLoop.Status.READY and masked.keep_mask == [RECTANGLE]
    assert_blank_outside(masked, [RECTANGLE], masked_source)

    # The second: no burned-in text on any frame.
    open_loop(page, confirmed)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="No burned-in text on any frame").click()
    page.locator("[data-review-resolution]").wait_for()
    assert page.locator(".page-head [data-status]").inner_text() == "Ready"
    assert "Confirmed: no burned-in text" in page.locator("[data-review-resolution]").inner_text()
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.reviewed_by) == (CineLoop.Status.READY, instructor)
    assert not any(p.is_file() for p in cine_dirs.uploads.rglob("*"))  # both originals gone
