"""The programme director's cohort view in a real browser: from the navigation to the cohort
table, filtered by cohort, trainees sorted by progress with a cell per requirement, the CSV
download, and a phone's width without sideways page scrolling (the table scrolls in its box).
"""

from __future__ import annotations

import csv
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.journey import horizontal_overflow
from tests.certification.factories import (
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
    complete_lesson,
    pending_entry,
    reviewed_case,
)
from tests.courses.factories import CohortFactory, LessonFactory, ModuleFactory
from tests.factories import DirectorFactory, TraineeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-cohort.png"


@pytest.fixture
def cohort_setup(hospital):
    director = DirectorFactory(institution=hospital, username="director")
    programme = ProgrammeFactory(institution=hospital, title="CEUS Liver — Level 1")
    version = VersionFactory(
        programme=programme, number=1, published_at=timezone.now() - timedelta(days=30)
    )
    RequirementFactory(version=version, kind="scans", count=4, title="Supervised liver scans")
    RequirementFactory(version=version, kind="cme", hours=10, title="CME hours of live lessons")
    RequirementFactory(version=version, kind="cases", count=20, title="Reviewed liver cases")
    spring = CohortFactory(institution=hospital, name="Spring 2026")
    people = {}
    for username, first, last, scans in [
        ("wang", "Fang", "Wang", 1),
        ("zhao", "Lei", "Zhao", 4),
        ("chen", "Jing", "Chen", 2),
        ("outsider", "Not", "Member", 3),
    ]:
        trainee = TraineeFactory(
            institution=hospital, username=username, first_name=first, last_name=last
        )
        for _ in range(scans):
            LogbookEntryFactory(trainee=trainee)
        people[username] = trainee
        if username != "outsider":
            spring.members.add(trainee)
    return director, programme, spring


def log_in(page, username: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(re.escape(reverse("courses:dashboard")) + "$"))


def test_director_filters_the_cohort_and_downloads_the_csv(page, cohort_setup, tmp_path):
    _director, programme, spring = cohort_setup
    log_in(page, "director")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Certification").click()
    page.get_by_role("link", name="Director's view").click()
    page.wait_for_url(re.compile(re.escape(reverse("certification:director"))))
    rows = page.locator(".cohort-table tbody tr")
    assert rows.count() == 4  # everyone of the hospital before filtering

    page.get_by_label("Cohort:", exact=True).select_option(label="Spring 2026")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"cohort={spring.pk}"))

    # Sorted by overall progress: 4/4 scans, then 2/4, then 1/4; the outsider is filtered out.
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("data-trainee") for i in range(3)] == [
        "zhao",
        "chen",
        "wang",
    ]
    headers = page.locator(".cohort-table thead th").all_inner_texts()
    assert headers[2:5] == [
        "Supervised liver scans",
        "CME hours of live lessons",
        "Reviewed liver cases",
    ]
    first_cells = rows.nth(0).locator("td.cell")
    assert re.fullmatch(r"4/4\s*✓", first_cells.nth(0).inner_text().strip())
    assert first_cells.nth(1).inner_text().strip() == "0/10"
    assert rows.nth(1).locator("td.cell").nth(0).inner_text().strip() == "2/4"
    assert "is-met" in (first_cells.nth(0).get_attribute("class") or "")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == f"{programme.slug}-cohort.csv"
    path = tmp_path / "cohort.csv"
    download.save_as(path)
    table = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert table[0][5:8] == [
        "Supervised liver scans",
        "CME hours of live lessons",
        "Reviewed liver cases",
    ]
    assert [row[1] for row in table[1:]] == ["zhao", "chen", "wang"]  # same filter, same order
    assert table[1][5] == "4/4 ✓"


def test_the_cohort_view_fits_a_phone(page, cohort_setup):
    _director, programme, _spring = cohort_setup
    log_in(page, "director")
    page.set_viewport_size({"width": 375, "height": 740})
    for url in (
        reverse("certification:director"),
        reverse("certification:dashboard"),
        programme.get_absolute_url(),
        reverse("certification:programme_edit", args=[programme.slug]),
        reverse("certification:version", args=[programme.slug, 1]),
        reverse("certification:certificate_issue", args=[programme.slug]),
    ):
        page.goto(url)
        assert horizontal_overflow(page) <= 1, url
    page.goto(reverse("certification:director"))
    box = page.locator(".cohort-scroll")
    # The wide table scrolls inside its own container instead.
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")
    assert box.evaluate("el => getComputedStyle(el).overflowX") == "auto"


# --- README screenshot ----------------------------------------------------------------------------


@pytest.mark.skipif(
    os.environ.get("UPDATE_SCREENSHOTS") != "1", reason="set UPDATE_SCREENSHOTS=1 to refresh"
)
def test_cohort_screenshot_for_the_readme(page, cohort_setup, hospital, celery_eager):
    """The Spring 2026 cohort at different stages; Na Li meets every requirement, so her
    certificate is issued automatically (the evaluations run in-process)."""
    _director, _programme, spring = cohort_setup
    module = ModuleFactory(course__institution=hospital, title="Vascular phases of the liver")
    lessons = [LessonFactory(module=module, estimated_minutes=60) for _ in range(10)]
    people = {trainee.username: trainee for trainee in spring.members.all()}
    for username, first, last, scans in [("li", "Na", "Li", 4), ("liu", "Yang", "Liu", 3)]:
        trainee = TraineeFactory(
            institution=hospital, username=username, first_name=first, last_name=last
        )
        for _ in range(scans):
            LogbookEntryFactory(trainee=trainee)
        spring.members.add(trainee)
        people[username] = trainee
    now = timezone.now()
    # username: (CME hours, reviewed cases)
    for username, (hours, cases) in {
        "li": (10, 20),
        "zhao": (8, 15),
        "liu": (6, 11),
        "chen": (3, 6),
        "wang": (1, 2),
    }.items():
        for lesson in lessons[:hours]:
            complete_lesson(people[username], lesson, now)
        for _ in range(cases):
            reviewed_case(people[username], now)
    pending_entry(people["wang"])
    pending_entry(people["chen"])

    log_in(page, "director")
    page.goto(f"{reverse('certification:director')}?cohort={spring.pk}")
    rows = page.locator(".cohort-table tbody tr")
    assert rows.count() == 5
    holder = page.locator('.cohort-table tr[data-trainee="li"]')
    assert "valid until" in holder.inner_text()
    # Every column fits: the table does not scroll sideways at desktop width.
    assert page.locator(".cohort-scroll").evaluate("el => el.scrollWidth <= el.clientWidth")
    bottom = page.locator(".cert-panels").evaluate("el => el.getBoundingClientRect().bottom")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOT),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": bottom + 16},
    )
    assert SCREENSHOT.stat().st_size > 20_000
