"""Visibility that cannot surprise: a quiz or question shared more widely than the case or loop
it shows warns, offers to share it, and a network quiz that hides one is not published."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases.models import CaseStatus
from cineloops.models import LoopStatus
from core.scoping import HiddenReason, PublicationStatus, Visibility
from quizzes.models import QuestionKind, Quiz
from quizzes.services import authoring, sharing
from quizzes.sharing import question_hidden_dependencies, quiz_hidden_dependencies
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_case(hospital):
    loop = ReadyLoopFactory(institution=hospital)
    return CaseFactory(institution=hospital, title="Liver nodule 3", loops=[loop])


@pytest.fixture
def question(hospital, private_case):
    return make_question(
        QuestionKind.TIME_POINT,
        case=private_case,
        loop=private_case.case_loops.get().loop,
        visibility=Visibility.NETWORK,
    )


def network_quiz(hospital, question, **fields):
    fields = {"visibility": Visibility.NETWORK, "status": PublicationStatus.DRAFT} | fields
    return QuizFactory(institution=hospital, questions=[question], **fields)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The rule --------------------------------------------------------------------------------


def test_a_network_quiz_hides_an_institution_only_case(hospital, question, private_case):
    quiz = network_quiz(hospital, question)
    [dep] = quiz_hidden_dependencies(quiz)
    assert dep.obj == private_case
    assert dep.reason == HiddenReason.INSTITUTION
    assert dep.message == (
        "Trainees at other hospitals will see this quiz but not the case “Liver nodule 3”, "
        "which only County Hospital can see."
    )


def test_an_institution_quiz_of_the_same_hospital_hides_nothing(hospital, question):
    quiz = network_quiz(hospital, question, visibility=Visibility.INSTITUTION)
    assert quiz_hidden_dependencies(quiz) == []


def test_a_shared_case_hides_nothing(hospital, question, private_case):
    private_case.visibility = Visibility.NETWORK
    private_case.save()
    assert quiz_hidden_dependencies(network_quiz(hospital, question)) == []


def test_an_unpublished_case_and_a_loop_not_ready_are_hidden_even_at_home(
    hospital, question, private_case
):
    private_case.status = CaseStatus.IN_REVIEW
    private_case.save()
    loop = question.loop
    loop.status = LoopStatus.NEEDS_REVIEW
    loop.save()
    quiz = network_quiz(hospital, question, visibility=Visibility.INSTITUTION)
    reasons = {type(dep.obj).__name__: dep.reason for dep in quiz_hidden_dependencies(quiz)}
    assert reasons == {"Case": HiddenReason.UNPUBLISHED, "CineLoop": HiddenReason.NOT_READY}


def test_draws_count_the_cases_of_the_questions_they_may_pick(hospital, private_case):
    picked = make_question(QuestionKind.SINGLE, case=private_case, tags=["liver"])
    quiz = QuizFactory(
        institution=hospital, draws=[(picked.tags.get(), 1)], visibility=Visibility.NETWORK
    )
    assert [dep.obj for dep in quiz_hidden_dependencies(quiz)] == [private_case]


def test_a_network_question_hides_its_case(question, private_case, instructor, other_instructor):
    [dep] = question_hidden_dependencies(question, user=instructor)
    assert dep.obj == private_case and dep.editable and dep.shareable
    assert "this question" in dep.message
    [dep] = question_hidden_dependencies(question, user=other_instructor)
    assert not dep.editable


# --- Sharing and publishing ------------------------------------------------------------------


def test_publishing_a_network_quiz_that_hides_a_case_is_refused(hospital, question, instructor):
    quiz = network_quiz(hospital, question)
    with pytest.raises(ValidationError) as refused:
        sharing.publish_quiz(quiz=quiz, by=instructor)
    assert any("Liver nodule 3" in message for message in refused.value.messages)
    quiz.refresh_from_db()
    assert quiz.status == PublicationStatus.DRAFT


def test_share_sets_only_the_cases_the_author_may_edit(
    hospital, other_hospital, question, private_case, instructor
):
    theirs = CaseFactory(institution=other_hospital, title="Their case", loops=[])
    # A question of the other hospital (its editors chose it) showing their private case.
    foreign = make_question(QuestionKind.SINGLE, case=theirs, visibility=Visibility.NETWORK)
    quiz = network_quiz(hospital, question)
    quiz.items.create(question=foreign, order=1)

    result = sharing.share_quiz_dependencies(quiz=quiz, by=instructor)

    private_case.refresh_from_db()
    theirs.refresh_from_db()
    assert private_case.visibility == Visibility.NETWORK
    assert theirs.visibility == Visibility.INSTITUTION
    assert [dep.obj for dep in result.shared] == [private_case]
    assert [(dep.obj, dep.editable) for dep in result.left] == [(theirs, False)]


def test_after_sharing_the_quiz_publishes(hospital, question, instructor):
    quiz = network_quiz(hospital, question)
    sharing.share_quiz_dependencies(quiz=quiz, by=instructor)
    sharing.publish_quiz(quiz=quiz, by=instructor)
    assert Quiz.objects.get(pk=quiz.pk).status == PublicationStatus.PUBLISHED


def test_the_builder_warns_offers_to_share_and_the_button_shares(
    hospital, question, private_case, instructor
):
    quiz = network_quiz(hospital, question)
    client = signed_in(instructor)
    page = client.get(reverse("quizzes:edit", args=[quiz.pk])).content.decode()
    assert "Trainees at other hospitals will see this quiz but not the case" in page
    assert reverse("quizzes:share", args=[quiz.pk]) in page

    response = client.post(reverse("quizzes:share", args=[quiz.pk]), follow=True)
    assert "Shared with the whole network: “Liver nodule 3”." in response.content.decode()
    private_case.refresh_from_db()
    assert private_case.visibility == Visibility.NETWORK


def test_the_publish_button_refuses_with_the_list(hospital, question, instructor):
    quiz = network_quiz(hospital, question)
    response = signed_in(instructor).post(reverse("quizzes:publish", args=[quiz.pk]), follow=True)
    assert "Share these too, or keep the quiz to your institution:" in response.content.decode()
    assert Quiz.objects.get(pk=quiz.pk).status == PublicationStatus.DRAFT


def test_the_question_form_warns_and_shares(question, private_case, instructor):
    client = signed_in(instructor)
    url = reverse("quizzes:question_edit", args=[question.pk])
    page = client.get(url).content.decode()
    assert "will see this question but not the case “Liver nodule 3”" in page
    client.post(reverse("quizzes:question_share", args=[question.pk]))
    private_case.refresh_from_db()
    assert private_case.visibility == Visibility.NETWORK
    assert "data-hidden-dependencies" not in client.get(url).content.decode()


def test_another_hospitals_instructor_cannot_share_through_the_button(
    hospital, question, private_case, other_instructor
):
    quiz = network_quiz(hospital, question)
    response = signed_in(other_instructor).post(reverse("quizzes:share", args=[quiz.pk]))
    assert response.status_code == 404
    private_case.refresh_from_db()
    assert private_case.visibility == Visibility.INSTITUTION


# --- The next-action bar ---------------------------------------------------------------------


def bar(client, quiz) -> str:
    page = client.get(reverse("quizzes:edit", args=[quiz.pk])).content.decode()
    start = page.index("data-next-action")
    return page[start : page.index("</section>", start)]


def test_bar_of_an_empty_draft(hospital, instructor):
    quiz = authoring.create_quiz(by=instructor, title="Empty", visibility=Visibility.INSTITUTION)
    text = bar(signed_in(instructor), quiz)
    assert "Draft" in text
    assert "No questions yet" in text
    assert "only people at County Hospital will see it" in text
    assert reverse("quizzes:publish", args=[quiz.pk]) in text


def test_bar_of_a_network_draft_hiding_a_case(hospital, question, instructor):
    text = bar(signed_in(instructor), network_quiz(hospital, question))
    assert "everyone in the teaching network will see it" in text
    assert "Liver nodule 3" in text
    assert "Share them with the network too" in text


def test_bar_of_a_published_quiz(hospital, instructor, choice_questions):
    quiz = QuizFactory(institution=hospital, questions=choice_questions)
    text = bar(signed_in(instructor), quiz)
    assert "Published: only people at County Hospital can see it." in text
    assert "Still missing" not in text
    assert reverse("quizzes:publish", args=[quiz.pk]) not in text
