"""Fixtures for the assessment tests: a published quiz of ``hospital`` and a fixed clock."""

from __future__ import annotations

import pytest

from quizzes.models import QuestionKind
from tests.quizzes.factories import QuizFactory, make_question


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture
def choice_questions(hospital):
    """Three single-choice questions of ``hospital``."""
    return [make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(3)]


@pytest.fixture
def quiz(hospital, instructor, choice_questions):
    """A published practice quiz of ``hospital`` with three single-choice questions."""
    return QuizFactory(institution=hospital, created_by=instructor, questions=choice_questions)
