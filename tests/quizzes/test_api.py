"""The quiz API: visibility (404), refusals with {"detail"}, the autosave/submit cycle, the
deadline and idempotent submission (no-leak checks: ``test_api_no_leak.py``)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from core.scoping import PublicationStatus, Visibility
from quizzes.models import Answer, Attempt, AttemptStatus, FeedbackPolicy, QuestionKind
from tests.factories import TraineeFactory, api_for
from tests.quizzes.api import API, as_sent, put_answer, start, token_client
from tests.quizzes.factories import (
    SECRETS,
    QuizFactory,
    correct_response,
    make_question,
    wrong_response,
)

pytestmark = pytest.mark.django_db


def first_option(payload: dict, position: int = 0) -> dict:
    question = payload["questions"][position]
    return {"question": question["id"], "option": question["options"][0]["id"]}


# --- Quizzes: list and detail ----------------------------------------------------------------


def test_list_shows_the_quizzes_the_user_may_see(
    trainee, instructor, hospital, other_hospital, quiz
):
    draft = QuizFactory(institution=hospital, status=PublicationStatus.DRAFT)
    shared = QuizFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    QuizFactory(institution=other_hospital)  # private to the other hospital

    listed = token_client(trainee).get(f"{API}/quizzes/")

    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2  # paginated like the other list APIs
    assert {q["id"] for q in body["results"]} == {quiz.pk, shared.pk}
    by_author = api_for(instructor).get(f"{API}/quizzes/").json()["results"]
    assert {q["id"] for q in by_author} == {quiz.pk, shared.pk, draft.pk}


def test_detail_gives_the_rules_and_the_grade_so_far(trainee, quiz):
    quiz.max_attempts, quiz.time_limit_minutes = 2, 20
    quiz.save()

    data = token_client(trainee).get(f"{API}/quizzes/{quiz.pk}/").json()

    assert data["id"] == quiz.pk
    assert data["title"] == quiz.title
    assert data["pass_mark"] == 60
    assert data["time_limit_minutes"] == 20
    assert data["question_count"] == 3
    assert data["grade"] == {
        "percent": None,
        "passed": False,
        "pending": False,
        "attempts_used": 0,
        "attempts_left": 2,
    }
    assert data["can_start"] is True
    assert data["open_attempt"] is None


def test_invisible_quizzes_are_not_found(trainee, hospital, other_hospital):
    draft = QuizFactory(institution=hospital, status=PublicationStatus.DRAFT)
    private = QuizFactory(institution=other_hospital)
    api = api_for(trainee)

    for hidden in (draft, private):
        assert api.get(f"{API}/quizzes/{hidden.pk}/").status_code == 404
        assert start(api, hidden).status_code == 404
    assert not Attempt.objects.exists()


def test_anonymous_requests_are_refused(trainee, quiz):
    attempt = start(api_for(trainee), quiz).json()
    anonymous = APIClient()
    question = attempt["questions"][0]["id"]
    responses = [
        anonymous.get(f"{API}/quizzes/"),
        anonymous.get(f"{API}/quizzes/{quiz.pk}/"),
        anonymous.post(f"{API}/quizzes/{quiz.pk}/attempts/"),
        anonymous.get(f"{API}/attempts/{attempt['id']}/"),
        put_answer(anonymous, attempt["id"], question, {"response": {"option": 1}}),
        anonymous.post(f"{API}/attempts/{attempt['id']}/answers/{question}/check/"),
        anonymous.post(f"{API}/attempts/{attempt['id']}/submit/"),
    ]
    assert [r.status_code in (401, 403) for r in responses] == [True] * len(responses)
    assert Attempt.objects.get().status == AttemptStatus.IN_PROGRESS
    assert not Answer.objects.exists()


def test_session_clients_need_the_csrf_token(trainee, quiz, settings):
    """The pages' scripts autosave through the session: the CSRF check applies to them."""
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(trainee)
    refused = start(browser, quiz)
    secret = "a" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = secret

    started = browser.post(f"{API}/quizzes/{quiz.pk}/attempts/", HTTP_X_CSRFTOKEN=secret)

    assert refused.status_code == 403
    assert started.status_code == 201
    chosen = first_option(started.json())
    saved = put_answer(
        browser,
        started.json()["id"],
        chosen["question"],
        {"response": {"option": chosen["option"]}},
        HTTP_X_CSRFTOKEN=secret,
    )
    assert saved.status_code == 200


# --- Starting --------------------------------------------------------------------------------


