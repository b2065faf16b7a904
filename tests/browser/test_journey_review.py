"""Journey 3 of issue 10: a county hospital with one CEUS instructor publishes a case through
its expert centre's reviewer — only by clicking what the pages show.

The county instructor builds a case on a ready loop and sends it for review; the expert
centre's instructor (in Chinese) sees the menu badge, opens "Cases to review", plays the loop
and approves; a trainee at a third hospital (on a 390 px phone) finds it in the library and
plays it.
"""

import re

import pytest

from cases.models import Case, CaseStatus
from tests.browser.journey import PHONE, browser_tab, horizontal_overflow, log_in, use_language
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.browser

TITLE = "Nodule in segment VI at the county hospital"
FRAME_INDEX = "document.querySelector('[data-frame]').getAttribute('data-frame-index')"


@pytest.fixture
def network(cine_dirs, tmp_path):
    """A county hospital with one instructor and a ready loop; its expert centre, named as its
    reviewer, with one instructor; a trainee at a third hospital."""
    centre = InstitutionFactory(name="Provincial Expert Centre", level="expert_centre")
    county = InstitutionFactory(name="Songyang County Hospital")
    county.reviewed_by.add(centre)
    author = InstructorFactory(institution=county, first_name="Lei", last_name="Zhang")
    expert = InstructorFactory(institution=centre, first_name="Jie", last_name="Chen")
    trainee = TraineeFactory(institution=InstitutionFactory(name="Township Clinic"))
    path = make_cine(
        tmp_path / "county.dcm",
        frames=20,
        rows=120,
        columns=160,
        frame_time=100.0,
        regions=[region_item((4, 4, 155, 115))],
    )
    loop = processed(path, county)
    assert loop.status == "ready", loop.error
    loop.label = "County arterial phase"
    loop.save(update_fields=["label"])
    return {"author": author, "expert": expert, "trainee": trainee, "loop": loop}


def nav(page):
    return page.get_by_role("navigation", name=re.compile("Main|主"))


def play_and_step(page) -> None:
    """Play the loop (the video waits for Play: poster first), pause, step one frame."""
    page.wait_for_function("window.CeusViewer && window.CeusViewer.player")
    page.locator(".cv-controls [data-action='play']").click()
    page.wait_for_function("document.querySelector('[data-video]').currentTime > 0.3")
    page.locator(".cv-controls [data-action='play']").click()
    # Paused, and the player has handled it (its pause handler shows the frame reached).
    page.wait_for_function(
        "document.querySelector('[data-video]').paused && !document.querySelector('.is-playing')"
    )
    start = int(page.evaluate(FRAME_INDEX))
    step = "prev-frame" if start > 0 else "next-frame"
    page.locator(f".cv-controls [data-action='{step}']").click()
    page.wait_for_function(f"{FRAME_INDEX} !== '{start}'")


def test_a_county_hospital_publishes_through_its_expert_centre(browser, live_server, network):
    loop = network["loop"]

    # 1. The county instructor builds the case and sends it for review.
    with browser_tab(browser, live_server) as page:
        log_in(page, network["author"].username)
        nav(page).get_by_role("link", name="Case library").click()
        page.get_by_role("link", name="New case").click()
        page.get_by_label("Title (EN)").fill(TITLE)
        page.get_by_label("Organ system").select_option("liver")
        page.get_by_label("Visibility").select_option("network")
        page.get_by_label("Final diagnosis (EN)").fill("Hepatocellular carcinoma")
        page.locator("select[name='loops-0-loop']").select_option(str(loop.pk))
        page.get_by_role("button", name="Save case").click()
        bar = page.locator("[data-next-action]")
        assert "Draft" in bar.inner_text()
        bar.get_by_role("button", name="Send for review").click()
        bar = page.locator("[data-next-action]")
        assert "Waiting for review by Jie Chen (Provincial Expert Centre)" in bar.inner_text()
        case = Case.objects.get(title_en=TITLE)
        assert case.status == CaseStatus.IN_REVIEW

    # 2. The expert centre's instructor, in Chinese: badge, "Cases to review", play, approve.
    with browser_tab(browser, live_server) as page:
        log_in(page, network["expert"].username)
        use_language(page, "zh-hans")
        reviews = nav(page).locator("[data-menu='reviews']")
        assert reviews.locator(".menu-badge").inner_text() == "1"
        reviews.click()
        assert page.locator("h1").inner_text() == "待审核病例"
        page.get_by_role("link", name=TITLE).click()
        play_and_step(page)
        bar = page.locator("[data-next-action]")
        assert "审核中" in bar.inner_text()
        assert not page.get_by_role("link", name="编辑病例信息").count()  # reads, never edits
        bar.get_by_role("button", name="审核通过并发布").click()
        assert "已发布" in page.locator(".messages").inner_text()  # no bar: not theirs to edit
        case.refresh_from_db()
        assert case.status == CaseStatus.PUBLISHED and case.reviewed_by == network["expert"]
        assert not nav(page).locator("[data-menu='reviews'] .menu-badge").count()

    # 3. A trainee at a third hospital, on a phone, finds it in the library and plays it.
    with browser_tab(browser, live_server, **PHONE) as page:
        log_in(page, network["trainee"].username)
        nav(page).get_by_role("link", name="Case library").click()
        page.get_by_role("link", name=TITLE).click()
        assert page.locator("h1").inner_text() == TITLE
        play_and_step(page)
        assert not page.locator("[data-next-action]").count()
        assert horizontal_overflow(page) <= 0
