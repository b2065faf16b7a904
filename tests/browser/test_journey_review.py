"""Journey 3 of issue 10: a county hospital with one CEUS instructor publishes a case through
its expert centre's reviewer — only by clicking what the pages show.

The county instructor builds a case on a ready loop and sends it for review; the expert
centre's instructor (in Chinese) sees the menu badge, opens "Cases to review", plays the loop
and approves; a trainee at a third hospital (on a 390 px phone) finds it in the library and
plays it.
"""

import re

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
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


def new_tab(browser, live_server, *, width: int = 1280, height: int = 800):
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def log_in(page, user) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(reverse("courses:dashboard")) + "$"))


def nav(page):
    return page.get_by_role("navigation", name=re.compile("Main|主"))


def play_and_step(page) -> None:
    """Play the loop (the video waits for Play: poster first), pause, step one frame."""
    page.wait_for_function("window.CeusViewer && window.CeusViewer.player")
    page.locator(".cv-controls [data-action='play']").click()
    page.wait_for_function("document.querySelector('[data-video]').currentTime > 0.3")
    page.locator(".cv-controls [data-action='play']").click()
    page.wait_for_function("document.querySelector('[data-video]').paused")
    start = int(page.evaluate(FRAME_INDEX))
    step = "prev-frame" if start > 0 else "next-frame"
    page.locator(f".cv-controls [data-action='{step}']").click()
    page.wait_for_function(f"{FRAME_INDEX} !== '{start}'")


def no_horizontal_overflow(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_county_hospital_publishes_through_its_expert_centre(browser, live_server, network):
    loop = network["loop"]

    # 1. The county instructor builds the case and sends it for review.
    page = new_tab(browser, live_server)
    log_in(page, network["author"])
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
    page.context.close()

    # 2. The expert centre's instructor, in Chinese: badge, "Cases to review", play, approve.
    page = new_tab(browser, live_server)
    log_in(page, network["expert"])
    with page.expect_navigation():
        page.locator("#lang-select").select_option(value="zh-hans")
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
    page.context.close()

    # 3. A trainee at a third hospital, on a phone, finds it in the library and plays it.
    page = new_tab(browser, live_server, width=390, height=844)
    log_in(page, network["trainee"])
    nav(page).get_by_role("link", name="Case library").click()
    page.get_by_role("link", name=TITLE).click()
    assert page.locator("h1").inner_text() == TITLE
    play_and_step(page)
    assert not page.locator("[data-next-action]").count()
    assert no_horizontal_overflow(page)
    page.context.close()
