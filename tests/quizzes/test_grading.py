"""Scoring at submission, free-text grading, certainty-based marks and grades per quiz."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from quizzes.models import FeedbackPolicy, GradingMethod, QuestionKind
from quizzes.services.attempts import answer_check, answer_save, attempt_start, attempt_submit
from quizzes.services.errors import AnswerLocked, NotAllowed, QuizError
from quizzes.services.grading import answer_grade, grading_queue
from quizzes.services.results import attempts_csv_rows, quiz_grade, quiz_results
from tests.quizzes.factories import QuizFactory, correct_response, make_question, wrong_response

pytestmark = pytest.mark.django_db


def _take(quiz, user, now, responses: dict, certainty=None):
    attempt = attempt_start(quiz=quiz, user=user, now=now)
    for question, response in responses.items():
        answer_save(
            attempt=attempt,
            user=user,
            question_id=question.pk,
            response=response,
            certainty=(certainty or {}).get(question.pk, ""),
            now=now,
        )
    return attempt_submit(attempt_id=attempt.pk, user=user, now=now)


@pytest.fixture
def mixed(hospital):
    single = make_question(QuestionKind.SINGLE, institution=hospital, points=2)
    hotspot = make_question(QuestionKind.HOTSPOT, institution=hospital)
    text = make_question(QuestionKind.FREE_TEXT, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[single, hotspot, text], pass_mark=50)
    return quiz, single, hotspot, text


def test_submit_scores_every_answer(mixed, trainee, now):
    quiz, single, hotspot, _text = mixed
    attempt = _take(
        quiz,
        trainee,
        now,
        {single: correct_response(single), hotspot: wrong_response(hotspot)},
    )
    assert (attempt.score, attempt.max_score) == (2.0, 4.0)
    assert attempt.percent == 50.0 and attempt.passed is True
    assert attempt.needs_grading is False  # the free text was left empty: nothing to grade
    answers = {a.question_id: a for a in attempt.answers.all()}
    assert answers[single.pk].is_correct and answers[single.pk].score == 2.0
    assert answers[hotspot.pk].credit == 0.0
    assert answers[hotspot.pk].detail  # the distance to the ROI, for the feedback


def test_free_text_waits_for_an_instructor(mixed, trainee, instructor, other_instructor, now):
    quiz, single, _hotspot, text = mixed
    attempt = _take(
        quiz, trainee, now, {single: wrong_response(single), text: correct_response(text)}
    )
    assert attempt.needs_grading is True
    assert attempt.score == 0.0
    grade = quiz_grade(quiz, trainee)
    assert grade.pending and not grade.passed
    answer = attempt.answers.get(question=text)
    assert list(grading_queue(instructor)) == [answer]
    assert list(grading_queue(other_instructor)) == []
    assert list(grading_queue(trainee)) == []

    with pytest.raises(NotAllowed):
        answer_grade(answer=answer, by=other_instructor, credit=1)
    with pytest.raises(NotAllowed):
        answer_grade(answer=answer, by=trainee, credit=1)
    for bad in (-0.1, 1.5, float("nan"), "lots"):
        with pytest.raises(ValidationError):
            answer_grade(answer=answer, by=instructor, credit=bad)

    graded = answer_grade(answer=answer, by=instructor, credit=1, comment="Good.", now=now)
    assert graded.credit == 1.0 and graded.is_correct and graded.score == 1.0
    assert graded.graded_by == instructor and graded.grader_comment == "Good."
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score, attempt.needs_grading) == (1.0, 4.0, False)
    assert attempt.passed is False  # 25 % < 50 %
    assert list(grading_queue(instructor)) == []
    # Regrading replaces the grade; a later rescore keeps the instructor's credit.
    answer_grade(answer=answer, by=instructor, credit=0.5, now=now)
    attempt.refresh_from_db()
    assert attempt.score == 0.5


def test_only_free_text_of_submitted_attempts_is_graded(mixed, trainee, instructor, now):
    quiz, single, _hotspot, text = mixed
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    answer = answer_save(
        attempt=attempt, user=trainee, question_id=text.pk, response={"text": "x"}, now=now
    )
    with pytest.raises(QuizError):
        answer_grade(answer=answer, by=instructor, credit=1)
    choice = answer_save(
        attempt=attempt,
        user=trainee,
        question_id=single.pk,
        response=correct_response(single),
        now=now,
    )
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    with pytest.raises(QuizError):
        answer_grade(answer=choice, by=instructor, credit=0)


def test_certainty_based_marking(hospital, trainee, now):
    questions = [make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(3)]
    quiz = QuizFactory(institution=hospital, questions=questions, certainty_based=True)
    a, b, c = questions
    attempt = _take(
        quiz,
        trainee,
        now,
        {a: correct_response(a), b: wrong_response(b), c: correct_response(c)},
        certainty={a.pk: "high", b.pk: "medium", c.pk: ""},
    )
    # +3 (high, right) -2 (medium, wrong) +1 (no certainty = low, right); max 3 x 3.
    assert (attempt.score, attempt.max_score) == (2.0, 9.0)
    assert attempt.percent == pytest.approx(22.222222)


def test_certainty_outside_the_scale_is_refused(hospital, trainee, now):
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[question], certainty_based=True)
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    with pytest.raises(ValidationError):
        answer_save(
            attempt=attempt,
            user=trainee,
            question_id=question.pk,
            response=correct_response(question),
            certainty="absolute",
            now=now,
        )


def test_a_response_of_the_wrong_shape_is_refused(quiz, trainee, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    question_id = attempt.paper[0]["question"]
    for response in ({"option": 10**9}, {"value": 3}, {"option": "1"}):
        with pytest.raises(ValidationError):
            answer_save(
                attempt=attempt, user=trainee, question_id=question_id, response=response, now=now
            )
    assert not attempt.answers.exists()


def test_immediate_check_locks_the_answer(hospital, trainee, now):
    question = make_question(QuestionKind.NUMERIC, institution=hospital)
    quiz = QuizFactory(
        institution=hospital, questions=[question], feedback_policy=FeedbackPolicy.IMMEDIATE
    )
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    with pytest.raises(QuizError, match="Answer the question"):
        answer_check(attempt=attempt, user=trainee, question_id=question.pk, now=now)
    answer_save(
        attempt=attempt,
        user=trainee,
        question_id=question.pk,
        response=correct_response(question),
        now=now,
    )
    checked = answer_check(attempt=attempt, user=trainee, question_id=question.pk, now=now)
    assert checked.is_correct and checked.score == 1.0 and checked.checked_at == now
    assert answer_check(attempt=attempt, user=trainee, question_id=question.pk, now=now) == checked
    with pytest.raises(AnswerLocked):
        answer_save(
            attempt=attempt,
            user=trainee,
            question_id=question.pk,
            response=wrong_response(question),
            now=now,
        )
    assert attempt_submit(attempt_id=attempt.pk, user=trainee, now=now).score == 1.0


def test_check_only_under_the_immediate_policy(quiz, trainee, now):
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    question = quiz.items.first().question
    answer_save(
        attempt=attempt,
        user=trainee,
        question_id=question.pk,
        response=correct_response(question),
        now=now,
    )
    with pytest.raises(QuizError, match="marked when you submit"):
        answer_check(attempt=attempt, user=trainee, question_id=question.pk, now=now)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (GradingMethod.HIGHEST, 100.0),
        (GradingMethod.LAST, 50.0),
        (GradingMethod.FIRST, 0.0),
        (GradingMethod.AVERAGE, 50.0),
    ],
)
def test_grade_by_method(hospital, trainee, now, method, expected):
    a, b = (make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(2))
    quiz = QuizFactory(institution=hospital, questions=[a, b], grading_method=method, pass_mark=60)
    _take(quiz, trainee, now, {})
    _take(quiz, trainee, now, {a: correct_response(a), b: correct_response(b)})
    _take(quiz, trainee, now, {a: correct_response(a)})
    grade = quiz_grade(quiz, trainee)
    assert grade.percent == expected
    assert grade.passed is (expected >= 60)
    assert grade.attempts_used == 3 and grade.attempts_left is None


def test_results_and_csv(mixed, trainee, instructor, now):
    quiz, single, _hotspot, _text = mixed
    _take(quiz, trainee, now, {single: correct_response(single)})
    [row] = quiz_results(quiz, user=instructor)
    assert row.user == trainee and row.grade.percent == 50.0 and len(row.attempts) == 1
    header, line = list(attempts_csv_rows(quiz, user=instructor))
    assert header[0] == "Username" and line[0] == trainee.username
    assert line[header.index("Institution")] == str(trainee.institution)
    assert line[header.index("Percent")] == 50.0
