"""Practice answers given offline: scored by the server as an attempt of the quiz, on the paper
the trainee saw, once per id the device gave them — a resend never scores twice; an exam is
never taken offline; an attempt open online is not overwritten."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from offline.models import OfflinePaper, OfflineSubmission
from offline.papers import paper_for, paper_payload, paper_tokens, submission_receive
from quizzes.models import Attempt, AttemptStatus, QuizKind
from quizzes.option_tokens import option_token
from quizzes.services.attempts import attempt_start, attempt_submit
from tests.factories import TraineeFactory, api_for
from tests.quizzes.factories import correct_response, wrong_response

pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/offline/submissions/"


def as_sent(paper: OfflinePaper, question, response: dict) -> dict:
    """An answer as the offline page sends it: options named by the paper's tokens."""
    tokens = paper_tokens(paper)
    named = dict(response)
    if "option" in named:
        named["option"] = tokens[named["option"]]
    if "options" in named:
        named["options"] = [tokens[o] for o in named["options"]]
    return {"question": question.pk, "response": named, "certainty": ""}


def body(paper, answers, client_id=None) -> dict:
    return {"id": str(client_id or uuid.uuid4()), "paper": str(paper.pk), "answers": answers}


def test_answers_given_offline_are_scored_as_an_attempt_on_that_paper(trainee, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    answers = [as_sent(paper, q, correct_response(q)) for q in (study.single, study.hotspot)]

    response = api_for(trainee).post(SUBMIT, body(paper, answers), format="json")

    assert response.status_code == 201, response.json()
    result = response.json()
    attempt = Attempt.objects.get(pk=result["attempt"])
    assert attempt.user == trainee and attempt.quiz == study.practice
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.paper == paper.paper and attempt.seed == paper.seed
    assert (attempt.percent, attempt.passed) == (100, True)
    assert result["percent"] == 100 and result["passed"] is True
    assert result["review_url"] == reverse("quizzes:review", kwargs={"pk": attempt.pk})
    assert result["skipped"] == []
    paper.refresh_from_db()
    assert paper.used_at is not None
    # the next save hands out a new paper
    assert paper_for(user=trainee, quiz=study.practice).pk != paper.pk


def test_a_resend_of_the_same_answers_scores_once(trainee, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    client_id = uuid.uuid4()
    answers = [as_sent(paper, study.single, correct_response(study.single))]
    client = api_for(trainee)

    first = client.post(SUBMIT, body(paper, answers, client_id), format="json")
    # the response was lost; the device sends again, this time with other answers even
    wrong = [as_sent(paper, study.single, wrong_response(study.single))]
    second = client.post(SUBMIT, body(paper, wrong, client_id), format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Attempt.objects.filter(quiz=study.practice, user=trainee).count() == 1
    assert OfflineSubmission.objects.filter(user=trainee).count() == 1


def test_the_same_paper_answered_twice_offline_makes_two_attempts(trainee, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    client = api_for(trainee)
    for response in (correct_response(study.single), wrong_response(study.single)):
        sent = client.post(
            SUBMIT, body(paper, [as_sent(paper, study.single, response)]), format="json"
        )
        assert sent.status_code == 201
    percents = sorted(Attempt.objects.filter(user=trainee).values_list("percent", flat=True))
    assert percents == [0, 50]


def test_an_option_not_of_this_paper_is_left_out_not_scored(trainee, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    right = correct_response(study.single)["option"]
    # a raw option id, and an attempt's token for the right option: neither names it here
    answers = [
        {"question": study.single.pk, "response": {"option": option_token(1, right)}},
        {"question": study.hotspot.pk, "response": {"x": "not a number"}},
    ]

    response = api_for(trainee).post(SUBMIT, body(paper, answers), format="json")

    assert response.status_code == 201
    assert sorted(response.json()["skipped"]) == sorted([study.single.pk, study.hotspot.pk])
    assert response.json()["percent"] == 0


def test_another_trainees_paper_is_not_found(trainee, hospital, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    other = TraineeFactory(institution=hospital)

    response = api_for(other).post(SUBMIT, body(paper, []), format="json")

    assert response.status_code == 404
    assert not Attempt.objects.exists()


def test_a_quiz_that_became_an_exam_is_not_taken_offline(trainee, study):
    paper = paper_for(user=trainee, quiz=study.practice)
    study.practice.kind = QuizKind.EXAM
    study.practice.save()

    response = api_for(trainee).post(SUBMIT, body(paper, []), format="json")

    assert response.status_code == 403
    assert "Exams need a connection" in response.json()["detail"]
    assert not Attempt.objects.exists() and not OfflineSubmission.objects.exists()


def test_an_attempt_open_online_holds_the_answers_until_it_is_submitted(trainee, study, now):
    online = attempt_start(quiz=study.practice, user=trainee, now=now)
    paper = paper_for(user=trainee, quiz=study.practice)
    sent = body(paper, [as_sent(paper, study.single, correct_response(study.single))])
    client = api_for(trainee)

    held = client.post(SUBMIT, sent, format="json")

    assert held.status_code == 409
    assert "in progress" in held.json()["detail"]
    online.refresh_from_db()
    assert online.is_open and not online.answers.exists()
    assert not OfflineSubmission.objects.exists()

    attempt_submit(attempt_id=online.pk, user=trainee, now=now)
    again = client.post(SUBMIT, sent, format="json")

    assert again.status_code == 201
    assert again.json()["attempt"] != online.pk and again.json()["percent"] == 50


def test_a_paper_is_handed_out_once_until_it_is_answered(trainee, study):
    first = paper_for(user=trainee, quiz=study.practice)

    assert paper_for(user=trainee, quiz=study.practice).pk == first.pk
    assert OfflinePaper.objects.count() == 1


def test_the_offline_paper_shows_no_key(trainee, study):
    from tests.quizzes.factories import ELLIPSE_KEY, SECRETS

    paper = paper_for(user=trainee, quiz=study.practice)
    payload = paper_payload(paper)

    for secret in SECRETS.values():
        assert secret not in str(payload)
    assert str(ELLIPSE_KEY["cx"]) not in str(payload)
    assert all(q["answer"] is None and q["feedback"] is None for q in payload["questions"])
    # options are named by the paper's tokens, never by their ids (which sort into the key)
    shown = [o["id"] for q in payload["questions"] for o in q["options"]]
    assert shown and set(shown) <= set(paper_tokens(paper).values())
    assert all(isinstance(name, str) and len(name) == 16 for name in shown)


def test_receiving_directly_is_idempotent_too(trainee, study, now):
    paper = paper_for(user=trainee, quiz=study.practice)
    client_id = uuid.uuid4()

    first, new = submission_receive(
        user=trainee, client_id=client_id, paper_id=paper.pk, answers=[], now=now
    )
    again, new_again = submission_receive(
        user=trainee, client_id=client_id, paper_id=paper.pk, answers=[], now=now
    )

    assert (new, new_again) == (True, False)
    assert again.pk == first.pk and again.attempt_id == first.attempt_id


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="concurrent resends need concurrent connections: PostgreSQL only "
    "(DATABASE_URL=postgres://…); SQLite serialises writers anyway",
)
@pytest.mark.django_db(transaction=True)
def test_resends_arriving_together_score_once(trainee, study, now):
    paper = paper_for(user=trainee, quiz=study.practice)
    client_id = uuid.uuid4()
    answers = [as_sent(paper, study.single, correct_response(study.single))]
    barrier = threading.Barrier(6)
    results, errors = [], []

    def send() -> None:
        try:
            barrier.wait()
            submission, _new = submission_receive(
                user=trainee, client_id=client_id, paper_id=paper.pk, answers=answers, now=now
            )
            results.append(submission.attempt_id)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert len(results) == 6 and len(set(results)) == 1
    assert Attempt.objects.filter(quiz=study.practice, user=trainee).count() == 1
    assert Attempt.objects.get().percent == 50
