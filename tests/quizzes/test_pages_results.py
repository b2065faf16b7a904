"""Instructor pages on trainees' work: results, the CSV export, item analysis, grading."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from quizzes.models import Attempt, QuestionKind
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from quizzes.views.results import csv_safe
from tests.factories import TraineeFactory
from tests.quizzes.factories import (
    QuizFactory,
    correct_response,
    make_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db


def take(quiz, user, right: list[bool], questions=None) -> Attempt:
    """One submitted attempt: question i answered right or wrong as ``right[i]`` says."""
    questions = questions or [item.question for item in quiz.items.order_by("order")]
    attempt = attempt_start(quiz=quiz, user=user)
    for question, ok in zip(questions, right, strict=True):
        response = correct_response(question) if ok else wrong_response(question)
        answer_save(attempt=attempt, user=user, question_id=question.pk, response=response)
    return attempt_submit(attempt_id=attempt.pk, user=user)


@pytest.fixture
def author(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def trainees(hospital):
    return [
        TraineeFactory(institution=hospital, username=f"t{i}", first_name=f"T{i}") for i in range(4)
    ]


def test_results_table_per_trainee(author, quiz, trainees):
    first, second = trainees[:2]
    take(quiz, first, [True, False, False])
    take(quiz, first, [True, True, True])
    take(quiz, second, [True, False, False])
    response = author.get(reverse("quizzes:results", args=[quiz.pk]))
    assert response.status_code == 200
    rows = {row["result"].user: row for row in response.context["rows"]}
    assert set(rows) == {first, second}
    assert rows[first]["result"].grade.attempts_used == 2
    assert rows[first]["result"].grade.percent == pytest.approx(100)
    assert rows[first]["result"].grade.passed
    assert rows[second]["result"].grade.percent == pytest.approx(100 / 3)
    assert not rows[second]["result"].grade.passed
    assert rows[first]["last_submitted"] is not None
    html = response.content.decode()
    assert "100.0%" in html and "33.3%" in html
    assert reverse("quizzes:trainee", args=[quiz.pk, first.pk]) in html


def test_trainee_page_shows_each_attempt_with_its_answers(author, quiz, trainees):
    trainee = trainees[0]
    take(quiz, trainee, [True, False, True])
    response = author.get(reverse("quizzes:trainee", args=[quiz.pk, trainee.pk]))
    assert response.status_code == 200
    (shown,) = response.context["attempts"]
    assert [line["answer"].is_correct for line in shown["lines"]] == [True, False, True]
    assert shown["lines"][0]["response"] == "HCC"
    assert shown["lines"][1]["response"] == "Haemangioma"
    assert shown["attempt"].score == pytest.approx(2)
    # Somebody who never started the quiz has no page here.
    other = TraineeFactory(institution=trainee.institution)
    assert author.get(reverse("quizzes:trainee", args=[quiz.pk, other.pk])).status_code == 404


def test_csv_has_one_row_per_attempt_and_is_safe_against_formulas(author, quiz, hospital):
    sly = TraineeFactory(
        institution=hospital, username="sly", first_name='=HYPERLINK("http://x")', last_name="+1"
    )
    plain = TraineeFactory(institution=hospital, username="plain", first_name="Li", last_name="Na")
    take(quiz, sly, [True, True, False])
    take(quiz, sly, [True, True, True])
    take(quiz, plain, [False, False, False])
    response = author.get(reverse("quizzes:results_csv", args=[quiz.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = rows
    assert len(body) == 3
    assert header[0] == "Username"
    attempt = header.index("Attempt")
    by_key = {(row[0], row[attempt]): row for row in body}
    assert set(by_key) == {("plain", "1"), ("sly", "1"), ("sly", "2")}
    name = by_key[("sly", "1")][1]
    assert name.startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "@")) for row in body for cell in row)
    assert by_key[("sly", "2")][header.index("Institution")] == str(hospital)
    assert by_key[("sly", "2")][header.index("Percent")] == "100.0"
    assert by_key[("plain", "1")][header.index("Percent")] == "0.0"


def test_csv_safe_keeps_numbers_and_quotes_formula_text():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("-2+3") == "'-2+3"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("plain") == "plain"
    assert csv_safe(-6.0) == -6.0  # a certainty-based score, not a formula


def test_item_analysis_flags_negative_discrimination(author, hospital, trainees):
    questions = [make_question(QuestionKind.SINGLE, institution=hospital) for _ in range(4)]
    quiz = QuizFactory(institution=hospital, questions=questions)
    # Strong trainees get the last question wrong, weak ones right: a suspicious item.
    pattern = [
        [True, True, True, False],
        [True, True, False, False],
        [True, False, False, True],
        [False, False, False, True],
    ]
    for trainee, right in zip(trainees, pattern, strict=True):
        take(quiz, trainee, right)
    response = author.get(reverse("quizzes:analysis", args=[quiz.pk]))
    assert response.status_code == 200
    assert response.context["attempt_count"] == 4
    items = {item["question"]: item for item in response.context["items"]}
    first, last = items[questions[0]], items[questions[3]]
    assert first["stats"].n == 4
    assert first["stats"].facility == pytest.approx(0.75)
    assert first["stats"].discrimination == pytest.approx(1 / 3)
    assert not first["stats"].negative_discrimination
    assert last["stats"].facility == pytest.approx(0.5)
    assert last["stats"].discrimination == pytest.approx(-2 / 5**0.5)
    assert last["stats"].negative_discrimination
    counts = {c["option"].text: (c["count"], c["percent"]) for c in first["choices"]}
    assert counts == {"HCC": (3, 75), "Haemangioma": (1, 25), "FNH": (0, 0)}
    html = response.content.decode()
    assert html.count("is-flagged") == 1
    assert f'class="is-flagged" id="question-{questions[3].pk}"' in html
    assert "0.75" in html and "0.33" in html and "-0.89" in html
    assert "Negative discrimination" in html


@pytest.fixture
def free_text_attempt(hospital, trainees):
    essay = make_question(QuestionKind.FREE_TEXT, institution=hospital, points=2.0)
    single = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[single, essay], title="Essay quiz")
    attempt = take(quiz, trainees[0], [True, True])
    assert attempt.needs_grading
    assert attempt.score == pytest.approx(1)
    return attempt


def test_grading_a_free_text_answer_rescores_and_leaves_the_queue(author, free_text_attempt):
    attempt = free_text_attempt
    answer = attempt.answers.get(question__kind=QuestionKind.FREE_TEXT)
    queue = author.get(reverse("quizzes:grading"))
    assert list(queue.context["answers"]) == [answer]
    page = author.get(reverse("quizzes:grade", args=[answer.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "names the arterial phase" in html  # the rubric
    assert "Arterial phase hyperenhancement" in html  # the answer
    too_many = author.post(reverse("quizzes:grade", args=[answer.pk]), {"points": "3"})
    assert too_many.status_code == 200 and "points" in too_many.context["form"].errors

    response = author.post(
        reverse("quizzes:grade", args=[answer.pk]), {"points": "1.5", "comment": "Good."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:grading")
    attempt.refresh_from_db()
    answer.refresh_from_db()
    assert answer.credit == pytest.approx(0.75)
    assert answer.grader_comment == "Good."
    assert not attempt.needs_grading
    assert attempt.score == pytest.approx(2.5)
    assert attempt.percent == pytest.approx(2.5 / 3 * 100)
    assert list(author.get(reverse("quizzes:grading")).context["answers"]) == []


def test_another_institutions_instructor_sees_nothing(
    client, other_instructor, quiz, trainees, free_text_attempt
):
    take(quiz, trainees[1], [True, True, True])
    answer = free_text_attempt.answers.get(question__kind=QuestionKind.FREE_TEXT)
    client.force_login(other_instructor)
    urls = [
        reverse("quizzes:results", args=[quiz.pk]),
        reverse("quizzes:results_csv", args=[quiz.pk]),
        reverse("quizzes:analysis", args=[quiz.pk]),
        reverse("quizzes:trainee", args=[quiz.pk, trainees[1].pk]),
        reverse("quizzes:grade", args=[answer.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(urls[-1], {"points": "2"}).status_code == 404
    assert list(client.get(reverse("quizzes:grading")).context["answers"]) == []
    answer.refresh_from_db()
    assert answer.credit is None


def test_trainees_cannot_open_instructor_pages(client, quiz, trainees):
    take(quiz, trainees[0], [True, True, True])
    client.force_login(trainees[0])
    for url in (
        reverse("quizzes:results", args=[quiz.pk]),
        reverse("quizzes:results_csv", args=[quiz.pk]),
        reverse("quizzes:analysis", args=[quiz.pk]),
        reverse("quizzes:grading"),
    ):
        assert client.get(url).status_code == 403, url
