"""Offline study in a real Chromium (issue 16): a module saved for offline opens, plays and
takes its practice quiz with the network off, and the answers are scored once the network is
back; an exam cannot be saved; what a trainee may no longer see leaves the device at the next
check with the server; logging out empties the device's copy; the "Saved for offline" page in
Chinese at a phone's width.

The service worker needs a secure context: pytest-django's live server is http://localhost.
``context.set_offline(True)`` cuts the pages and the service worker off the network alike
(checked: a page that was not saved answers "Not saved on this device").
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseStatus, RoiCurve
from courses.models import Enrolment
from quizzes.models import Attempt, QuestionKind, QuizKind
from tests.browser.journey import PHONE, horizontal_overflow, log_in, log_out, use_language, zh
from tests.cases.factories import CaseFactory
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"Saved on this device \(\d")
VIDEO = "document.querySelector('[data-video]')"


@pytest.fixture
def module_to_study(cine_dirs, tmp_path, hospital, instructor, trainee, celery_eager):
    """A module whose lesson links a case (a real 4 s loop, an arrow and a lesson ROI with its
    curve), with a practice quiz (one single-choice question) and an exam."""
    path = make_cine(
        tmp_path / "bolus.dcm",
        frames=40,
        rows=240,
        columns=320,
        frame_time=100.0,
        regions=[region_item((10, 10, 309, 229))],
    )
    loop = processed(path, hospital)
    assert loop.video_file, loop.error
    case = CaseFactory(
        institution=hospital, loops=[loop], title="Rim nodule", created_by=instructor
    )
    case_services.annotations_replace(
        case=case,
        by=instructor,
        annotations=[
            {"loop": loop.pk, "kind": "ellipse", "label": "Nodule", "roi_role": "lesion",
             "geometry": {"cx": 160.0, "cy": 120.0, "rx": 40.0, "ry": 30.0},
             "t_start": None, "t_end": None},
        ],
        phase_markers=[],
    )  # fmt: skip
    assert RoiCurve.objects.get(annotation__case=case).status == "ready"
    course = CourseFactory(institution=hospital, title="Liver CEUS")
    module = ModuleFactory(course=course, title="Wash-out")
    lesson = LessonFactory(
        module=module,
        title="Reading the late phase",
        body=f"Look at [the rim nodule]({case.get_absolute_url()}) first.",
    )
    question = make_question(QuestionKind.SINGLE, institution=hospital, case=case)
    practice = QuizFactory(
        institution=hospital, module=module, title="Wash-out practice", questions=[question]
    )
    exam = QuizFactory(
        institution=hospital,
        module=module,
        kind=QuizKind.EXAM,
        title="Wash-out exam",
        questions=[make_question(QuestionKind.SINGLE, institution=hospital)],
    )
    Enrolment.objects.create(user=trainee, course=course)
    return {"case": case, "course": course, "lesson": lesson, "practice": practice, "exam": exam}


def save(box) -> None:
    """Press a "Save for offline" button and wait until the device holds everything."""
    box.get_by_role("button", name="Save for offline").click()
    box.locator("[data-offline-state]").filter(has_text=SAVED).wait_for(timeout=60_000)


def kept_entries(page) -> int:
    return page.evaluate("async () => (await (await caches.open('ceus-offline-v1')).keys()).length")


def test_a_saved_module_opens_plays_and_takes_its_quiz_offline(
    page, live_server, trainee, module_to_study
):
    study = module_to_study
    context = page.context
    log_in(page, trainee.username)
    page.locator(".site-header").get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Liver CEUS").click()
    module = page.locator(".module-card", has_text="Wash-out")
    save(module)
    # An active worker answers every navigation from now on (whether or not it has claimed
    # this already-open page yet, which Chromium may do late): wait for it, do not race it.
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.active !== null)")

    context.set_offline(True)
    try:
        # not saved: the service worker says so (the network is really gone, for it too)
        page.goto(reverse("quizzes:list"))
        assert page.get_by_role("heading", name="Not saved on this device").is_visible()
        page.go_back()

        page.reload()
        module = page.locator(".module-card", has_text="Wash-out")
        module.get_by_role("link", name="Reading the late phase").click()
        assert page.get_by_role("heading", name="Reading the late phase").is_visible()

        # the case the lesson links to: its page, its loop playing, its curve
        with page.expect_navigation() as navigation:
            page.get_by_role("link", name="the rim nodule").click()
        assert navigation.value.from_service_worker
        page.wait_for_function("window.CeusViewer && window.CeusViewer.player")
        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function(f"{VIDEO}.currentTime > 1.0")
        page.get_by_role("button", name="Pause", exact=True).click()
        page.locator("[data-tic]").scroll_into_view_if_needed()  # curves load once on screen
        page.locator(".cv-tic-curve.cv-role-lesion").first.wait_for()

        # the practice quiz, taken on the device
        page.goto(study["course"].get_absolute_url())
        page.locator(".module-card").get_by_role("link", name="Wash-out practice").click()
        page.get_by_role("link", name="Take this quiz offline").click()
        page.get_by_label("HCC").check()
        page.get_by_text("1 of 1 questions answered").wait_for()
        page.get_by_role("button", name="Finish and send").click()
        result = page.locator("[data-offline-result-text]")
        result.filter(has_text="will be sent and scored when you are back online").wait_for()
        assert not Attempt.objects.exists()
    finally:
        context.set_offline(False)

    # back online: sent, scored by the server, shown
    result.filter(has_text="Sent and scored: 100%.").wait_for(timeout=30_000)
    attempt = Attempt.objects.get(user=trainee, quiz=study["practice"])
    assert (attempt.percent, attempt.passed) == (100, True)
    page.get_by_role("link", name="See your answers and the feedback").click()
    page.wait_for_url(re.compile(rf"/quizzes/attempts/{attempt.pk}/review/$"))


def test_an_exam_cannot_be_saved(page, live_server, trainee, module_to_study):
    log_in(page, trainee.username)
    page.goto(module_to_study["exam"].get_absolute_url())

    assert page.locator("[data-offline-save]").count() == 0
    assert page.get_by_text(
        "Exams need a connection: they cannot be saved for offline study."
    ).is_visible()
    refused = page.evaluate(
        """async (url) => {
          const response = await fetch(url, {credentials: "same-origin"});
          return [response.status, (await response.json()).detail];
        }""",
        f"/api/v1/offline/bundles/quiz/{module_to_study['exam'].pk}/",
    )
    assert refused == [403, "Exams need a connection: they cannot be saved for offline study."]


def test_a_case_whose_access_is_withdrawn_leaves_the_device(
    page, live_server, trainee, module_to_study
):
    case = module_to_study["case"]
    log_in(page, trainee.username)
    page.goto(case.get_absolute_url())
    save(page.locator(".cv-testbar"))

    case.status = CaseStatus.DRAFT  # its authors withdraw it
    case.save()
    page.locator(".site-header").get_by_role("link", name="Offline", exact=True).click()
    page.locator("[data-offline-checked]").wait_for()

    assert page.locator("[data-offline-item]").count() == 0
    assert (
        "Rim nodule — This is not available to you any more."
        in page.locator("[data-offline-notices]").inner_text()
    )
    page.context.set_offline(True)
    try:
        page.goto(case.get_absolute_url())
        assert page.get_by_role("heading", name="Not saved on this device").is_visible()
        assert page.locator("[data-video]").count() == 0
    finally:
        page.context.set_offline(False)


def test_logging_out_empties_the_devices_copy(page, live_server, trainee, module_to_study):
    log_in(page, trainee.username)
    page.goto(module_to_study["case"].get_absolute_url())
    save(page.locator(".cv-testbar"))
    assert kept_entries(page) > 5

    log_out(page)
    page.wait_for_function(
        "async () => (await caches.keys()).filter(n => n.startsWith('ceus-offline')).length === 0"
    )
    items = page.evaluate(
        """() => new Promise((resolve) => {
          const open = indexedDB.open("ceus-offline", 1);
          open.onsuccess = () => {
            const get = open.result.transaction("items").objectStore("items").count();
            get.onsuccess = () => resolve(get.result);
          };
        })"""
    )
    assert items == 0


def test_the_saved_page_in_chinese_on_a_phone(page, live_server, trainee, module_to_study):
    page.set_viewport_size(PHONE)
    log_in(page, trainee.username)
    use_language(page, "zh-hans")
    page.goto(module_to_study["case"].get_absolute_url())
    box = page.locator(".cv-testbar")
    box.get_by_role("button", name=zh("Save for offline")).click()
    box.locator("[data-offline-state]").filter(has_text=re.compile("已保存在本设备")).wait_for()

    page.locator(".site-header [data-menu=offline]").click()
    page.locator("[data-offline-checked]").wait_for()

    assert page.get_by_role("heading", name=zh("Saved for offline")).is_visible()
    item = page.locator("[data-offline-item]")
    assert item.count() == 1 and "Rim nodule" in item.inner_text()
    assert re.search(r"\d+(\.\d)? (KB|MB)", item.locator("[data-offline-size]").inner_text())
    assert horizontal_overflow(page) <= 1
    item.get_by_role("button", name=zh("Remove")).click()
    page.locator("[data-offline-empty]").wait_for()
    assert not page.evaluate(
        "async (url) => !!(await caches.match(url))", module_to_study["case"].get_absolute_url()
    )