def test_start_makes_an_attempt_then_resumes_it(trainee, quiz, choice_questions):
    api = token_client(trainee)

    first = start(api, quiz)
    again = start(api, quiz)

    assert first.status_code == 201
    assert again.status_code == 200
    payload = first.json()
    assert again.json()["id"] == payload["id"]
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1
    assert payload["status"] == "in_progress"
    assert payload["result"] is None
    assert {q["id"] for q in payload["questions"]} == {q.pk for q in choice_questions}
    assert payload["urls"]["answer"] == f"/api/v1/attempts/{payload['id']}/answers/{{question_id}}/"
    assert payload["urls"]["submit"] == f"/api/v1/attempts/{payload['id']}/submit/"
    summary = api.get(f"{API}/quizzes/{quiz.pk}/").json()
    assert summary["open_attempt"] == payload["id"]


def test_start_is_refused_with_the_reason(trainee, instructor, hospital, quiz):
    api = api_for(trainee)
    quiz.max_attempts = 1
    quiz.save()
    attempt = start(api, quiz).json()
    api.post(f"{API}/attempts/{attempt['id']}/submit/")

    no_attempts_left = start(api, quiz)
    closed = QuizFactory(institution=hospital, closes_at=timezone.now() - timedelta(hours=1))
    not_open = QuizFactory(institution=hospital, opens_at=timezone.now() + timedelta(hours=1))
    draft = QuizFactory(institution=hospital, status=PublicationStatus.DRAFT)

    assert no_attempts_left.status_code == 403
    assert no_attempts_left.json() == {"detail": "You have no attempts left on this quiz."}
    assert start(api, closed).json() == {"detail": "This quiz is closed."}
    assert start(api, closed).status_code == 403
    assert start(api, not_open).status_code == 403
    # An author sees the draft (it is theirs to edit) but nobody takes an unpublished quiz.
    refused = start(api_for(instructor), draft)
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail"}
    assert Attempt.objects.count() == 1


# --- Answers ---------------------------------------------------------------------------------


def test_answers_are_saved_and_read_back(trainee, quiz):
    api = token_client(trainee)
    attempt = start(api, quiz).json()
    chosen = first_option(attempt)

    saved = put_answer(
        api, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}}
    )
    replaced = put_answer(
        api, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}}
    )

    assert saved.status_code == 200
    assert set(saved.json()) == {"saved_at", "question"}
    assert saved.json()["question"] == chosen["question"]
    assert replaced.status_code == 200
    reread = api.get(f"{API}/attempts/{attempt['id']}/").json()
    entry = next(q for q in reread["questions"] if q["id"] == chosen["question"])
    assert entry["answer"]["response"] == {"option": chosen["option"]}
    assert entry["answer"]["checked"] is False
    assert Answer.objects.count() == 1

    cleared = put_answer(api, attempt["id"], chosen["question"], {"response": None})
    assert cleared.status_code == 200
    assert Answer.objects.get().response is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"response": {"option": 999999}}, None),  # not an option of the paper
        ({"response": {"option": 1, "extra": 2}}, None),
        ({"response": "A"}, "response"),
        ({}, "response"),
        ([1, 2], None),
        ({"response": {"option": 1}, "certainty": "total"}, "certainty"),
    ],
)
def test_malformed_answers_are_a_400_with_a_detail(trainee, quiz, body, fragment):
    api = api_for(trainee)
    attempt = start(api, quiz).json()
    question = attempt["questions"][0]["id"]

    response = put_answer(api, attempt["id"], question, body)

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"]
    if fragment:
        assert fragment in response.json()["detail"]
    assert not Answer.objects.exists()


def test_bad_json_and_oversized_bodies_are_refused(trainee, quiz, settings):
    api = api_for(trainee)
    attempt = start(api, quiz).json()
    url = f"{API}/attempts/{attempt['id']}/answers/{attempt['questions'][0]['id']}/"
    json_type = "application/json"

    broken = api.put(url, b'{"response": {"option": ', content_type=json_type)
    nan = api.put(url, b'{"response": {"value": NaN}}', content_type=json_type)
    nested = api.put(
        url, b'{"response": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", content_type=json_type
    )
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    huge = api.put(url, json.dumps({"response": {"text": "x" * 5_000}}), content_type=json_type)

    for response in (broken, nan, nested):
        assert response.status_code == 400, response.content
        assert set(response.json()) == {"detail"}
    assert huge.status_code == 413
    assert set(huge.json()) == {"detail"}
    assert not Answer.objects.exists()


def test_a_question_off_the_paper_is_not_found(trainee, quiz, hospital):
    elsewhere = make_question(QuestionKind.SINGLE, institution=hospital)
    api = api_for(trainee)
    attempt = start(api, quiz).json()

    response = put_answer(api, attempt["id"], elsewhere.pk, {"response": {"option": 1}})

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_other_peoples_attempts_are_not_found(
    trainee, hospital, quiz, instructor, other_instructor
):
    attempt = start(api_for(trainee), quiz).json()
    chosen = first_option(attempt)
    classmate = api_for(TraineeFactory(institution=hospital))
    base = f"{API}/attempts/{attempt['id']}"

    refused = [
        classmate.get(f"{base}/"),
        put_answer(
            classmate, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}}
        ),
        classmate.post(f"{base}/answers/{chosen['question']}/check/"),
        classmate.post(f"{base}/submit/"),
        api_for(other_instructor).get(f"{base}/"),
        api_for(instructor).post(f"{base}/submit/"),  # managers read, never act for a trainee
    ]

    assert [r.status_code for r in refused] == [404] * len(refused)
    assert not Answer.objects.exists()
    assert Attempt.objects.get().status == AttemptStatus.IN_PROGRESS
    # The quiz's instructors may read the attempt.
    read = api_for(instructor).get(f"{base}/")
    assert read.status_code == 200
    assert read.json()["id"] == attempt["id"]


