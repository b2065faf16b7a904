"""Ids in query strings and bodies: a number past 64 bits, or a digit ``int`` refuses ("²"),
is a 400 with a message on every API route that reads one (they were 500s: OverflowError
from the database driver, ValueError from ``int``)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api import MAX_ID, id_list_param, id_param, parse_id
from tests import factories
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.certification.factories import ProgrammeFactory

HUGE = "99999999999999999999999"
ENTRY = {
    "performed_on": "2024-01-01",
    "exam_type": "ceus_liver",
    "organ": "liver",
    "indication": "Focal lesion.",
    "findings": "APHE.",
    "impression": "LR-5.",
}
QUERIES = [
    "/api/v1/certificates/?programme={bad}",
    "/api/v1/certificates/?holder={bad}",
    "/api/v1/cases/?institution={bad}",
    "/api/v1/logbook/?trainee={bad}",
    "/api/v1/cineloops/{loop}/tic/?roi=ellipse:10,10,5,5&case={bad}",
]
BODIES = [
    ("/api/v1/logbook/", {**ENTRY, "loops": [int(HUGE)]}),
    ("/api/v1/logbook/", {**ENTRY, "supervisor": int(HUGE)}),
    ("/api/v1/cases/", {"title": "t", "organ": "liver", "loops": [{"loop": int(HUGE)}]}),
    ("/api/v1/cases/", {"title": "t", "organ": "liver", "institution": int(HUGE)}),
]


@pytest.fixture
def api(db):
    hospital = factories.InstitutionFactory()
    user = factories.InstructorFactory(institution=hospital)
    loop = ReadyLoopFactory(institution=hospital)
    CaseFactory(institution=hospital, loops=[loop])
    ProgrammeFactory(institution=hospital)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client, loop


@pytest.mark.parametrize("bad", [HUGE, "²"])
@pytest.mark.parametrize("url", QUERIES)
def test_a_malformed_id_in_a_query_is_a_400_with_a_message(api, url, bad):
    client, loop = api
    response = client.get(url.format(bad=bad, loop=loop.pk))

    assert response.status_code == 400, response.content[:200]
    assert "must be" in response.json()["detail"]


@pytest.mark.parametrize(("url", "body"), BODIES)
def test_an_id_past_64_bits_in_a_body_is_a_400_with_a_message(api, url, body):
    client, _ = api
    response = client.post(url, body, format="json")

    assert response.status_code == 400, response.content[:200]
    assert str(MAX_ID) in response.content.decode() or "Unknown" in response.content.decode()


@pytest.mark.parametrize("bad", [HUGE, "²"])
def test_polling_skips_what_is_not_an_id(api, bad):
    client, loop = api
    response = client.get(f"/api/v1/cineloops/?ids={loop.pk},{bad}")

    assert response.status_code == 200, response.content[:200]
    assert [item["id"] for item in response.json()["results"]] == [loop.pk]


def test_a_path_no_api_route_matches_is_a_json_404(api):
    client, _ = api
    response = client.get("/api/v1/attempts/not-a-number/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (" 7 ", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("٣", None),
        ("1e3", None),
        ("", None),
        (None, None),
        (True, None),
        (12, 12),
        (MAX_ID + 1, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


def test_id_params():
    assert id_param({}, "holder") is None
    assert id_param({"holder": "3"}, "holder") == 3
    assert id_list_param({"ids": "1, 2,x,3"}, "ids", limit=3) == [1, 2]
    assert id_list_param({"ids": f"1,{HUGE},²"}, "ids", limit=5) == [1]
