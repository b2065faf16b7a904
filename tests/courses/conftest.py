"""Fixtures for the courses tests: a small published course and people around it."""

import pytest

from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory


@pytest.fixture
def course(hospital):
    """A published course of ``hospital``: module A (2 lessons) → module B (2 lessons, needs A)."""
    course = CourseFactory(institution=hospital, title="Liver CEUS", slug="liver-ceus")
    first = ModuleFactory(course=course, title="Physics", order=0)
    second = ModuleFactory(course=course, title="Phases", order=1, prerequisites=[first])
    for module in (first, second):
        LessonFactory(module=module, title=f"{module.title} 1", order=0)
        LessonFactory(module=module, title=f"{module.title} 2", order=1)
    return course
