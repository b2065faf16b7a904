"""Progress arithmetic, prerequisite locks and "continue where you left off"."""

import pytest

from courses import selectors
from courses.models import Enrolment, LessonCompletion
from courses.progress import Progress
from tests.courses.factories import (
    DRAFT,
    CourseFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    lessons_of,
)

pytestmark = pytest.mark.django_db


def complete(user, *lessons):
    for lesson in lessons:
        LessonCompletion.objects.create(user=user, lesson=lesson)


@pytest.mark.parametrize(
    ("done", "total", "percent"),
    [(0, 0, 0), (0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (199, 200, 99), (1, 7, 14)],
)
def test_percent_is_rounded_down_and_zero_for_nothing(done, total, percent):
    assert Progress(done, total).percent == percent


def test_empty_course_is_zero_percent(trainee, hospital):
    course = CourseFactory(institution=hospital)
    ModuleFactory(course=course)  # a module without lessons
    progress = selectors.course_progress(trainee, course)
    assert (progress.done, progress.total, progress.percent) == (0, 0, 0)
    assert not progress.is_complete
    assert selectors.next_lesson(trainee, course) is None


def test_course_progress_counts_published_lessons_only(trainee, course):
    first = lessons_of(course)[0]
    draft = LessonFactory(module=first.module, status=DRAFT)
    draft_module = ModuleFactory(course=course, status=DRAFT)
    LessonFactory(module=draft_module)  # published lesson, but its module is a draft
    complete(trainee, first, draft)  # a completion of a lesson since unpublished
    progress = selectors.course_progress(trainee, course)
    assert (progress.done, progress.total, progress.percent) == (1, 4, 25)


def test_editor_progress_also_ignores_drafts_they_can_see(instructor, course):
    LessonFactory(module=course.modules.first(), status=DRAFT)
    assert selectors.course_progress(instructor, course).total == 4


def test_module_progress(trainee, course):
    first, _, third, _ = lessons_of(course)
    complete(trainee, first, third)
    physics, phases = course.modules.order_by("order")
    assert selectors.module_progress(trainee, physics) == Progress(1, 2)
    assert selectors.module_progress(trainee, phases) == Progress(1, 2)
    assert selectors.course_progress(trainee, course).percent == 50


def test_prerequisite_locks_until_every_published_lesson_is_done(trainee, course):
    first, second, *_ = lessons_of(course)
    physics, phases = course.modules.order_by("order")
    assert selectors.module_unlocked(trainee, physics)
    assert not selectors.module_unlocked(trainee, phases)
    complete(trainee, first)
    assert not selectors.module_unlocked(trainee, phases)
    LessonFactory(module=physics, status=DRAFT)  # drafts never block
    complete(trainee, second)
    assert selectors.module_unlocked(trainee, phases)


def test_draft_or_empty_prerequisites_do_not_lock(trainee, hospital):
    course = CourseFactory(institution=hospital)
    draft = ModuleFactory(course=course, status=DRAFT)
    LessonFactory(module=draft)
    empty = ModuleFactory(course=course)
    target = ModuleFactory(course=course, prerequisites=[draft, empty])
    LessonFactory(module=target)
    assert selectors.module_unlocked(trainee, target)


def test_next_lesson_starts_at_the_beginning(trainee, course):
    EnrolmentFactory(user=trainee, course=course)
    assert selectors.next_lesson(trainee, course) == lessons_of(course)[0]


def test_next_lesson_continues_after_the_last_lesson(trainee, course):
    first, second, third, fourth = lessons_of(course)
    enrolment = EnrolmentFactory(user=trainee, course=course, last_lesson=first)
    complete(trainee, first)
    assert selectors.next_lesson(trainee, course) == second
    # A lesson opened but not finished is where the trainee continues.
    enrolment.last_lesson = second
    enrolment.save()
    assert selectors.next_lesson(trainee, course) == second
    complete(trainee, second, third)
    enrolment.last_lesson = third
    enrolment.save()
    assert selectors.next_lesson(trainee, course) == fourth


def test_next_lesson_wraps_round_to_skipped_lessons_and_skips_locked_ones(trainee, course):
    first, second, *_ = lessons_of(course)
    EnrolmentFactory(user=trainee, course=course, last_lesson=second)
    complete(trainee, second)
    # Module B is locked (first is not done), so its lessons are skipped: back to the first.
    assert selectors.next_lesson(trainee, course) == first


def test_next_lesson_is_none_when_everything_is_done(trainee, course):
    EnrolmentFactory(user=trainee, course=course, last_lesson=lessons_of(course)[-1])
    complete(trainee, *lessons_of(course))
    assert selectors.next_lesson(trainee, course) is None
    assert selectors.course_progress(trainee, course).is_complete


def test_dashboard_lists_enrolments_with_progress(trainee, course, hospital):
    other = CourseFactory(institution=hospital, title="Empty")
    EnrolmentFactory(user=trainee, course=course)
    EnrolmentFactory(user=trainee, course=other)
    complete(trainee, lessons_of(course)[0])
    entries = {entry.course: entry for entry in selectors.dashboard(trainee)}
    assert entries[course].progress == Progress(1, 4)
    assert entries[course].next_lesson == lessons_of(course)[1]
    assert entries[other].progress == Progress(0, 0)
    assert entries[other].next_lesson is None


def test_dashboard_hides_courses_that_are_no_longer_visible(trainee, course):
    EnrolmentFactory(user=trainee, course=course)
    course.status = DRAFT
    course.save()
    assert selectors.dashboard(trainee) == []
    assert Enrolment.objects.filter(user=trainee).exists()  # kept for when it returns
