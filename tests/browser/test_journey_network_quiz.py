"""Journey 4 of issue 10, only by clicking from the home page: an instructor builds a network
quiz on an institution-only case; the builder warns and shares the case; the instructor
publishes; a trainee of another hospital, on a 390 px phone and in Chinese, opens Quizzes, takes
the quiz, sees the feedback and opens the annotated case."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from core.scoping import Visibility
from quizzes.models import QuestionKind
from tests.browser.journey import horizontal_overflow, log_in, log_out, menu_link, use_language
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files
from tests.factories import InstructorFactory, TraineeFactory
from tests.quizzes.factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(cine_dirs, hospital, other_hospital):
    instructor = InstructorFactory(institution=hospital)
    trainee = TraineeFactory(institution=other_hospital)
    loop = with_files(ReadyLoopFactory(institution=hospital))
    case = CaseFactory(
        institution=hospital,
        title="Arterial rim nodule",
        loops=[loop],
        visibility=Visibility.INSTITUTION,
    )
    make_question(
        QuestionKind.SINGLE,
        institution=hospital,
        case=case,
        title="Rim or not",
        visibility=Visibility.NETWORK,
    )
    return instructor, trainee, case


def test_network_quiz_on_a_private_case(page, setting):
    instructor, trainee, case = setting

    # --- The instructor builds the quiz ---------------------------------------------------
    log_in(page, instructor.username)
    menu_link(page, "Question bank").click()
    page.get_by_role("link", name="New quiz").click()
    page.locator("#id_title_en").fill("Network rim quiz")
    page.locator("#id_visibility").select_option(Visibility.NETWORK)
    page.get_by_role("button", name="Create quiz").click()
    page.locator("#id_question").select_option(label="Rim or not")
    page.get_by_role("button", name="Add the question").click()

    bar = page.locator("[data-next-action]")
    warning = (
        "Trainees at other hospitals will see this quiz but not the case “Arterial rim "
        "nodule”, which only County Hospital can see."
    )
    assert warning in bar.inner_text()
    bar.get_by_role("button", name="Share them with the network too").click()
    page.wait_for_load_state()
    assert "Shared with the whole network" in page.locator(".messages").inner_text()
    assert Case.objects.get(pk=case.pk).visibility == Visibility.NETWORK
    assert "Arterial rim nodule" not in page.locator("[data-next-action]").inner_text()

    page.locator("[data-next-action]").get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert "Published: everyone in the teaching network can see it." in (
        page.locator("[data-next-action]").inner_text()
    )
    log_out(page)

    # --- A trainee at another hospital, on a phone, in Chinese ----------------------------
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, trainee.username)
    use_language(page, "zh-hans")
    page.wait_for_function("document.documentElement.lang.startsWith('zh')")
    page.get_by_role("link", name="测验", exact=True).click()
    page.get_by_role("link", name="Network rim quiz").click()
    page.get_by_role("button", name="开始学习").click()
    page.get_by_label("HCC").check()
    page.get_by_role("button", name="提交作答").click()
    page.locator("[data-submit-confirm]").click()
    page.wait_for_url(re.compile(r"/review/$"))
    feedback = page.locator("[data-feedback]")
    feedback.wait_for()
    assert horizontal_overflow(page) <= 1
    # The case the quiz showed opens for this hospital's trainee too: no 404 behind the link.
    feedback.get_by_role("link", name="查看带标注的病例").click()
    assert page.get_by_role("heading", name="Arterial rim nodule").is_visible()
