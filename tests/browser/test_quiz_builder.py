"""The question form in a real browser: an instructor draws the answer region of a hotspot
question (ellipse) and of an outline question (polygon) on the loop's frame, in original
pixels, and the pages fit a phone's width."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quizzes.models import Question, QuestionKind
from tests.browser.journey import horizontal_overflow
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page, live_server, instructor):
    client = Client()
    client.force_login(instructor)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return page


@pytest.fixture
def case(cine_dirs, hospital, instructor):
    loop = with_files(ReadyLoopFactory(institution=hospital))  # 320 x 240 px, 30 s
    return CaseFactory(institution=hospital, loops=[loop], created_by=instructor, title="Nodule")


def fill_common(page, title: str) -> None:
    page.fill("#id_title_en", title)
    page.fill("#id_prompt_en", "Where is the lesion?")
    page.fill("#id_points", "1")
    page.select_option("#id_status", "published")


def choose_loop(page, case, tool: str) -> dict:
    """Choose the case's loop and a drawing tool; the overlay's box on screen."""
    page.select_option("#id_case", str(case.pk))
    page.select_option("#id_loop", str(case.case_loops.get().loop_id))
    page.fill("#id_frame_time_s", "12")
    overlay = page.locator("[data-overlay]")
    overlay.wait_for(state="visible")
    page.click(f"[data-tool={tool}]")
    overlay.scroll_into_view_if_needed()
    return overlay.bounding_box()


def test_instructor_draws_an_ellipse_and_a_polygon(signed_in, case):
    page = signed_in
    page.goto(reverse("quizzes:question_create") + "?kind=hotspot")
    fill_common(page, "Find the lesion")
    box = choose_loop(page, case, "ellipse")
    assert box["width"] / box["height"] == pytest.approx(320 / 240, rel=0.02)
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75, steps=4)
    page.mouse.up()
    assert page.locator("[data-overlay] ellipse.roi-shape").count() == 1
    page.click("button:has-text('Save question')")
    page.wait_for_url("**/bank/*/")
    question = Question.objects.get(title="Find the lesion")
    geometry = question.answer["geometry"]
    assert question.answer["kind"] == "ellipse"
    assert geometry["cx"] == pytest.approx(160, abs=2)
    assert geometry["cy"] == pytest.approx(120, abs=2)
    assert geometry["rx"] == pytest.approx(80, abs=2)
    assert geometry["ry"] == pytest.approx(60, abs=2)

    page.goto(reverse("quizzes:question_create") + "?kind=drawn")
    fill_common(page, "Outline the lesion")
    page.fill("#id_overlap_threshold", "0.5")
    box = choose_loop(page, case, "polygon")
    for fx, fy in [(0.25, 0.25), (0.75, 0.25), (0.75, 0.75), (0.25, 0.75)]:
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    page.click("[data-finish]")
    assert page.locator("[data-overlay] polygon.roi-shape").count() == 1
    page.click("button:has-text('Save question')")
    page.wait_for_url("**/bank/*/")
    question = Question.objects.get(title="Outline the lesion")
    points = question.answer["geometry"]["points"]
    assert question.answer["kind"] == "polygon"
    expected = [(80, 60), (240, 60), (240, 180), (80, 180)]
    for (x, y), (ex, ey) in zip(points, expected, strict=True):
        assert x == pytest.approx(ex, abs=2) and y == pytest.approx(ey, abs=2)


def test_instructor_pages_fit_a_phone(signed_in, case, hospital):
    question = make_question(QuestionKind.MULTIPLE, institution=hospital, title="A " * 40)
    quiz = QuizFactory(institution=hospital, questions=[question], title="Liver exam")
    page = signed_in
    page.set_viewport_size({"width": 375, "height": 740})
    for url in (
        reverse("quizzes:bank"),
        reverse("quizzes:question_create") + "?kind=single",
        reverse("quizzes:question_create") + "?kind=hotspot",
        reverse("quizzes:question_edit", args=[question.pk]),
        reverse("quizzes:create"),
        reverse("quizzes:edit", args=[quiz.pk]),
        reverse("quizzes:results", args=[quiz.pk]),
        reverse("quizzes:analysis", args=[quiz.pk]),
        reverse("quizzes:grading"),
    ):
        page.goto(url)
        assert horizontal_overflow(page) <= 1, url
