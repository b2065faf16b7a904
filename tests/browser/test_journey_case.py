"""Journey 1 of issue 10, in a real browser, clicking only what the pages show.

An instructor at a county hospital logs in through the form, uploads a multi-frame DICOM loop
on the upload page (processed by the task, as a worker would), builds a case on it (an outline
with a label and a time range, phase markers, a lesion ROI whose curve appears), sends it for
review; a reviewer at the expert centre approves it; a trainee at a township clinic finds it
in the library, plays it and steps frames on a phone, in Chinese.

No ``page.goto`` past the home page, no direct POST: every step is a click on a visible link or
button. The instructor works in English, the trainee switches to Chinese with the header's
language menu. The review steps need the next-action bar (issue 10 §1); until it is merged the
first test stands in for them with the workflow services, the second walks them in the pages.
"""

from __future__ import annotations

import re

import pytest

from accounts.models import Institution
from cases.models import Annotation, Case, CaseStatus, PhaseMarker
from tests import factories
from tests.browser.journey import (
    PHONE,
    browser_tab,
    horizontal_overflow,
    log_in,
    menu_link,
    use_language,
    zh,
)
from tests.browser.test_case_viewer import drag_on_image, to_screen, wait_until_saved
from tests.cine.cine_factory import make_cine, region_item

pytestmark = pytest.mark.browser

FPS = 10
FRAMES = 30  # a 3 s loop
TITLE = "Arterial-phase nodule, segment VI"
TITLE_ZH = "VI段动脉期结节"  # the author writes both languages; the Chinese trainee reads this
OUTLINE = [(120, 80), (200, 85), (210, 150), (130, 160)]  # image pixels


@pytest.fixture
def people(db):
    """A county hospital's instructor (and a colleague who never takes part), the instructor of
    the expert centre the county hospital names as its reviewer, and a township clinic's
    trainee."""
    centre = factories.InstitutionFactory(
        name="Zhejiang Expert Centre", level=Institution.Level.EXPERT_CENTRE
    )
    county = factories.InstitutionFactory(name="Anji County Hospital")
    county.reviewed_by.add(centre)  # the county hospital names its expert centre as reviewer
    township = factories.InstitutionFactory(
        name="Xiaofeng Township Clinic", level=Institution.Level.TOWNSHIP
    )
    return {
        "author": factories.InstructorFactory(institution=county, first_name="Li", last_name="Na"),
        "colleague": factories.InstructorFactory(institution=county),
        "reviewer": factories.InstructorFactory(institution=centre),
        "trainee": factories.TraineeFactory(institution=township),
    }


def overlapping(first, second) -> bool:
    # Measured once the page has loaded: before its stylesheet applies, fields sit at their
    # intrinsic widths (a loaded CI machine measured that once).
    first.page.wait_for_load_state("load")
    a, b = first.bounding_box(), second.bounding_box()
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def frame_index(page) -> int:
    return int(page.locator("[data-frame]").get_attribute("data-frame-index"))


def wait_for_frame(page, index: int) -> None:
    page.wait_for_function(
        "i => document.querySelector('[data-frame]').getAttribute('data-frame-index') === String(i)"
        " && !document.querySelector('[data-video]').seeking",
        arg=index,
    )


def seek_on_timeline(page, frame: int) -> None:
    """Click the timeline at the middle of ``frame`` and wait until the video shows it."""
    scrub = page.locator("[data-scrub]")
    scrub.scroll_into_view_if_needed()
    box = scrub.bounding_box()
    x = box["x"] + box["width"] * (frame + 0.5) / FRAMES
    page.mouse.click(x, box["y"] + box["height"] / 2)
    wait_for_frame(page, frame)


# --- The steps -----------------------------------------------------------------------------------


