"""Fixtures for the courses tests: a small published course and people around it."""

import pytest

from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Factories hash a password per user; the default hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hospital():
    return InstitutionFactory(name="County Hospital")


@pytest.fixture
def other_hospital():
    return InstitutionFactory(name="Other Hospital")


@pytest.fixture
def trainee(hospital):
    return TraineeFactory(institution=hospital)


@pytest.fixture
def instructor(hospital):
    return InstructorFactory(institution=hospital)


@pytest.fixture
def director(hospital):
    return DirectorFactory(institution=hospital)


@pytest.fixture
def site_admin():
    return SiteAdminFactory()


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
