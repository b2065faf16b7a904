"""Quiz results feed course progress: a module with a quiz is complete only when it is passed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.scoping import PublicationStatus
from courses import selectors
from courses.models import LessonCompletion
from courses.progress import Progress, build_course_states
from quizzes.models import QuestionKind
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from quizzes.services.grading import answer_grade
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory, lessons_of
from tests.quizzes.factories import QuizFactory, correct_response, make_question, wrong_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(hospital):
    """Physics (2 lessons + a quiz) -> Phases (1 lesson, needs Physics)."""
    course = CourseFactory(institution=hospital)
    physics = ModuleFactory(course=course, title="Physics", order=0)
    phases = ModuleFactory(course=course, title="Phases", order=1, prerequisites=[physics])
    LessonFactory(module=physics, order=0)
    LessonFactory(module=physics, order=1)
    LessonFactory(module=phases, order=0)
    return course


@pytest.fixture
def module_quiz(course, hospital):
    physics = course.modules.get(title="Physics")
    questions = [make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(2)]
    return QuizFactory(institution=hospital, module=physics, questions=questions, pass_mark=100)


def _modules(course):
    return course.modules.order_by("order")


def _complete_lessons(user, course):
    for lesson in lessons_of(course):
        LessonCompletion.objects.create(user=user, lesson=lesson)


def _take(quiz, user, now, *, right: bool):
    attempt = attempt_start(quiz=quiz, user=user, now=now)
    for item in quiz.items.all():
        response = correct_response if right else wrong_response
        answer_save(
            attempt=attempt,
            user=user,
            question_id=item.question_id,
            response=response(item.question),
            now=now,
        )
    return attempt_submit(attempt_id=attempt.pk, user=user, now=now)


def test_a_module_with_a_quiz_is_complete_only_when_it_is_passed(course, module_quiz, trainee, now):
    physics, phases = _modules(course)
    _complete_lessons(trainee, course)
    assert selectors.module_progress(trainee, physics) == Progress(2, 3)
    assert not selectors.module_progress(trainee, physics).is_complete
    assert not selectors.module_unlocked(trainee, phases)

    _take(module_quiz, trainee, now, right=False)  # a failed attempt does not complete it
    assert selectors.module_progress(trainee, physics) == Progress(2, 3)
    assert not selectors.module_unlocked(trainee, phases)

    _take(module_quiz, trainee, now, right=True)
    assert selectors.module_progress(trainee, physics) == Progress(3, 3)
    assert selectors.module_unlocked(trainee, phases)
    assert selectors.course_progress(trainee, course) == Progress(4, 4)


def test_a_quiz_on_a_lesson_counts_for_its_module(course, hospital, trainee, now):
    physics, _phases = _modules(course)
    lesson = physics.lessons.first()
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, lesson=lesson, questions=[question])
    assert selectors.module_progress(trainee, physics) == Progress(0, 3)
    _take(quiz, trainee, now, right=True)
    assert selectors.module_progress(trainee, physics) == Progress(1, 3)


def test_passing_the_quiz_without_the_lessons_is_not_enough(course, module_quiz, trainee, now):
    physics, phases = _modules(course)
    _take(module_quiz, trainee, now, right=True)
    assert selectors.module_progress(trainee, physics) == Progress(1, 3)
    assert not selectors.module_unlocked(trainee, phases)


def test_draft_quizzes_do_not_count(course, module_quiz, trainee, instructor):
    physics, _ = _modules(course)
    module_quiz.status = PublicationStatus.DRAFT
    module_quiz.save()
    assert selectors.module_progress(trainee, physics) == Progress(0, 2)
    assert selectors.module_progress(instructor, physics) == Progress(0, 2)


def test_a_free_text_answer_waiting_for_grading_does_not_pass_yet(
    course, hospital, trainee, instructor, now
):
    physics, phases = _modules(course)
    question = make_question(QuestionKind.FREE_TEXT, institution=hospital)
    quiz = QuizFactory(institution=hospital, module=physics, questions=[question], pass_mark=50)
    _complete_lessons(trainee, course)
    attempt = _take(quiz, trainee, now, right=True)
    assert attempt.needs_grading
    assert not selectors.module_unlocked(trainee, phases)
    answer_grade(answer=attempt.answers.get(), by=instructor, credit=1)
    assert selectors.module_unlocked(trainee, phases)


def test_quiz_items_cost_two_queries_for_any_number_of_courses(hospital, trainee, now):
    def course_with_quiz():
        course = CourseFactory(institution=hospital)
        module = ModuleFactory(course=course)
        LessonFactory(module=module)
        question = make_question(QuestionKind.SINGLE, institution=hospital)
        quiz = QuizFactory(institution=hospital, module=module, questions=[question])
        _take(quiz, trainee, now, right=True)
        return course

    courses = [course_with_quiz()]
    with CaptureQueriesContext(connection) as one:
        build_course_states(trainee, courses)
    courses += [course_with_quiz() for _ in range(4)]
    with CaptureQueriesContext(connection) as five:
        states = build_course_states(trainee, courses)
    assert len(five.captured_queries) == len(one.captured_queries) == 6
    assert all(s.progress == Progress(1, 2) for s in states.values())


def test_the_course_page_lists_each_module_quiz_with_the_trainees_standing(
    client, course, module_quiz, trainee, now
):
    client.force_login(trainee)
    url = course.get_absolute_url()
    page = client.get(url).content.decode()
    quiz_link = f'href="{module_quiz.get_absolute_url()}"'
    assert quiz_link in page and "Pass mark 100 %" in page
    _take(module_quiz, trainee, now, right=False)
    assert "Not passed yet" in client.get(url).content.decode()
    _take(module_quiz, trainee, now, right=True)
    page = client.get(url).content.decode()
    # The link sits in the Physics module's card, not in the Phases one.
    physics = page[page.index("Physics") : page.index("Phases")]
    assert quiz_link in physics and "Passed" in physics
