"""GET /api/v1/programmes/ and /api/v1/programmes/{id}/progress/ (own, or the cohort)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.scoping import PublicationStatus
from tests.certification.factories import (
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
)
from tests.courses.factories import CohortFactory
from tests.factories import DirectorFactory, TraineeFactory, api_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/programmes/"


def progress_url(programme) -> str:
    return f"/api/v1/programmes/{programme.pk}/progress/"


@pytest.fixture
def scans(version):
    return RequirementFactory(version=version, kind="scans", count=2, title="Liver scans")


def test_anonymous_requests_are_refused(programme):
    from rest_framework.test import APIClient

    assert APIClient().get(LIST).status_code in (401, 403)


def test_the_list_shows_visible_published_programmes_and_drafts_to_managers(
    trainee, director, hospital, programme, scans
):
    draft = ProgrammeFactory(institution=hospital, status=PublicationStatus.DRAFT)
    body = api_for(trainee).get(LIST).json()
    assert [p["id"] for p in body["results"]] == [programme.pk]
    listed = body["results"][0]
    assert listed["version"]["number"] == 1
    assert listed["version"]["requirements"][0]["title"] == "Liver scans"
    assert listed["manages"] is False
    ids = {p["id"]: p for p in api_for(director).get(LIST).json()["results"]}
    assert set(ids) == {programme.pk, draft.pk}
    assert ids[draft.pk]["version"] is None and ids[draft.pk]["manages"] is True


def test_a_trainee_gets_their_own_progress(trainee, hospital, programme, scans):
    LogbookEntryFactory(trainee=trainee)
    TraineeFactory(institution=hospital)
    body = api_for(trainee).get(progress_url(programme)).json()
    assert body["scope"] == "own" and body["version"] == 1
    [mine] = body["results"]
    assert mine["user"]["id"] == trainee.pk
    assert mine["percent"] == 50 and mine["met"] is False
    [req] = mine["requirements"]
    assert (req["requirement"], req["done"], req["needed"], req["met"]) == (scans.pk, 1, 2, False)
    assert req["left"]


def test_a_director_gets_the_cohort_sorted_and_filtered(director, hospital, programme, scans):
    a = TraineeFactory(institution=hospital, username="a")
    b = TraineeFactory(institution=hospital, username="b")
    LogbookEntryFactory(trainee=b)
    cohort = CohortFactory(institution=hospital)
    cohort.members.add(a)
    client = api_for(director)
    body = client.get(progress_url(programme)).json()
    assert body["scope"] == "cohort"
    assert [r["user"]["username"] for r in body["results"]] == ["b", "a"]
    body = client.get(progress_url(programme), {"cohort": cohort.pk}).json()
    assert [r["user"]["username"] for r in body["results"]] == ["a"]
    assert client.get(progress_url(programme), {"cohort": "999999"}).status_code == 400
    assert client.get(progress_url(programme), {"institution": "x"}).status_code == 400


def test_cohort_progress_queries_do_not_grow_with_the_cohort(director, hospital, programme, scans):
    client = api_for(director)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(progress_url(programme)).status_code == 200
        return len(queries)

    for _ in range(3):
        LogbookEntryFactory(trainee=TraineeFactory(institution=hospital))
    few = count()
    for _ in range(12):
        LogbookEntryFactory(trainee=TraineeFactory(institution=hospital))
    assert count() == few


def test_other_hospitals_private_programmes_are_404(trainee, other_hospital):
    theirs = ProgrammeFactory(institution=other_hospital)
    VersionFactory(programme=theirs)
    assert api_for(trainee).get(progress_url(theirs)).status_code == 404
    other_director = DirectorFactory(institution=other_hospital)
    assert api_for(other_director).get(progress_url(theirs)).json()["scope"] == "cohort"
