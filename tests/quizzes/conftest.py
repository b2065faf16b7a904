"""Fixtures for the assessment tests: a published quiz of ``hospital`` and a fixed clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes.models import QuestionKind
from tests.quizzes.factories import QuizFactory, make_question


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture
def now():
    """A fixed "now" that services take as ``now=``: no test depends on the wall clock."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def later(now):
    """``later(minutes=5)`` -> a moment after ``now``."""
    return lambda **delta: now + timedelta(**delta)


@pytest.fixture
def choice_questions(hospital):
    """Three single-choice questions of ``hospital``."""
    return [make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(3)]


@pytest.fixture
def quiz(hospital, instructor, choice_questions):
    """A published practice quiz of ``hospital`` with three single-choice questions."""
    return QuizFactory(institution=hospital, created_by=instructor, questions=choice_questions)