# --- Deadline, submission, checking ----------------------------------------------------------


def test_an_answer_after_the_deadline_is_refused_and_the_old_one_kept(trainee, quiz):
    quiz.time_limit_minutes = 10
    quiz.save()
    api = token_client(trainee)
    attempt = start(api, quiz).json()
    question = attempt["questions"][0]
    first, second = (o["id"] for o in question["options"][:2])
    assert (
        put_answer(api, attempt["id"], question["id"], {"response": {"option": first}}).status_code
        == 200
    )
    Attempt.objects.filter(pk=attempt["id"]).update(deadline=timezone.now() - timedelta(seconds=1))

    late = put_answer(api, attempt["id"], question["id"], {"response": {"option": second}})

    assert late.status_code == 409
    assert set(late.json()) == {"detail"}
    assert "time limit" in late.json()["detail"]
    assert as_sent(attempt["id"], Answer.objects.get().response) == {"option": first}
    # The overdue attempt was submitted on the way, by the deadline.
    stored = Attempt.objects.get(pk=attempt["id"])
    assert stored.status == AttemptStatus.SUBMITTED
    assert stored.submitted_by == "deadline"
    assert api.get(f"{API}/attempts/{attempt['id']}/").json()["status"] == "submitted"


def test_double_submit_makes_one_submission(trainee, quiz):
    api = token_client(trainee)
    attempt = start(api, quiz).json()
    for position in range(len(attempt["questions"])):
        chosen = first_option(attempt, position)
        put_answer(
            api, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}}
        )
    url = f"{API}/attempts/{attempt['id']}/submit/"

    first = api.post(url)
    stored = Attempt.objects.get(pk=attempt["id"])
    second = api.post(url)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "submitted"
    assert first.json()["result"]["max_score"] == 3
    assert Attempt.objects.filter(quiz=quiz, user=trainee).count() == 1
    again = Attempt.objects.get(pk=attempt["id"])
    assert (again.score, again.submitted_at) == (stored.score, stored.submitted_at)
    # After submission answers are closed.
    chosen = first_option(attempt)
    late = put_answer(
        api, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}}
    )
    assert late.status_code == 409


def test_check_shows_one_questions_feedback_under_immediate(trainee, hospital):
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(
        institution=hospital, questions=[question], feedback_policy=FeedbackPolicy.IMMEDIATE
    )
    api = token_client(trainee)
    attempt = start(api, quiz).json()
    base = f"{API}/attempts/{attempt['id']}/answers/{question.pk}"
    put_answer(
        api,
        attempt["id"],
        question.pk,
        {"response": as_sent(attempt["id"], correct_response(question))},
    )

    checked = api.post(f"{base}/check/")
    again = api.post(f"{base}/check/")
    changed = put_answer(
        api,
        attempt["id"],
        question.pk,
        {"response": as_sent(attempt["id"], wrong_response(question))},
    )

    assert checked.status_code == 200
    entry = checked.json()
    assert entry["id"] == question.pk
    assert entry["feedback"]["correct"] is True
    assert SECRETS["explanation"] in entry["feedback"]["explanation_html"]
    assert again.json() == entry
    assert changed.status_code == 409  # a checked answer is final
    assert Answer.objects.get().response == correct_response(question)


def test_check_is_refused_unless_feedback_is_immediate(trainee, quiz):
    api = api_for(trainee)
    attempt = start(api, quiz).json()
    chosen = first_option(attempt)
    put_answer(api, attempt["id"], chosen["question"], {"response": {"option": chosen["option"]}})

    response = api.post(f"{API}/attempts/{attempt['id']}/answers/{chosen['question']}/check/")

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert Answer.objects.get().checked_at is None


# --- Schema ----------------------------------------------------------------------------------


def test_schema_documents_the_quiz_api_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/quizzes/:",
        "/api/v1/quizzes/{id}/:",
        "/api/v1/quizzes/{id}/attempts/:",
        "/api/v1/attempts/{id}/:",
        "/api/v1/attempts/{id}/answers/{question_id}/:",
        "/api/v1/attempts/{id}/answers/{question_id}/check/:",
        "/api/v1/attempts/{id}/submit/:",
    ):
        assert path in schema
