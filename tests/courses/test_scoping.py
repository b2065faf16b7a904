"""Who sees which courses, modules and lessons (querysets from core.scoping)."""

import pytest

from core.scoping import Visibility
from courses.models import Course, Lesson, Module
from tests.courses.factories import DRAFT, CourseFactory, LessonFactory, ModuleFactory
from tests.factories import InstructorFactory

pytestmark = pytest.mark.django_db


def test_trainee_sees_own_and_network_courses_only(trainee, hospital, other_hospital):
    own = CourseFactory(institution=hospital)
    shared = CourseFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    CourseFactory(institution=other_hospital)  # private to the other hospital
    CourseFactory(institution=hospital, status=DRAFT)
    assert set(Course.objects.for_user(trainee)) == {own, shared}


def test_instructor_sees_own_drafts_but_not_other_institutions_drafts(
    instructor, hospital, other_hospital
):
    own_draft = CourseFactory(institution=hospital, status=DRAFT)
    CourseFactory(institution=other_hospital, status=DRAFT, visibility=Visibility.NETWORK)
    assert list(Course.objects.for_user(instructor)) == [own_draft]
    assert list(Course.objects.editable_by(instructor)) == [own_draft]


def test_draft_modules_and_lessons_of_a_published_course_are_hidden_from_trainees(
    trainee, instructor, course
):
    draft_module = ModuleFactory(course=course, status=DRAFT)
    hidden_in_draft_module = LessonFactory(module=draft_module)
    live_module = course.modules.get(title="Physics")
    draft_lesson = LessonFactory(module=live_module, status=DRAFT)

    assert draft_module not in Module.objects.for_user(trainee)
    trainee_lessons = set(Lesson.objects.for_user(trainee))
    assert draft_lesson not in trainee_lessons
    assert hidden_in_draft_module not in trainee_lessons
    assert len(trainee_lessons) == 4

    assert draft_module in Module.objects.for_user(instructor)
    assert {draft_lesson, hidden_in_draft_module} <= set(Lesson.objects.for_user(instructor))


def test_editors_of_another_institution_do_not_see_drafts_of_a_network_course(
    course, other_hospital
):
    course.visibility = Visibility.NETWORK
    course.save()
    draft = LessonFactory(module=course.modules.first(), status=DRAFT)
    outsider = InstructorFactory(institution=other_hospital)
    assert course in Course.objects.for_user(outsider)
    assert draft not in Lesson.objects.for_user(outsider)
    assert not Lesson.objects.editable_by(outsider).exists()


def test_published_means_course_module_and_lesson_published(course):
    module = course.modules.first()
    LessonFactory(module=module, status=DRAFT)
    assert Lesson.objects.published().count() == 4
    course.status = DRAFT
    course.save()
    assert Lesson.objects.published().count() == 0
    assert Lesson.objects.live().count() == 4  # live ignores the course's own status
