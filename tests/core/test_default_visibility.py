"""Network sharing is the default for content made at an expert centre, in every create form
and service that has a visibility; elsewhere content starts with its own institution."""

from __future__ import annotations

import pytest

from accounts.models import Institution
from cases.forms import CaseForm
from certification.forms.programmes import ProgrammeForm
from certification.services.programmes import programme_create
from core.scoping import Visibility, default_visibility
from courses.forms import CourseForm
from courses.services.authoring import course_create
from quizzes.forms import QuestionForm, QuizForm
from quizzes.models import QuestionKind
from quizzes.services.authoring import create_question, create_quiz
from tests.factories import DirectorFactory, InstitutionFactory, InstructorFactory

pytestmark = pytest.mark.django_db

LEVELS = [
    (Institution.Level.EXPERT_CENTRE, Visibility.NETWORK),
    (Institution.Level.CITY, Visibility.INSTITUTION),
    (Institution.Level.COUNTY, Visibility.INSTITUTION),
    (Institution.Level.TOWNSHIP, Visibility.INSTITUTION),
]


@pytest.mark.parametrize(("level", "expected"), LEVELS)
def test_default_visibility_per_level(level, expected):
    assert default_visibility(InstitutionFactory(level=level)) == expected


def test_no_institution_keeps_content_private():
    assert default_visibility(None) == Visibility.INSTITUTION


@pytest.mark.parametrize(("level", "expected"), LEVELS[:2])
def test_create_forms_start_with_the_default(level, expected, cine_dirs):
    institution = InstitutionFactory(level=level)
    author = InstructorFactory(institution=institution)
    director = DirectorFactory(institution=institution)
    forms = [
        CaseForm(user=author),
        CourseForm(user=author),
        QuizForm(user=author),
        QuestionForm(kind=QuestionKind.SINGLE, user=author),
        ProgrammeForm(user=director),
    ]
    for form in forms:
        assert form["visibility"].value() == expected, type(form).__name__


@pytest.mark.parametrize(("level", "expected"), LEVELS[:2])
def test_create_services_use_the_default(level, expected):
    institution = InstitutionFactory(level=level)
    author = InstructorFactory(institution=institution)
    made = [
        course_create(by=author, title="CEUS basics"),
        create_quiz(by=author, title="Liver quiz"),
        create_question(
            by=author,
            kind=QuestionKind.SINGLE,
            title="Which?",
            prompt="Which?",
            options=[{"text": "A", "is_correct": True}, {"text": "B"}],
        ),
        programme_create(by=DirectorFactory(institution=institution), title="Liver level 1"),
    ]
    for obj in made:
        assert obj.visibility == expected, type(obj).__name__


def test_an_explicit_choice_wins():
    centre = InstitutionFactory(level=Institution.Level.EXPERT_CENTRE)
    author = InstructorFactory(institution=centre)
    quiz = create_quiz(by=author, title="Local quiz", visibility=Visibility.INSTITUTION)
    assert quiz.visibility == Visibility.INSTITUTION