def upload_a_loop(page, dicom) -> None:
    """Step 1: Cine loops → Upload loops → choose the file → it is processed and ready."""
    menu_link(page, "Cine loops").click()
    page.get_by_role("link", name="Upload loops").click()
    page.locator("[data-file-input]").set_input_files(str(dicom))
    page.locator(".cine-file .cine-status-ready").wait_for(timeout=90_000)
    page.get_by_role("link", name="All loops").click()
    assert "Ready" in page.locator(".cine-list tbody tr").first.inner_text()


def build_the_case(page) -> Case:
    """Step 2: Case library → New case, then the annotation editor on the case page."""
    page.get_by_role("link", name="Case library", exact=True).click()
    assert not overlapping(
        page.get_by_label("Search", exact=True), page.get_by_label("Organ system")
    )
    page.get_by_role("link", name="New case").click()
    page.get_by_label("Title (EN)").fill(TITLE)
    page.get_by_label("Title (中文)").fill(TITLE_ZH)
    page.get_by_label("Organ system").select_option(label="Liver")
    page.get_by_label("Visibility").select_option(label="Whole teaching network")
    page.get_by_label("Final diagnosis (EN)").fill("Hepatocellular carcinoma")
    page.get_by_label("Final diagnosis (中文)").fill("肝细胞癌")
    loop_choice = page.locator("select[name='loops-0-loop']")
    loop_choice.select_option(index=1)  # the loop just uploaded, the newest
    assert "Ready" in loop_choice.locator("option:checked").inner_text()
    page.get_by_role("button", name="Save case").click()
    page.get_by_text("Case saved.").wait_for()
    case = Case.objects.get(title_en=TITLE)
    page.wait_for_function("window.CeusViewer && window.CeusViewer.player")

    page.get_by_role("button", name="Edit annotations").click()
    # An outline of the lesion, shown from the start of frame 10 to the end of frame 20
    page.get_by_role("button", name="Polygon", exact=True).click()
    # The whole image in view, as a person scrolls it before drawing
    page.locator("[data-stage]").evaluate("stage => stage.scrollIntoView({block: 'center'})")
    for x, y in OUTLINE:
        page.mouse.click(*to_screen(page, x, y))
    page.get_by_role("button", name="Finish polygon").click()
    page.get_by_label("Label", exact=True).fill("Hypervascular nodule")
    seek_on_timeline(page, 10)
    page.get_by_role("button", name="Starts now").click()
    seek_on_timeline(page, 20)
    page.get_by_role("button", name="Ends now").click()
    # Phase markers at the current time
    seek_on_timeline(page, 8)
    page.get_by_label("Marker", exact=True).select_option(label="Contrast arrival")
    page.get_by_role("button", name="Set at the current time").click()
    seek_on_timeline(page, 15)
    page.get_by_label("Marker", exact=True).select_option(label="Peak enhancement")
    page.get_by_role("button", name="Set at the current time").click()
    # The ROI of the time-intensity curve
    page.get_by_role("button", name="Ellipse", exact=True).click()
    drag_on_image(page, (140, 100), (190, 140))
    page.get_by_label("ROI for time-intensity curves").select_option("lesion")
    page.get_by_label("Label", exact=True).fill("Nodule ROI")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_until_saved(page)
    page.locator("[data-tic]").scroll_into_view_if_needed()  # curves load once on screen
    page.locator(".cv-tic-curve.cv-role-lesion").first.wait_for(timeout=60_000)
    assert "Nodule ROI" in page.locator("[data-tic-legend]").inner_text()

    outline = Annotation.objects.get(case=case, kind="polygon")
    assert outline.label == "Hypervascular nodule"
    points = [coordinate for point in outline.geometry["points"] for coordinate in point]
    assert points == pytest.approx([c for point in OUTLINE for c in point], abs=1.5), points
    assert (outline.t_start, outline.t_end) == (pytest.approx(1.0), pytest.approx(2.1))
    roi = Annotation.objects.get(case=case, kind="ellipse")
    assert (roi.roi_role, roi.label) == ("lesion", "Nodule ROI")
    markers = dict(PhaseMarker.objects.filter(case=case).values_list("kind", "time_s"))
    assert markers == {"arrival": pytest.approx(0.85), "peak": pytest.approx(1.55)}
    return case


