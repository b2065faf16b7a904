"""A lesson's page links the quizzes attached to that lesson, with the trainee's standing."""

from __future__ import annotations

import pytest

from core.scoping import PublicationStatus
from quizzes.models import QuestionKind
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.quizzes.factories import QuizFactory, make_question
from tests.quizzes.test_progress import _take

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(hospital):
    """Two lessons of one published module: the quiz is on the first."""
    course = CourseFactory(institution=hospital)
    module = ModuleFactory(course=course, title="Physics", order=0)
    return LessonFactory(module=module, order=0), LessonFactory(module=module, order=1)


def _quiz(hospital, lesson, title, **kw):
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    return QuizFactory(
        institution=hospital, lesson=lesson, questions=[question], title=title, pass_mark=80, **kw
    )


def test_the_lesson_page_links_its_quiz_with_the_trainees_standing(
    client, hospital, lessons, trainee, now
):
    first, second = lessons
    quiz = _quiz(hospital, first, "Harmonics check")
    draft = _quiz(hospital, first, "Unfinished draft", status=PublicationStatus.DRAFT)
    other = _quiz(hospital, second, "Second lesson check")
    client.force_login(trainee)
    url = first.get_absolute_url()

    page = client.get(url).content.decode()
    assert f'href="{quiz.get_absolute_url()}"' in page
    assert "Harmonics check" in page and "Pass mark 80 %" in page
    assert draft.get_absolute_url() not in page and "Unfinished draft" not in page
    assert other.get_absolute_url() not in page and "Second lesson check" not in page

    _take(quiz, trainee, now, right=False)
    page = client.get(url).content.decode()
    assert "Not passed yet" in page and "Pass mark 80 %" not in page

    _take(quiz, trainee, now, right=True)
    page = client.get(url).content.decode()
    quizzes = page[page.index('class="lesson-quizzes"') :]
    assert "Passed" in quizzes and "Not passed yet" not in quizzes

    # The other lesson's page shows its own quiz only.
    page = client.get(second.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' in page
    assert quiz.get_absolute_url() not in page


def test_a_lesson_without_quizzes_shows_no_quiz_section(client, lessons, trainee):
    client.force_login(trainee)
    page = client.get(lessons[0].get_absolute_url()).content.decode()
    assert "lesson-quizzes" not in page
