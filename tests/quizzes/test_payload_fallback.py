"""The attempt payload says which texts a reader gets in the other language (``fallback``)."""

from __future__ import annotations

import pytest
from django.utils import translation

from quizzes.models import FeedbackPolicy, Option, Question, QuestionKind
from quizzes.payload import attempt_payload
from quizzes.services.attempts import attempt_start, attempt_submit
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_only_question(hospital) -> Question:
    """A question whose texts are English only, but one option written in both languages."""
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    Question.objects.filter(pk=question.pk).update(
        prompt_en="When does the wash-out begin?",
        prompt_zh_hans="",
        explanation_en="Late and mild.",
        explanation_zh_hans="",
    )
    Option.objects.filter(question=question).update(text_zh_hans="")
    first = question.options.order_by("order").first()
    Option.objects.filter(pk=first.pk).update(text_en="Haemangioma", text_zh_hans="血管瘤")
    question.refresh_from_db()
    return question


def _payload(quiz, trainee, language: str) -> dict:
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee)
    with translation.override(language):
        return attempt_payload(attempt, user=trainee)


def test_a_chinese_reader_is_told_which_texts_are_english(hospital, trainee, english_only_question):
    quiz = QuizFactory(
        institution=hospital,
        questions=[english_only_question],
        title_en="Wash-out quiz",
        title_zh_hans="",
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
    )
    payload = _payload(quiz, trainee, "zh-hans")

    assert payload["quiz"]["fallback"] == {"title": "en"}
    (question,) = payload["questions"]
    assert question["fallback"] == {"prompt_html": "en"}
    assert "wash-out begin" in question["prompt_html"]
    by_text = {o["text"]: o["fallback"] for o in question["options"]}
    assert by_text["血管瘤"] == {}  # translated: no marker
    assert all(fallback == {"text": "en"} for text, fallback in by_text.items() if text != "血管瘤")
    assert question["feedback"]["fallback"] == {"explanation_html": "en"}


def test_an_english_reader_of_english_texts_sees_no_fallback(
    hospital, trainee, english_only_question
):
    quiz = QuizFactory(
        institution=hospital,
        questions=[english_only_question],
        title_en="Wash-out quiz",
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
    )
    payload = _payload(quiz, trainee, "en")

    assert payload["quiz"]["fallback"] == {}
    (question,) = payload["questions"]
    assert question["fallback"] == {} and question["feedback"]["fallback"] == {}
    assert all(option["fallback"] == {} for option in question["options"])
