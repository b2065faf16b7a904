"""A trainee takes an exam in a real browser, on a loop made by the real pipeline.

A small DICOM cine (320 x 240, 10 fps, 4 s, one calibrated region) is processed into the H.264
video and poster the questions show. The trainee places a point on a frame (hotspot), marks a
moment of the playing loop (time point) and picks an option; every answer is autosaved through
the API. A dropped connection keeps the last answer on the device, and a reload finds every
answer again — on the page and on the server. Then the attempt is submitted and reviewed per
the quiz's feedback policy.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("quizzes.models")

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demo.loops import write_loop
from quizzes.models import Answer, Attempt, AttemptStatus, FeedbackPolicy, QuestionKind, QuizKind
from quizzes.services.attempts import attempt_start
from tests.cases.loops import processed
from tests.cine.cine_factory import make_cine, region_item
from tests.quizzes.factories import ELLIPSE_KEY, QuizFactory, make_question

pytestmark = pytest.mark.browser

FPS = 10
FRAMES = 40
FRAME_TIME = 1.55  # the hotspot frame: frame 16 of 40
KEY_TIME = 2.05  # "arterial hyperenhancement begins"
POINT_READOUT = re.compile(r"Point placed at x 15[12], y 11[78] \(image pixels\)\.")
SHOWS_FRAME = """(t) => {
  const v = document.querySelector('[data-kind="hotspot"] video');
  return v.readyState >= 2 && !v.seeking && Math.abs(v.currentTime - t) < 0.06;
}"""


@pytest.fixture
def bolus_loop(cine_dirs, tmp_path, hospital):
    """The processed loop the questions are on: 320 x 240, 10 fps, 4 s."""
    path = make_cine(
        tmp_path / "bolus.dcm",
        frames=FRAMES,
        rows=240,
        columns=320,
        frame_time=1000 / FPS,
        regions=[region_item((10, 10, 309, 229))],
    )
    loop = processed(path, hospital)
    assert loop.video_file, loop.error
    return loop


@pytest.fixture
def exam_questions(bolus_loop, hospital):
    """Hotspot, time point and single choice questions on one processed loop."""
    loop = bolus_loop
    hotspot = make_question(
        QuestionKind.HOTSPOT,
        institution=hospital,
        loop=loop,
        frame_time_s=FRAME_TIME,
        prompt="Click the lesion.",
        explanation="The lesion is the bright ellipse in segment VI.",
    )
    time_point = make_question(
        QuestionKind.TIME_POINT,
        institution=hospital,
        loop=loop,
        answer={"time_s": KEY_TIME},
        tolerance=0.5,
        prompt="Mark the moment arterial hyperenhancement begins.",
    )
    choice = make_question(QuestionKind.SINGLE, institution=hospital, prompt="The diagnosis?")
    return [hotspot, time_point, choice]


def make_exam(hospital, instructor, questions, policy):
    return QuizFactory(
        institution=hospital,
        created_by=instructor,
        questions=questions,
        kind=QuizKind.EXAM,
        title="CEUS exam",
        time_limit_minutes=30,
        feedback_policy=policy,
    )


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def start(page, quiz) -> Attempt:
    page.goto(reverse("quizzes:detail", args=[quiz.pk]))
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/quizzes/attempts/*/")
    page.wait_for_function("window.CeusQuiz && window.CeusQuiz.take")
    return Attempt.objects.get(quiz=quiz)


def question(page, q):
    return page.locator(f'[data-question="{q.pk}"]')


def wait_saved(page) -> None:
    page.wait_for_function("document.querySelector('[data-save-state]').textContent === 'Saved'")


def click_on_image(page, q, x: float, y: float) -> None:
    """Click original image pixel (x, y) of the question's frame (the overlay's own transform)."""
    overlay = question(page, q).locator("[data-overlay]")
    overlay.scroll_into_view_if_needed()
    sx, sy = overlay.evaluate(
        "(svg, [x, y]) => { const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());"
        " return [p.x, p.y]; }",
        [x, y],
    )
    page.mouse.click(sx, sy)


def answer_hotspot_and_time_point(page, hotspot, time_point) -> None:
    page.wait_for_function(SHOWS_FRAME, arg=(int(FRAME_TIME * FPS) + 0.5) / FPS)
    click_on_image(page, hotspot, ELLIPSE_KEY["cx"], ELLIPSE_KEY["cy"])
    assert POINT_READOUT.fullmatch(question(page, hotspot).locator("[data-readout]").inner_text())
    wait_saved(page)

    box = question(page, time_point)
    box.scroll_into_view_if_needed()
    video = box.locator("video")
    assert video.get_attribute("controls") is not None  # the loop plays for this one
    video.evaluate("v => v.play()")
    page.wait_for_function(
        "v => v.currentTime > 0.3", arg=video.element_handle()
    )  # it really plays
    video.evaluate("v => { v.pause(); v.currentTime = 1.95; }")  # the trainee scrubs near it
    box.get_by_role("button", name="Next frame").click()  # one frame on: frame 21, 2.05 s
    page.wait_for_function(
        "v => !v.seeking && Math.abs(v.currentTime - 2.05) < 1e-3", arg=video.element_handle()
    )
    box.get_by_role("button", name="Mark this moment").click()
    assert box.locator("[data-readout]").inner_text() == "Marked at 2.05 s"
    wait_saved(page)


def saved(attempt) -> dict:
    return {a.question_id: a.response for a in Answer.objects.filter(attempt=attempt)}


def test_a_trainee_takes_the_exam_reloads_without_losing_answers_and_sees_feedback(
    page, live_server, trainee, hospital, instructor, exam_questions
):
    hotspot, time_point, choice = exam_questions
    quiz = make_exam(hospital, instructor, exam_questions, FeedbackPolicy.AFTER_SUBMIT)
    right = choice.options.get(is_correct=True)
    wrong = choice.options.get(text="FNH")
    sign_in(page, live_server, trainee)
    attempt = start(page, quiz)
    assert page.locator("[data-timer]").is_visible()

    answer_hotspot_and_time_point(page, hotspot, time_point)
    question(page, choice).get_by_label("HCC").check()
    wait_saved(page)
    answers = saved(attempt)
    # The click lands on whole screen pixels: within half an image pixel of the target.
    assert answers[hotspot.pk] == {
        "x": pytest.approx(ELLIPSE_KEY["cx"], abs=0.5),
        "y": pytest.approx(ELLIPSE_KEY["cy"], abs=0.5),
    }
    assert answers[time_point.pk] == {"time_s": 2.05}
    assert answers[choice.pk] == {"option": right.pk}

    # The connection drops: the new answer waits on the device, and the page says so. The
    # trainee gives up and closes the tab.
    take_url = page.url
    page.context.set_offline(True)
    question(page, choice).get_by_label("FNH").check()
    page.wait_for_function(
        "document.querySelector('[data-save-state]').textContent.startsWith('Not saved')"
    )
    assert saved(attempt)[choice.pk] == {"option": right.pk}
    # (Checked before closing: the emulated offline state is the page's, and a keep-alive
    # request sent as the page closes may leave through the browser process regardless.)
    page.close()

    # Back online, the attempt is opened again: the answer kept on the device is on the page
    # and reaches the server by itself.
    page.context.set_offline(False)
    page = page.context.new_page()
    page.goto(take_url)
    page.wait_for_function("window.CeusQuiz && window.CeusQuiz.take")
    assert question(page, choice).get_by_label("FNH").is_checked()
    wait_saved(page)
    assert saved(attempt)[choice.pk] == {"option": wrong.pk}
    # Nothing left waiting on the device (the video players keep their settings there too).
    waiting = "Object.keys(localStorage).filter(k => k.startsWith('ceus-quiz-attempt:'))"
    assert page.evaluate(waiting) == []

    # A reload mid-way finds every answer again, as the server has them.
    page.reload()
    page.wait_for_function("window.CeusQuiz && window.CeusQuiz.take")
    assert question(page, choice).get_by_label("FNH").is_checked()
    assert POINT_READOUT.fullmatch(question(page, hotspot).locator("[data-readout]").inner_text())
    assert question(page, hotspot).locator(".qz-mine circle").count() == 2  # halo and marker
    assert question(page, time_point).locator("[data-readout]").inner_text() == "Marked at 2.05 s"

    page.get_by_role("button", name="Submit the attempt").click()
    dialog = page.locator("[data-submit-dialog]")
    assert "Every question has an answer." in dialog.inner_text()
    dialog.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"**{reverse('quizzes:review', args=[attempt.pk])}")

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert (attempt.score, attempt.max_score) == (2.0, 3.0)
    assert page.locator("[data-outcome]").inner_text() == "Passed"
    marks = {
        q.pk: question(page, q).locator("[data-mark]").get_attribute("data-mark")
        for q in exam_questions
    }
    assert marks == {hotspot.pk: "correct", time_point.pk: "correct", choice.pk: "incorrect"}
    assert "The lesion is the bright ellipse" in question(page, hotspot).inner_text()
    assert question(page, hotspot).locator("[data-key-shape]").is_visible()  # the answer ROI
    assert question(page, time_point).locator("[data-key-time]").is_visible()
    assert "HCC" in question(page, choice).locator("[data-right-option]").locator("..").inner_text()


def test_under_the_never_policy_the_review_shows_no_feedback(
    page, live_server, trainee, hospital, instructor, exam_questions
):
    hotspot, _time_point, choice = exam_questions
    quiz = make_exam(hospital, instructor, exam_questions, FeedbackPolicy.NEVER)
    page.set_viewport_size({"width": 390, "height": 800})  # a phone
    sign_in(page, live_server, trainee)
    attempt = start(page, quiz)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.wait_for_function(SHOWS_FRAME, arg=(int(FRAME_TIME * FPS) + 0.5) / FPS)
    click_on_image(page, hotspot, 40, 40)
    question(page, choice).get_by_label("HCC").check()
    wait_saved(page)

    page.get_by_role("button", name="Submit the attempt").click()
    dialog = page.locator("[data-submit-dialog]")
    assert dialog.locator("[data-unanswered]").inner_text() == "Question 2"  # the time point
    dialog.get_by_role("button", name="Keep answering").click()
    assert attempt_is_open(attempt)
    page.get_by_role("button", name="Submit the attempt").click()
    dialog.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"**{reverse('quizzes:review', args=[attempt.pk])}")

    assert page.locator("[data-no-feedback]").is_visible()
    assert page.locator("[data-mark]").count() == 0
    assert page.locator("[data-right-option]").count() == 0
    assert page.locator("[data-key-shape], [data-key-time]").count() == 0
    assert "bright ellipse" not in page.content()
    assert question(page, hotspot).locator("[data-my-shape]").is_visible()  # their own answer
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def attempt_is_open(attempt) -> bool:
    attempt.refresh_from_db()
    return attempt.status == AttemptStatus.IN_PROGRESS


def test_immediate_feedback_checks_one_question_and_locks_it(
    page, live_server, trainee, hospital, instructor, exam_questions
):
    hotspot, _time_point, choice = exam_questions
    quiz = make_exam(hospital, instructor, exam_questions, FeedbackPolicy.IMMEDIATE)
    sign_in(page, live_server, trainee)
    start(page, quiz)

    page.wait_for_function(SHOWS_FRAME, arg=(int(FRAME_TIME * FPS) + 0.5) / FPS)
    click_on_image(page, hotspot, 40, 40)  # outside the lesion
    question(page, choice).get_by_label("HCC").check()
    question(page, choice).get_by_role("button", name="Check").click()

    feedback = question(page, choice).locator("[data-feedback]")
    feedback.wait_for()
    assert feedback.locator("[data-mark]").get_attribute("data-mark") == "correct"
    assert question(page, choice).get_by_label("FNH").is_disabled()
    assert question(page, choice).get_by_role("button", name="Check").is_hidden()
    assert question(page, hotspot).locator("[data-feedback]").count() == 0  # not checked yet

    question(page, hotspot).get_by_role("button", name="Check").click()
    feedback = question(page, hotspot).locator("[data-feedback]")
    feedback.wait_for()
    assert feedback.locator("[data-mark]").get_attribute("data-mark") == "incorrect"
    assert "Distance from your point to the answer region" in feedback.inner_text()
    assert feedback.locator("[data-key-shape]").is_visible()  # the lesion, beside the point
    assert "The lesion is the bright ellipse" in feedback.inner_text()


def test_at_the_time_limit_the_page_lands_on_the_auto_submitted_attempt(
    page, live_server, trainee, hospital, instructor, exam_questions
):
    _hotspot, _time_point, choice = exam_questions
    quiz = make_exam(hospital, instructor, exam_questions, FeedbackPolicy.AFTER_SUBMIT)
    quiz.time_limit_minutes = 1
    quiz.save()
    # Started 55 s ago: 5 s are left.
    attempt = attempt_start(quiz=quiz, user=trainee, now=timezone.now() - timedelta(seconds=55))
    sign_in(page, live_server, trainee)
    page.goto(reverse("quizzes:take", args=[attempt.pk]))
    page.wait_for_function("window.CeusQuiz && window.CeusQuiz.take")
    assert re.fullmatch(r"0:0[1-5]", page.locator("[data-timer-text]").inner_text())
    question(page, choice).get_by_label("HCC").check()
    wait_saved(page)

    page.wait_for_url(f"**{reverse('quizzes:review', args=[attempt.pk])}", timeout=15_000)

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_by == "deadline"
    assert attempt.score == 1.0
    assert "submitted with the saved answers" in page.locator(".messages").inner_text()


def assert_outline(response: dict, expected: list[list[float]]) -> None:
    """The saved outline has the expected vertices, in order, within half an image pixel."""
    assert list(response) == ["points"]
    assert len(response["points"]) == len(expected)
    for point, (x, y) in zip(response["points"], expected, strict=True):
        assert point == [pytest.approx(x, abs=0.5), pytest.approx(y, abs=0.5)]


def press(page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_an_outline_is_drawn_closed_and_saved_with_the_keyboard_alone(
    page, live_server, trainee, hospital, instructor, bolus_loop
):
    drawn = make_question(
        QuestionKind.DRAWN,
        institution=hospital,
        loop=bolus_loop,
        frame_time_s=FRAME_TIME,
        prompt="Outline the lesion.",
    )
    quiz = make_exam(hospital, instructor, [drawn], FeedbackPolicy.AFTER_SUBMIT)
    sign_in(page, live_server, trainee)
    attempt = start(page, quiz)
    box = question(page, drawn)
    readout = box.locator("[data-readout]")
    assert "arrow keys move the cursor" in box.locator("[data-keys-hint]").inner_text()

    # Tab to the image; the keyboard cursor shows in the middle of the 320 x 240 frame.
    for _ in range(60):
        if page.evaluate("document.activeElement.matches('[data-overlay]')"):
            break
        page.keyboard.press("Tab")
    assert box.locator("[data-overlay]").evaluate("svg => svg === document.activeElement")
    assert box.locator("[data-cursor]").is_visible()
    assert readout.inner_text() == "No outline drawn yet. Cursor at x 160, y 120 (image pixels)."

    # Steps are 3 image pixels, 30 with Shift. Four corners; Enter and Space add a point.
    press(page, "Shift+ArrowLeft")
    press(page, "Shift+ArrowUp")
    page.keyboard.press("Enter")  # (130, 90)
    press(page, "Shift+ArrowRight", 2)
    page.keyboard.press("Space")  # (190, 90)
    press(page, "Shift+ArrowDown", 2)
    page.keyboard.press("Enter")  # (190, 150)
    press(page, "Shift+ArrowLeft", 2)
    press(page, "ArrowRight")
    page.keyboard.press("Enter")  # (133, 150)
    page.keyboard.press("Backspace")  # removed again
    press(page, "ArrowLeft")
    page.keyboard.press("Enter")  # (130, 150)
    assert readout.inner_text().startswith("Outline: 4 points · Outline not closed")
    assert Answer.objects.filter(attempt=attempt).count() == 0  # an open outline is no answer

    # Back on the first point, Enter closes the outline, and it is saved.
    press(page, "Shift+ArrowUp", 2)
    assert readout.inner_text().endswith("Cursor on the first point: Enter closes the outline.")
    page.keyboard.press("Enter")
    assert readout.inner_text() == "Outline closed (4 points)."
    assert box.locator("[data-cursor]").count() == 0
    wait_saved(page)
    square = [[130, 90], [190, 90], [190, 150], [130, 150]]
    assert_outline(saved(attempt)[drawn.pk], square)

    # Backspace reopens it and takes the last corner back; a new corner, then C closes it.
    press(page, "Backspace", 2)
    assert readout.inner_text().startswith("Outline: 3 points · Outline not closed")
    press(page, "Shift+ArrowDown", 3)
    page.keyboard.press("Enter")  # (130, 180): the cursor was left on the first point
    page.keyboard.press("c")
    assert readout.inner_text() == "Outline closed (4 points)."
    wait_saved(page)
    moved = [[130, 90], [190, 90], [190, 150], [130, 180]]
    assert_outline(saved(attempt)[drawn.pk], moved)


# --- README screenshot ----------------------------------------------------------------------------

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-quiz.png"


@pytest.mark.skipif(
    os.environ.get("UPDATE_SCREENSHOTS") != "1", reason="set UPDATE_SCREENSHOTS=1 to refresh"
)
def test_quiz_screenshot_for_the_readme(
    page, live_server, cine_dirs, tmp_path, trainee, hospital, instructor
):
    """The hotspot question on a demo-like HCC loop (a nodule that lights up in the arterial
    phase), the trainee's point on it, and the diagnosis question below, being answered."""
    path = tmp_path / "hcc.dcm"
    # 4 s at 10 fps from 15 s after injection: the hotspot frame (16.5 s) is arterial.
    facts = write_loop(path, scene="hcc", duration_s=4, starts_after_injection_s=15, fps=FPS)
    loop = processed(path, hospital)
    assert loop.video_file, loop.error
    lesion = facts.lesion
    hotspot = make_question(
        QuestionKind.HOTSPOT,
        institution=hospital,
        loop=loop,
        frame_time_s=FRAME_TIME,
        answer={"kind": "ellipse", "geometry": dict(vars(lesion))},
        prompt="Click the lesion that enhances in the arterial phase.",
    )
    choice = make_question(QuestionKind.SINGLE, institution=hospital, prompt="The diagnosis?")
    time_point = make_question(
        QuestionKind.TIME_POINT,
        institution=hospital,
        loop=loop,
        answer={"time_s": KEY_TIME},
        tolerance=0.5,
        prompt="Mark the moment the nodule is brightest.",
    )
    quiz = make_exam(hospital, instructor, [hotspot, choice, time_point], FeedbackPolicy.NEVER)
    sign_in(page, live_server, trainee)
    start(page, quiz)

    page.wait_for_function(SHOWS_FRAME, arg=(int(FRAME_TIME * FPS) + 0.5) / FPS)
    click_on_image(page, hotspot, lesion.cx + 3, lesion.cy - 2)
    question(page, choice).get_by_label("HCC").check()
    wait_saved(page)
    assert question(page, hotspot).locator(".qz-mine circle").count() == 2  # halo and marker

    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    # From the top of the page to the diagnosis question's second option.
    bottom = (
        question(page, choice)
        .get_by_label("HCC")
        .evaluate("el => el.closest('label').getBoundingClientRect().bottom + window.scrollY")
    )
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOT),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": bottom + 6},
    )
    assert SCREENSHOT.stat().st_size > 20_000
