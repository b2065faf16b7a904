"""Fixtures for the certification tests: a fixed clock and a published programme of
``hospital`` whose current version has no requirement yet (tests add theirs)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.scoping import PublicationStatus
from tests.certification.factories import ProgrammeFactory, VersionFactory
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.quizzes.factories import QuizFactory


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def programme(hospital):
    return ProgrammeFactory(institution=hospital, title="CEUS Liver — Level 1")


@pytest.fixture
def version(programme, now):
    """Version 1, in force since 30 days before ``now``; evidence counts from the start."""
    return VersionFactory(programme=programme, number=1, published_at=now - timedelta(days=30))


@pytest.fixture
def basic(hospital):
    """A second programme, for prerequisites: "CEUS basics certificate"."""
    return ProgrammeFactory(institution=hospital, title="CEUS basics certificate")


@pytest.fixture
def exam(hospital):
    """A quiz of ``hospital`` with a 60 % pass mark."""
    return QuizFactory(institution=hospital, title="CEUS LI-RADS exam", pass_mark=60)


@pytest.fixture
def course(hospital):
    """A course of two live lessons and a draft one (drafts never count)."""
    course = CourseFactory(institution=hospital, title="CEUS basics")
    module = ModuleFactory(course=course)
    LessonFactory(module=module)
    LessonFactory(module=module)
    LessonFactory(module=module, status=PublicationStatus.DRAFT)
    return course