def trainee_finds_plays_and_steps(page) -> None:
    """Step 5, in Chinese on a phone: library search → the case → play → frame by frame."""
    use_language(page, "zh-hans")
    page.get_by_role("link", name=zh("Case library"), exact=True).click()
    assert horizontal_overflow(page) <= 0
    search = page.get_by_label(zh("Search"), exact=True)
    assert not overlapping(search, page.get_by_label(zh("Organ system"), exact=True))
    search.fill("动脉期结节")  # found by its Chinese title, shown in Chinese
    page.get_by_role("button", name=zh("Show cases")).click()
    page.get_by_role("link", name=TITLE_ZH).first.click()
    page.wait_for_function("window.CeusViewer && window.CeusViewer.player")
    assert page.locator("h1").inner_text() == TITLE_ZH
    assert horizontal_overflow(page) <= 0

    page.get_by_role("button", name=zh("Play"), exact=True).tap()
    page.wait_for_function("document.querySelector('[data-video]').currentTime > 0.5")
    page.get_by_role("button", name=zh("Pause"), exact=True).tap()
    # Paused, and the player has handled it (its pause handler shows the frame reached).
    page.wait_for_function(
        "document.querySelector('[data-video]').paused && !document.querySelector('.is-playing')"
    )
    start = frame_index(page)
    while start > FRAMES - 3:  # paused near the end (a loaded machine): room for two steps
        page.get_by_role("button", name=zh("Previous frame")).tap()
        start -= 1
        wait_for_frame(page, start)
    counter = page.locator("[data-frame]")
    for step, expected in (("Next frame", start + 1), ("Next frame", start + 2),
                           ("Previous frame", start + 1)):  # fmt: skip
        page.get_by_role("button", name=zh(step)).tap()
        wait_for_frame(page, expected)
        # the counter shows frames from 1: exactly one more, or one less, than before
        assert [int(n) for n in re.findall(r"\d+", counter.inner_text())] == [expected + 1, FRAMES]
    assert horizontal_overflow(page) <= 0


@pytest.fixture
def dicom(tmp_path):
    """A 320 x 240 cine, 10 fps, 3 s, one calibrated 2D region (0.05 cm a pixel)."""
    return make_cine(
        tmp_path / "liver.dcm",
        frames=FRAMES,
        rows=240,
        columns=320,
        frame_time=1000 / FPS,
        regions=[region_item((10, 10, 309, 229))],
    )


# --- The journey ---------------------------------------------------------------------------------


def test_the_whole_journey_with_review_at_the_expert_centre(
    browser, live_server, cine_dirs, celery_eager, people, dicom
):
    with browser_tab(browser, live_server) as page:
        log_in(page, people["author"].username)
        upload_a_loop(page, dicom)
        case = build_the_case(page)
        # Step 3: the next-action bar of the draft sends it for review
        with page.expect_navigation():
            page.locator("[data-next-action]").get_by_role("button", name="Send for review").click()
        page.locator("[data-next-action]").get_by_text("Waiting for review").wait_for()
        assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_REVIEW

    # Step 4: the expert centre's instructor sees it waiting and approves it
    with browser_tab(browser, live_server) as page:
        log_in(page, people["reviewer"].username)
        # the menu's link carries the count of cases waiting for this reviewer
        reviews = page.locator("[data-menu=reviews]")
        assert reviews.locator(".menu-badge").inner_text() == "1"
        reviews.click()
        page.get_by_role("link", name=TITLE).click()
        with page.expect_navigation():
            bar = page.locator("[data-next-action]")
            bar.get_by_role("button", name="Approve and publish").click()
        assert Case.objects.get(pk=case.pk).status == CaseStatus.PUBLISHED

    with browser_tab(browser, live_server, **PHONE, phone=True) as page:
        log_in(page, people["trainee"].username)
        trainee_finds_plays_and_steps(page)
