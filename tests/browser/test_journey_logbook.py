"""Journey 5 of issue 10, only by clicking from the home page after login: a trainee logs a scan
on a phone, in Chinese (the header's language select) → the supervisor of the trainee's
hospital sees it waiting (an instructor elsewhere does not) and signs it off → the trainee's
programme progress moves → the director sees it in the cohort table. Staff work in English in
one run and in Chinese in the other, so the whole journey is walked in Chinese too.
"""

from __future__ import annotations

import re

import pytest

from certification.models import EntryStatus, LogbookEntry
from tests.browser.journey import (
    PHONE,
    horizontal_overflow,
    in_language,
    log_in,
    log_out,
    use_language,
    zh,
)
from tests.certification.factories import (
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
)
from tests.courses.factories import CohortFactory
from tests.factories import DirectorFactory, InstructorFactory, TraineeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(hospital, other_hospital):
    trainee = TraineeFactory(
        institution=hospital, username="wang", first_name="Fang", last_name="Wang"
    )
    supervisor = InstructorFactory(
        institution=hospital, username="sun", first_name="Hong", last_name="Sun"
    )
    InstructorFactory(institution=other_hospital, username="elsewhere")
    DirectorFactory(institution=hospital, username="zhou")
    programme = ProgrammeFactory(institution=hospital, title="CEUS Liver — Level 1")
    version = VersionFactory(programme=programme, number=1)
    RequirementFactory(version=version, kind="scans", count=2, title="Supervised liver scans")
    LogbookEntryFactory(trainee=trainee, reviewed_by=supervisor)  # one of two already
    CohortFactory(institution=hospital, name="Spring 2026").members.add(trainee)
    return trainee, supervisor


def menu(page, name: str):
    return page.get_by_role("navigation").get_by_role("link", name=name, exact=True)


# The trainee always works in Chinese on a phone; the staff in English, or also in Chinese — the
# second run walks the whole journey in Chinese.
@pytest.mark.parametrize("staff_language", ["en", "zh-hans"])
def test_a_logged_scan_is_signed_off_and_counts_for_the_programme(page, people, staff_language):
    trainee, supervisor = people

    def t(text: str) -> str:
        return in_language(staff_language, text)

    # The trainee, on a phone, switches to Chinese and logs a scan.
    page.set_viewport_size(PHONE)
    log_in(page, "wang")
    use_language(page, "zh-hans")
    menu(page, zh("Certification")).click()
    assert "1/2" in page.locator(".cert-requirements").first.inner_text()
    page.get_by_role("link", name=zh("Scan logbook")).click()
    page.get_by_role("link", name=zh("Log a scan")).click()
    assert horizontal_overflow(page) <= 0
    form = page.locator("form.logbook-form")
    form.locator("[name=performed_on]").fill(page.evaluate("new Date().toISOString().slice(0,10)"))
    form.locator("[name=exam_type]").select_option("ceus_liver")
    form.locator("[name=organ]").select_option("liver")
    form.locator("[name=indication]").fill("Focal liver lesion on B-mode.")
    form.locator("[name=findings]").fill("Non-rim arterial hyperenhancement, late mild wash-out.")
    form.locator("[name=impression]").fill("LR-5")
    form.locator("[name=supervisor]").select_option(str(supervisor.pk))
    form.get_by_role("button", name=zh("Save entry")).click()
    page.wait_for_load_state()
    entry = LogbookEntry.objects.get(trainee=trainee, status=EntryStatus.PENDING)
    assert horizontal_overflow(page) <= 0
    log_out(page)

    # An instructor of another hospital has nothing to sign off.
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "elsewhere")
    use_language(page, staff_language)
    assert page.locator("[data-menu=signoff] .menu-badge").count() == 0
    menu(page, t("Certification")).click()
    page.get_by_role("link", name=t("Sign-off queue")).click()
    assert "Wang" not in page.locator("main").inner_text()
    log_out(page)

    # The trainee's supervisor sees it waiting and approves it.
    log_in(page, "sun")
    use_language(page, staff_language)
    signoff = page.locator("[data-menu=signoff]")  # the menu's link, with what waits
    assert signoff.locator(".menu-badge").inner_text() == "1"
    signoff.click()
    row = page.locator("table.logbook-queue tbody tr", has_text="Wang")
    assert row.count() == 1
    row.get_by_role("link", name=t("Review")).click()
    page.get_by_label(t("Approve")).check()
    page.get_by_label(t("Adequacy")).select_option("good")
    page.get_by_role("button", name=t("Save sign-off")).click()
    page.wait_for_load_state()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.reviewed_by == supervisor
    log_out(page)

    # The trainee's progress moved: 2 of 2 scans, met.
    page.set_viewport_size(PHONE)
    log_in(page, "wang")
    use_language(page, "zh-hans")
    menu(page, zh("Certification")).click()
    requirement = page.locator(".cert-requirements li", has_text="Supervised liver scans")
    assert requirement.locator(".badge.done").is_visible()
    assert horizontal_overflow(page) <= 0
    log_out(page)

    # The director sees it in the cohort table.
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "zhou")
    use_language(page, staff_language)
    menu(page, t("Certification")).click()
    page.get_by_role("link", name=t("Director's view")).click()
    row = page.locator(".cohort-table tbody tr[data-trainee=wang]")
    assert re.fullmatch(r"2/2\s*✓", row.locator("td.cell").first.inner_text().strip())
