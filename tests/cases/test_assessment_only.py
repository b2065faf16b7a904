"""A case "for assessment only" (``Case.assessment_only``, ``cases.access``): never listed to
trainees, its page and API refused to them with a message, its loops only through the quizzes
that use them; its authors and reviewers still list and open it."""

from __future__ import annotations

import pytest

from cases.models import Annotation
from cases.services.authoring import case_update
from quizzes.models import QuestionKind
from tests.factories import DirectorFactory, api_for
from tests.quizzes.factories import QuizFactory, make_question

pytestmark = pytest.mark.django_db

MESSAGE = "used for assessment only"


@pytest.fixture
def exam_case(case, loop, instructor):
    case.title, case.final_diagnosis = "ASSESSMENT-CASE", "Hidden haemangioma"
    case.save()
    case_update(case=case, by=instructor, assessment_only=True)
    Annotation.objects.create(
        case=case, loop=loop, kind="ellipse", geometry={"cx": 151.5, "cy": 117.25, "rx": 3, "ry": 2}
    )
    case.refresh_from_db()
    assert case.assessment_only
    return case


def test_trainees_never_list_it(client, exam_case, trainee):
    client.force_login(trainee)
    for query in ({}, {"q": "ASSESSMENT"}, {"q": "haemangioma"}):
        assert "ASSESSMENT-CASE" not in client.get("/cases/", query).content.decode(), query
        listed = api_for(trainee).get("/api/v1/cases/", query).json()
        assert listed["count"] == 0, query


def test_trainees_are_refused_its_page_and_api_with_a_message(client, exam_case, trainee):
    client.force_login(trainee)
    page = client.get(exam_case.get_absolute_url())
    assert page.status_code == 403 and MESSAGE in page.content.decode()
    assert "Hidden haemangioma" not in page.content.decode()
    api = api_for(trainee)
    for url in (f"/api/v1/cases/{exam_case.pk}/", f"/api/v1/cases/{exam_case.pk}/annotations/"):
        response = api.get(url)
        assert response.status_code == 403 and MESSAGE in response.json()["detail"], url
        assert "151.5" not in response.content.decode()


def test_its_loops_reach_trainees_only_through_a_quiz(exam_case, loop, trainee, hospital):
    api = api_for(trainee)
    assert api.get(f"/api/v1/cineloops/{loop.pk}/").status_code == 404
    question = make_question(QuestionKind.HOTSPOT, institution=hospital, case=exam_case, loop=loop)
    QuizFactory(institution=hospital, questions=[question])
    assert api.get(f"/api/v1/cineloops/{loop.pk}/").status_code == 200
    # Playable, but what is drawn on it stays closed: its case is not readable.
    roi = exam_case.annotations.get().pk
    assert api.get(f"/api/v1/cineloops/{loop.pk}/tic/", {"roi": roi}).status_code == 404


def test_authors_and_reviewers_still_see_it(client, exam_case, instructor, hospital):
    client.force_login(instructor)
    assert "ASSESSMENT-CASE" in client.get("/cases/").content.decode()
    assert client.get(exam_case.get_absolute_url()).status_code == 200
    director = DirectorFactory(institution=hospital)  # reviews the institution's cases
    assert api_for(director).get(f"/api/v1/cases/{exam_case.pk}/").status_code == 200


def test_the_case_form_sets_it(client, case, instructor):
    client.force_login(instructor)
    form = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'name="assessment_only"' in form
    response = api_for(instructor).patch(
        f"/api/v1/cases/{case.pk}/", {"assessment_only": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["assessment_only"] is True
