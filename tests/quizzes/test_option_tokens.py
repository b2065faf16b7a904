"""Options are named by per-attempt opaque tokens wherever a trainee sees or sends them: their
database ids sort into an ordering question's key (issue 11)."""

from __future__ import annotations

import itertools
import re

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt, QuestionKind
from quizzes.option_tokens import attempt_tokens
from quizzes.payload import attempt_payload
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from tests.quizzes.api import API, put_answer, start, token_client
from tests.quizzes.factories import OptionFactory, QuizFactory, correct_response, make_question

pytestmark = pytest.mark.django_db

OPTION_KINDS = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
ATTEMPTS = 10


@pytest.fixture
def ordering(hospital):
    """Five steps, created (and so numbered) in their right order."""
    question = make_question(QuestionKind.ORDERING, institution=hospital)
    for order, text in enumerate(["Wash-out", "Bubble clearance"], start=3):
        OptionFactory(question=question, text=text, order=order)
    return question


def _key_ids(question) -> list[int]:
    return list(question.options.order_by("order", "pk").values_list("pk", flat=True))


def _concordance(shown: list[str], key_tokens: list[str]) -> float:
    """Fraction of option pairs whose shown names sort the way the key orders them."""
    pairs = list(itertools.combinations(range(len(key_tokens)), 2))
    rank = {token: i for i, token in enumerate(sorted(shown))}
    agree = sum(rank[key_tokens[i]] < rank[key_tokens[j]] for i, j in pairs)
    return agree / len(pairs)


def test_ordering_names_do_not_sort_into_the_key(ordering, hospital, trainee):
    quiz = QuizFactory(institution=hospital, questions=[ordering])
    key = _key_ids(ordering)
    concordances, sorted_to_key, seen = [], 0, set()
    for _ in range(ATTEMPTS):
        attempt = attempt_start(quiz=quiz, user=trainee)
        (entry,) = attempt_payload(attempt, user=trainee)["questions"]
        shown = [o["id"] for o in entry["options"]]
        by_text = {o.pk: o.text for o in ordering.options.all()}
        names = {o["text"]: o["id"] for o in entry["options"]}
        key_names = [names[by_text[pk]] for pk in key]
        concordances.append(_concordance(shown, key_names))
        sorted_to_key += sorted(shown) == key_names
        seen.update(shown)
        attempt_submit(attempt_id=attempt.pk, user=trainee)
    # Ids would agree on every pair of every attempt (1.0); tokens agree about half the time.
    mean = sum(concordances) / len(concordances)
    assert 0.2 < mean < 0.8, concordances
    assert sorted_to_key <= 2
    # A new name on every attempt: nothing to learn from one attempt for the next.
    assert len(seen) == ATTEMPTS * len(key)


def _option_refs(value) -> list:
    """Every option reference in a response or key: {option}, {options: []}, {order: []}."""
    value = value or {}
    return (
        [value["option"]] if "option" in value else [*value.get("options", value.get("order", []))]
    )


def _option_values(html: str) -> list[str]:
    """Every value an option control or ordering item carries in the page."""
    return re.findall(r'(?:data-option|name="q\d+" value)="([^"]*)"', html)


@pytest.mark.parametrize("kind", [*OPTION_KINDS, QuestionKind.ORDERING])
def test_no_option_id_in_the_payload_or_the_pages(client, hospital, trainee, kind):
    question = make_question(kind, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[question])
    attempt = attempt_start(quiz=quiz, user=trainee)
    answer_save(
        attempt=attempt, user=trainee, question_id=question.pk, response=correct_response(question)
    )
    tokens = attempt_tokens(attempt)
    client.force_login(trainee)
    take = client.get(reverse("quizzes:take", args=[attempt.pk])).content.decode()
    (open_entry,) = attempt_payload(attempt, user=trainee)["questions"]
    attempt = attempt_submit(attempt_id=attempt.pk, user=trainee)
    (entry,) = attempt_payload(attempt, user=trainee)["questions"]
    review = client.get(reverse("quizzes:review", args=[attempt.pk]))

    names = set(tokens.values())
    assert len(names) == question.options.count()
    assert not names & {str(pk) for pk in tokens}
    assert {o["id"] for o in open_entry["options"]} == names
    assert set(_option_values(take)) == names
    assert set(_option_refs(open_entry["answer"]["response"])) <= names
    assert set(_option_refs(entry["answer"]["response"])) <= names
    assert set(_option_refs(entry["feedback"]["key"])) <= names
    assert set(entry["feedback"]["option_feedback"]) <= names
    # The review still tells which option was chosen and which is right.
    assert entry["feedback"]["correct"] is True
    assert review.status_code == 200
    if kind != QuestionKind.ORDERING:
        (view,) = [q["view"] for q in review.context["questions"]]
        assert any(o["chosen"] and o["correct"] for o in view["options"])
    else:
        (view,) = [q["view"] for q in review.context["questions"]]
        assert view["your_order"] == view["key_order"] != []


def test_the_page_names_options_by_token(client, ordering, hospital, trainee):
    quiz = QuizFactory(institution=hospital, questions=[ordering])
    attempt = attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    html = client.get(reverse("quizzes:take", args=[attempt.pk])).content.decode()
    tokens = attempt_tokens(attempt)
    assert sorted(_option_values(html)) == sorted(tokens.values())


def test_answering_by_token_scores_right_and_stores_ids(ordering, hospital, trainee):
    quiz = QuizFactory(institution=hospital, questions=[ordering])
    api = token_client(trainee)
    attempt = start(api, quiz).json()
    (entry,) = attempt["questions"]
    names = {o["text"]: o["id"] for o in entry["options"]}
    key = [names[o.text] for o in ordering.options.order_by("order", "pk")]

    saved = put_answer(api, attempt["id"], ordering.pk, {"response": {"order": key}})
    submitted = api.post(f"{API}/attempts/{attempt['id']}/submit/").json()

    assert saved.status_code == 200, saved.content
    assert submitted["result"]["percent"] == 100
    assert submitted["questions"][0]["feedback"]["key"]["order"] == key
    assert Answer.objects.get().response == {"order": _key_ids(ordering)}


def test_a_token_of_another_attempt_or_a_raw_id_is_refused(hospital, trainee):
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[question])
    other = QuizFactory(institution=hospital, questions=[question])
    api = token_client(trainee)
    elsewhere = start(api, other).json()["questions"][0]["options"][0]["id"]
    attempt = start(api, quiz).json()
    right = next(o.pk for o in question.options.all() if o.is_correct)

    for sent in (elsewhere, right, str(right)):
        response = put_answer(api, attempt["id"], question.pk, {"response": {"option": sent}})
        assert response.status_code == 400, sent
        assert "not part of this attempt" in response.json()["detail"]
    assert not Answer.objects.filter(attempt_id=attempt["id"]).exists()


def test_answers_stored_as_ids_before_tokens_still_show_and_score(hospital, trainee):
    question = make_question(QuestionKind.MULTIPLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[question])
    attempt = attempt_start(quiz=quiz, user=trainee)
    # An answer as stored before tokens: option ids, written straight to the row.
    Answer.objects.create(attempt=attempt, question=question, response=correct_response(question))
    tokens = attempt_tokens(attempt)

    (entry,) = attempt_payload(attempt, user=trainee)["questions"]
    assert entry["answer"]["response"] == {
        "options": [tokens[pk] for pk in correct_response(question)["options"]]
    }
    submitted = attempt_submit(attempt_id=attempt.pk, user=trainee)
    assert submitted.percent == 100
    assert Attempt.objects.get(pk=attempt.pk).percent == 100
