"""Who sees whose quiz results (issue 11): a trainee's own institution's staff see their answers
and attempts; the institution that owns a network quiz sees only aggregates of other
institutions' trainees; site admins see everything. Pinned across three institutions and every
role, on the pages, the CSV export, item analysis, the grading queue and the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.scoping import Visibility
from quizzes.models import QuestionKind
from quizzes.services.attempts import answer_save, attempt_start, attempt_submit
from quizzes.services.errors import NotAllowed
from quizzes.services.grading import answer_grade, grading_queue
from tests.factories import (
    DirectorFactory,
    InstitutionFactory,
    InstructorFactory,
    SiteAdminFactory,
    TraineeFactory,
)
from tests.quizzes.api import API, token_client
from tests.quizzes.factories import QuizFactory, correct_response, make_question

pytestmark = pytest.mark.django_db

INSTITUTIONS = ("owner", "county", "township")
FREE_TEXT = "The arterial phase shows rim enhancement."


@pytest.fixture
def network():
    """A network quiz of ``owner`` (a choice question and a free-text one), taken by one trainee
    of each of three institutions; staff of each role everywhere."""
    places = {name: InstitutionFactory(name=f"{name.title()} Hospital") for name in INSTITUTIONS}
    choice = make_question(QuestionKind.SINGLE, institution=places["owner"], visibility="network")
    text = make_question(QuestionKind.FREE_TEXT, institution=places["owner"], visibility="network")
    quiz = QuizFactory(
        institution=places["owner"], visibility=Visibility.NETWORK, questions=[choice, text]
    )
    people = {"admin": SiteAdminFactory()}
    for name, place in places.items():
        people[f"{name}-trainee"] = TraineeFactory(institution=place, username=f"{name}-trainee")
        people[f"{name}-instructor"] = InstructorFactory(institution=place)
        people[f"{name}-director"] = DirectorFactory(institution=place)
    attempts = {}
    for name in INSTITUTIONS:
        user = people[f"{name}-trainee"]
        attempt = attempt_start(quiz=quiz, user=user)
        answer_save(
            attempt=attempt, user=user, question_id=choice.pk, response=correct_response(choice)
        )
        answer_save(attempt=attempt, user=user, question_id=text.pk, response={"text": FREE_TEXT})
        attempts[name] = attempt_submit(attempt_id=attempt.pk, user=user)
    return quiz, people, attempts


def _viewer_cases():
    """(viewer, trainees whose answers they see, sees every attempt in aggregate)."""
    for name in INSTITUTIONS:
        for role in ("instructor", "director"):
            yield f"{name}-{role}", {name}, name == "owner"
    yield "admin", set(INSTITUTIONS), True


@pytest.mark.parametrize(("viewer", "sees", "all_counted"), list(_viewer_cases()))
def test_pages_csv_and_api_follow_the_rule(client, network, viewer, sees, all_counted):
    quiz, people, attempts = network
    user = people[viewer]
    client.force_login(user)
    results = client.get(reverse("quizzes:results", args=[quiz.pk]))
    assert results.status_code == 200
    html = results.content.decode()
    shown = {row["result"].user.username for row in results.context["rows"]}
    assert shown == {f"{name}-trainee" for name in sees}
    aggregate = results.context["aggregate"]
    assert aggregate.trainees == (3 if all_counted else len(sees))
    assert aggregate.other_trainees == aggregate.trainees - len(sees)

    csv_text = client.get(reverse("quizzes:results_csv", args=[quiz.pk])).content.decode()
    analysis = client.get(reverse("quizzes:analysis", args=[quiz.pk]))
    assert analysis.context["attempt_count"] == (3 if all_counted else len(sees))
    api = token_client(user)
    for name in INSTITUTIONS:
        trainee = people[f"{name}-trainee"]
        page = client.get(reverse("quizzes:trainee", args=[quiz.pk, trainee.pk]))
        read = api.get(f"{API}/attempts/{attempts[name].pk}/")
        if name in sees:
            assert page.status_code == 200 and FREE_TEXT in page.content.decode()
            assert read.status_code == 200 and FREE_TEXT in read.content.decode()
            assert trainee.username in csv_text
        else:
            # Neither the name nor the answers of another institution's trainee.
            assert page.status_code == 404 and read.status_code == 404
            assert trainee.username not in csv_text and trainee.username not in html
            assert FREE_TEXT not in read.content.decode()


@pytest.mark.parametrize("viewer", [f"{name}-trainee" for name in INSTITUTIONS])
def test_trainees_see_no_results_pages(client, network, viewer):
    quiz, people, attempts = network
    client.force_login(people[viewer])
    for name in ("results", "results_csv", "analysis"):
        assert client.get(reverse(f"quizzes:{name}", args=[quiz.pk])).status_code == 403
    other = people["county-trainee" if viewer != "county-trainee" else "owner-trainee"]
    assert client.get(reverse("quizzes:trainee", args=[quiz.pk, other.pk])).status_code == 403
    other_attempt = next(a for a in attempts.values() if a.user_id != people[viewer].pk)
    assert (
        token_client(people[viewer]).get(f"{API}/attempts/{other_attempt.pk}/").status_code == 404
    )


def test_free_text_is_graded_by_the_trainees_own_instructors(client, network):
    _quiz, people, attempts = network
    county = attempts["county"].answers.get(question__kind=QuestionKind.FREE_TEXT)
    queued = {
        viewer: {a.attempt.user.username for a in grading_queue(people[viewer])}
        for viewer in people
    }
    assert queued["county-instructor"] == {"county-trainee"}
    assert queued["owner-instructor"] == {"owner-trainee"}
    assert queued["admin"] == {f"{name}-trainee" for name in INSTITUTIONS}
    assert queued["county-director"] == set()  # directors read, they do not grade

    for grader in ("owner-instructor", "township-instructor", "county-director"):
        with pytest.raises(NotAllowed):
            answer_grade(answer=county, by=people[grader], credit=1)
        client.force_login(people[grader])
        assert client.get(reverse("quizzes:grade", args=[county.pk])).status_code in (403, 404)
    graded = answer_grade(answer=county, by=people["county-instructor"], credit=1)
    assert graded.graded_by == people["county-instructor"]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_trainee_page_with_several_attempts(client, instructor, hospital, count):
    """Was a 500 (MultipleObjectsReturned) from the second attempt on."""
    question = make_question(QuestionKind.SINGLE, institution=hospital)
    quiz = QuizFactory(institution=hospital, questions=[question])
    trainee = TraineeFactory(institution=hospital)
    for _ in range(count):
        attempt = attempt_start(quiz=quiz, user=trainee)
        attempt_submit(attempt_id=attempt.pk, user=trainee)
    client.force_login(instructor)
    response = client.get(reverse("quizzes:trainee", args=[quiz.pk, trainee.pk]))
    assert response.status_code == 200
    assert response.context["trainee"] == trainee
    assert [s["attempt"].number for s in response.context["attempts"]] == list(range(1, count + 1))
