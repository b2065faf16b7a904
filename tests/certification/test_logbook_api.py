"""``/api/v1/logbook/``: listing, creating (identifier warnings), reading and reviewing,
with the refusals an attacker would try."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from certification.models import EntryStatus, LogbookEntry
from tests.cases.factories import ReadyLoopFactory
from tests.certification.factories import LogbookEntryFactory, pending_entry
from tests.factories import TraineeFactory, api_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/logbook/"


def body(**changes):
    return {
        "performed_on": timezone.localdate().isoformat(),
        "exam_type": "ceus_liver",
        "organ": "liver",
        "indication": "Surveillance.",
        "findings": "LR-5 nodule in segment VIII.",
        "impression": "LR-5.",
        **changes,
    }


def test_create_and_read_back(trainee, instructor):
    api = api_for(trainee)
    response = api.post(URL, body(supervisor=instructor.pk), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert data["supervisor"]["id"] == instructor.pk
    assert data["phi_warnings"] == []
    again = api.get(f"{URL}{data['id']}/")
    assert again.status_code == 200
    assert again.json()["findings"] == "LR-5 nodule in segment VIII."


def test_identifier_warnings_need_the_confirm_flag(trainee):
    api = api_for(trainee)
    text = body(indication="Mrs Wang, DOB 1961-03-04")
    response = api.post(URL, text, format="json")
    assert response.status_code == 400
    data = response.json()
    assert "detail" in data
    assert [(w["field"], w["kinds"]) for w in data["phi_warnings"]] == [
        ("indication", ["birth_date", "name"])
    ]
    assert not LogbookEntry.objects.exists()

    response = api.post(URL, {**text, "confirm_no_identifiers": True}, format="json")
    assert response.status_code == 201
    assert response.json()["phi_warnings"][0]["kinds"] == ["birth_date", "name"]


@pytest.mark.parametrize(
    "changes",
    [
        {"performed_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()},
        {"exam_type": "ceus_spleen"},
        {"organ": "<b>liver</b>"},
        {"findings": ""},
        {"loops": ["one"]},
    ],
)
def test_bad_input_is_a_400_with_a_detail(trainee, changes):
    response = api_for(trainee).post(URL, body(**changes), format="json")
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    assert not LogbookEntry.objects.exists()


def test_a_loop_the_trainee_may_not_see_is_refused(trainee, hospital, other_hospital):
    api = api_for(trainee)
    for loop in (
        ReadyLoopFactory(institution=other_hospital),
        ReadyLoopFactory(institution=hospital),
    ):
        response = api.post(URL, body(loops=[loop.pk]), format="json")
        assert response.status_code == 400
        assert "loops" in response.json()["detail"]
    response = api.post(URL, body(loops=[999999]), format="json")
    assert response.status_code == 400
    assert not LogbookEntry.objects.exists()


def test_a_supervisor_from_elsewhere_is_refused(trainee, other_instructor):
    response = api_for(trainee).post(URL, body(supervisor=other_instructor.pk), format="json")
    assert response.status_code == 400


def test_corrections_through_the_api(trainee, hospital):
    old = LogbookEntryFactory(trainee=trainee)
    api = api_for(trainee)
    response = api.post(URL, body(corrects=old.pk), format="json")
    assert response.status_code == 201
    assert response.json()["corrects"] == old.pk
    assert api.post(URL, body(corrects=old.pk), format="json").status_code == 409
    someone_elses = LogbookEntryFactory(trainee=TraineeFactory(institution=hospital))
    assert api.post(URL, body(corrects=someone_elses.pk), format="json").status_code == 404


def test_list_scopes(trainee, instructor, director, other_instructor, hospital):
    mine = pending_entry(trainee)
    approved = LogbookEntryFactory(trainee=trainee)
    classmate = TraineeFactory(institution=hospital)
    theirs = pending_entry(classmate)

    def ids(user, **params):
        response = api_for(user).get(URL, params)
        assert response.status_code == 200
        return sorted(item["id"] for item in response.json()["results"])

    assert ids(trainee) == sorted([mine.pk, approved.pk])
    assert ids(classmate) == [theirs.pk]
    assert ids(instructor, status="pending") == sorted([mine.pk, theirs.pk])
    assert ids(director, status="pending") == sorted([mine.pk, theirs.pk])
    assert ids(other_instructor) == []
    assert api_for(other_instructor).get(f"{URL}{mine.pk}/").status_code == 404
    assert api_for(classmate).get(f"{URL}{mine.pk}/").status_code == 404


def test_review(trainee, instructor, mailoutbox, django_capture_on_commit_callbacks):
    entry = pending_entry(trainee)
    api = api_for(instructor)
    url = f"{URL}{entry.pk}/review/"
    response = api.post(url, {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert "adequacy" in response.json()["detail"]
    assert api.post(url, {"decision": "reject"}, format="json").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            url, {"decision": "approve", "adequacy": "adequate", "comment": "Fine."}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["reviewed_by"]["id"] == instructor.pk
    assert len(mailoutbox) == 1

    again = api.post(url, {"decision": "reject", "comment": "No."}, format="json")
    assert again.status_code == 409


def test_review_rights(trainee, director, other_instructor):
    entry = pending_entry(trainee)
    url = f"{URL}{entry.pk}/review/"
    approve = {"decision": "approve", "adequacy": "good"}
    assert api_for(trainee).post(url, approve, format="json").status_code == 403
    assert api_for(director).post(url, approve, format="json").status_code == 403
    assert api_for(other_instructor).post(url, approve, format="json").status_code == 404
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_anonymous_requests_are_refused(trainee):
    from rest_framework.test import APIClient

    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().post(URL, body(), format="json").status_code in (401, 403)
