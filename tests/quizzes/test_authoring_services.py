"""The authoring services: keys checked, sources the author may see, quizzes with draws."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.scoping import PublicationStatus
from quizzes.models import Option, QuestionKind
from quizzes.services.authoring import (
    add_quiz_draw,
    add_quiz_item,
    create_question,
    create_quiz,
    update_question,
    update_quiz,
)
from quizzes.services.errors import NotAllowed
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.courses.factories import CourseFactory, ModuleFactory
from tests.quizzes.factories import ELLIPSE_KEY, make_question

pytestmark = pytest.mark.django_db


def test_create_a_choice_question_with_options_and_tags(instructor, hospital):
    question = create_question(
        by=instructor,
        kind=QuestionKind.SINGLE,
        title="Arterial phase",
        prompt="When does the arterial phase start?",
        options=[
            {"text": "10-20 s", "is_correct": True, "feedback": "Yes."},
            {"text": "60 s"},
        ],
        tags=["phases", "liver"],
    )
    assert question.institution == hospital and question.created_by == instructor
    assert [(o.text, o.is_correct) for o in question.options.all()] == [
        ("10-20 s", True),
        ("60 s", False),
    ]
    assert sorted(question.tags.values_list("name", flat=True)) == ["liver", "phases"]
    assert question.status == PublicationStatus.DRAFT


def test_true_false_options_are_made_by_the_service(instructor):
    question = create_question(
        by=instructor,
        kind=QuestionKind.TRUE_FALSE,
        title="Wash-out",
        prompt="HCC washes out late and mildly.",
        true_is_correct=True,
    )
    first_ids = list(question.options.values_list("pk", flat=True))
    assert [(o.text, o.is_correct) for o in question.options.all()] == [
        ("True", True),
        ("False", False),
    ]
    update_question(question=question, by=instructor, true_is_correct=False)
    # The same two rows (answers refer to them), the key flipped.
    assert list(question.options.values_list("pk", "is_correct")) == [
        (first_ids[0], False),
        (first_ids[1], True),
    ]


def test_an_incomplete_key_is_refused(instructor):
    with pytest.raises(ValidationError):
        create_question(
            by=instructor,
            kind=QuestionKind.SINGLE,
            title="No right answer",
            prompt="?",
            options=[{"text": "a"}, {"text": "b"}],
        )
    with pytest.raises(ValidationError):
        create_question(by=instructor, kind=QuestionKind.NUMERIC, title="n", prompt="?")


def test_a_hotspot_on_a_visible_loop_of_the_case(instructor, hospital, other_hospital):
    loop = ReadyLoopFactory(institution=hospital)
    case = CaseFactory(institution=hospital, loops=[loop])
    question = create_question(
        by=instructor,
        kind=QuestionKind.HOTSPOT,
        title="Find the lesion",
        prompt="Click the lesion.",
        case=case,
        loop=loop,
        frame_time_s=5.0,
        answer={"kind": "ellipse", "geometry": dict(ELLIPSE_KEY)},
    )
    assert question.loop == loop
    foreign = ReadyLoopFactory(institution=other_hospital)
    with pytest.raises(ValidationError, match="cine loop"):
        update_question(question=question, by=instructor, loop=foreign, case=None)
    question.refresh_from_db()  # the refused update changed only the instance
    other_loop = ReadyLoopFactory(institution=hospital)
    with pytest.raises(ValidationError, match="case's loops"):
        update_question(question=question, by=instructor, loop=other_loop)


def test_only_instructors_author(trainee, other_instructor, instructor):
    with pytest.raises(NotAllowed):
        create_question(by=trainee, kind=QuestionKind.FREE_TEXT, title="t", prompt="p")
    question = create_question(by=instructor, kind=QuestionKind.FREE_TEXT, title="t", prompt="p")
    with pytest.raises(NotAllowed):
        update_question(question=question, by=other_instructor, title="mine now")


def test_create_a_quiz_with_items_and_draws(instructor, hospital):
    course = CourseFactory(institution=hospital)
    module = ModuleFactory(course=course)
    fixed = make_question(QuestionKind.NUMERIC, institution=hospital)
    quiz = create_quiz(
        by=instructor,
        title="Module quiz",
        module=module,
        items=[fixed],
        draws=[("phases", 2)],
        status=PublicationStatus.PUBLISHED,
        time_limit_minutes=20,
    )
    assert list(quiz.items.values_list("question_id", flat=True)) == [fixed.pk]
    assert [(d.tag.name, d.count) for d in quiz.draws.all()] == [("phases", 2)]
    extra = make_question(QuestionKind.CATEGORY, institution=hospital)
    add_quiz_item(quiz=quiz, by=instructor, question=extra)
    add_quiz_draw(quiz=quiz, by=instructor, tag="liver", count=1)
    assert quiz.items.count() == 2 and quiz.draws.count() == 2
    with pytest.raises(ValidationError):
        add_quiz_item(quiz=quiz, by=instructor, question=extra)
    with pytest.raises(ValidationError, match="at least one question"):
        update_quiz(quiz=quiz, by=instructor, items=[], draws=[])


def test_quiz_rules(instructor, other_instructor, other_hospital, hospital):
    foreign_module = ModuleFactory(course=CourseFactory(institution=other_hospital))
    with pytest.raises(ValidationError, match="course"):
        create_quiz(by=instructor, title="Elsewhere", module=foreign_module)
    private = make_question(QuestionKind.NUMERIC, institution=other_hospital)
    with pytest.raises(ValidationError, match="cannot be used"):
        create_quiz(by=instructor, title="Borrowing", items=[private])
    quiz = create_quiz(by=instructor, title="Draft")
    with pytest.raises(NotAllowed):
        update_quiz(quiz=quiz, by=other_instructor, title="Taken")
    assert not Option.objects.exists()


def test_publishing_rechecks_every_key(instructor, hospital):
    """A key broken after the question was saved (here written behind the services' back)
    keeps the quiz from being published, with the question named."""
    good = make_question(QuestionKind.NUMERIC, institution=hospital)
    broken = make_question(QuestionKind.HOTSPOT, institution=hospital)
    quiz = create_quiz(by=instructor, title="Exam", items=[good, broken])
    type(broken).objects.filter(pk=broken.pk).update(answer={})
    with pytest.raises(ValidationError, match=broken.title):
        update_quiz(quiz=quiz, by=instructor, status=PublicationStatus.PUBLISHED)
    quiz.refresh_from_db()
    assert quiz.status == PublicationStatus.DRAFT
    type(broken).objects.filter(pk=broken.pk).update(answer=broken.answer)
    update_quiz(quiz=quiz, by=instructor, status=PublicationStatus.PUBLISHED)
    quiz.refresh_from_db()
    assert quiz.status == PublicationStatus.PUBLISHED
