"""Every consultation API operation, as every role of three hospitals: the county hospital
that asks (A), the expert centre asked (B), another county hospital (C), and a site admin.

A's staff see A's consults; B's instructors and director see those sent to B (its trainees
do not); C sees nothing of them (404, as for a consult that does not exist); site admins read
all and act on nothing clinical. The local reference reaches A's staff only — never B, C or a
site admin, in any payload.
"""

from __future__ import annotations

import pytest

from consults import services
from consults.models import Consultation, ConsultStatus
from tests.consults.factories import ANSWER, LOCAL_REFERENCE, READING, answered, network, submit
from tests.factories import api_for

pytestmark = pytest.mark.django_db

ROLES = [
    "county_trainee",
    "county_instructor",
    "county_director",
    "centre_trainee",
    "expert",
    "second_expert",
    "centre_director",
    "other_trainee",
    "other_instructor",
    "other_director",
    "site_admin",
]
REQUESTING = {"county_trainee", "county_instructor", "county_director"}
CENTRE_READERS = {"expert", "second_expert", "centre_director"}
READERS = REQUESTING | CENTRE_READERS | {"site_admin"}


def _reads(role: str) -> int:
    return 200 if role in READERS else 404


@pytest.fixture
def net():
    return network()


def _body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_a_consult_to_its_two_sides_only(net, role):
    consult = submit(net)
    response = api_for(net[role]).get("/api/v1/consults/")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == ([consult.pk] if role in READERS else [])
    if role not in REQUESTING:
        assert LOCAL_REFERENCE not in _body(response)


@pytest.mark.parametrize("role", ROLES)
def test_detail_and_the_local_reference(net, role):
    consult = submit(net)
    response = api_for(net[role]).get(f"/api/v1/consults/{consult.pk}/")
    assert response.status_code == _reads(role)
    if role in REQUESTING:
        assert response.json()["local_reference"] == LOCAL_REFERENCE
    else:
        assert LOCAL_REFERENCE not in _body(response)
        if response.status_code == 200:
            assert "local_reference" not in response.json()


def _create_body(net) -> dict:
    return {
        "target": net.centre.pk,
        "organ": "liver",
        "urgency": "urgent",
        "clinical_question": "New nodule in a cirrhotic liver.",
        "loops": [loop.pk for loop in net.loops],
        "local_reference": LOCAL_REFERENCE,
        "requester_reading": {
            "findings": {"arterial": {"enhancement": "hyper", "pattern": "non_rim"}},
            "category": READING["category"],
            "impression": READING["impression"],
        },
    }


# Anyone of a hospital may ask a centre — with their own hospital's loops. The loops here are
# A's: C's staff are refused them (400); B asking itself is refused (400); admins belong to no
# hospital (403).
CREATE = {
    **dict.fromkeys(REQUESTING, 201),
    **dict.fromkeys(["centre_trainee", "expert", "second_expert", "centre_director"], 400),
    **dict.fromkeys(["other_trainee", "other_instructor", "other_director"], 400),
    "site_admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_create(net, role):
    response = api_for(net[role]).post("/api/v1/consults/", _create_body(net), format="json")
    assert response.status_code == CREATE[role], response.content
    if response.status_code == 201:
        data = response.json()
        assert (data["status"], data["urgency"], data["answer"]) == ("submitted", "urgent", None)
        assert data["requester_reading"]["category"] == READING["category"]
        assert data["requester_reading"]["findings"]["arterial"]["pattern"] == "non_rim"
        assert [loop["id"] for loop in data["loops"]] == [loop.pk for loop in net.loops]
        assert data["local_reference"] == LOCAL_REFERENCE
    else:
        assert not Consultation.objects.exists()


def test_create_with_an_identifier_needs_confirmation(net):
    client = api_for(net["county_trainee"])
    body = {**_create_body(net), "clinical_question": "Patient: Zhang Wei, 60 years old."}
    refused = client.post("/api/v1/consults/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["phi_warnings"][0]["field"] == "clinical_question"
    confirmed = client.post(
        "/api/v1/consults/", {**body, "confirm_no_identifiers": True}, format="json"
    )
    assert confirmed.status_code == 201


# Claim: experts of the centre; the rest who read it are refused (403), the others do not
# see it (404).
CLAIM = {
    **{role: 403 for role in READERS},
    **{role: 404 for role in set(ROLES) - READERS},
    "expert": 200,
    "second_expert": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_claim(net, role):
    consult = submit(net)
    response = api_for(net[role]).post(f"/api/v1/consults/{consult.pk}/claim/")
    assert response.status_code == CLAIM[role], response.content
    expected = ConsultStatus.CLAIMED if CLAIM[role] == 200 else ConsultStatus.SUBMITTED
    assert Consultation.objects.get(pk=consult.pk).status == expected
    if response.status_code == 200:
        assert response.json()["claimed_by"]["id"] == net[role].pk
        assert LOCAL_REFERENCE not in _body(response)


def test_a_second_claim_is_a_conflict_naming_the_claimer(net):
    consult = submit(net)
    assert api_for(net["expert"]).post(f"/api/v1/consults/{consult.pk}/claim/").status_code == 200
    second = api_for(net["second_expert"]).post(f"/api/v1/consults/{consult.pk}/claim/")
    assert second.status_code == 409
    assert net["expert"].username in second.json()["detail"]


ANSWER_BODY = {
    "findings": {
        "arterial": {"enhancement": "hyper", "pattern": "non_rim"},
        "portal_venous": {"enhancement": "iso"},
        "late": {"enhancement": "hypo"},
        "washout_onset_s": 80,
        "washout_degree": "mild",
    },
    "category": "LR-5",
    "diagnosis": ANSWER["diagnosis"],
    "certainty": "almost_certain",
    "recommendation": ANSWER["recommendation"],
    "report": ANSWER["report"],
}
# Only the claimer (``expert``) answers.
ANSWER_STATUS = {**CLAIM, "expert": 200, "second_expert": 403}


@pytest.mark.parametrize("role", ROLES)
def test_answer(net, role):
    consult = submit(net)
    services.consult_claim(consult=consult, by=net["expert"])
    response = api_for(net[role]).post(
        f"/api/v1/consults/{consult.pk}/answer/", ANSWER_BODY, format="json"
    )
    assert response.status_code == ANSWER_STATUS[role], response.content
    if response.status_code == 200:
        answer = response.json()["answer"]
        assert answer["category"] == "LR-5"
        assert answer["findings"]["late"]["enhancement"] == "hypo"
        assert answer["answered_by"]["id"] == net["expert"].pk
        assert response.json()["status"] == "answered"
    else:
        assert Consultation.objects.get(pk=consult.pk).status == ConsultStatus.CLAIMED


@pytest.mark.parametrize("role", ROLES)
def test_read_the_thread(net, role):
    consult = submit(net)
    services.message_post(consult=consult, by=net["county_trainee"], body="Is this enough?")
    response = api_for(net[role]).get(f"/api/v1/consults/{consult.pk}/messages/")
    assert response.status_code == _reads(role)
    if response.status_code == 200:
        (message,) = response.json()
        assert (message["body"], message["side"]) == ("Is this enough?", "requesting")


# The two hospitals' staff who read the consult write in its thread; admins only read.
POST_MESSAGE = {
    **{role: 201 for role in REQUESTING | CENTRE_READERS},
    **{role: 404 for role in set(ROLES) - READERS},
    "site_admin": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_write_in_the_thread(net, role):
    consult = submit(net)
    response = api_for(net[role]).post(
        f"/api/v1/consults/{consult.pk}/messages/", {"body": "A question."}, format="json"
    )
    assert response.status_code == POST_MESSAGE[role], response.content
    assert consult.messages.count() == (1 if response.status_code == 201 else 0)


@pytest.mark.parametrize("role", ROLES)
def test_read_the_drawings(net, role):
    consult = submit(net)
    response = api_for(net[role]).get(f"/api/v1/consults/{consult.pk}/annotations/")
    assert response.status_code == _reads(role)


DRAW = {**ANSWER_STATUS}  # the claimer only, as for the answer


@pytest.mark.parametrize("role", ROLES)
def test_draw(net, role):
    consult = submit(net)
    services.consult_claim(consult=consult, by=net["expert"])
    loop = net.loops[0]
    body = {
        "annotations": [
            {
                "loop": loop.pk,
                "kind": "ellipse",
                "roi_role": "lesion",
                "label": "Lesion",
                "geometry": {"cx": 100, "cy": 100, "rx": 10, "ry": 10},
            }
        ],
        "phase_markers": [{"loop": loop.pk, "kind": "peak", "time_s": 20}],
    }
    response = api_for(net[role]).put(
        f"/api/v1/consults/{consult.pk}/annotations/", body, format="json"
    )
    assert response.status_code == DRAW[role], response.content
    assert consult.annotations.count() == (1 if response.status_code == 200 else 0)


# An expert of the centre, or an instructor of the requesting hospital.
TEACHING = {
    **{role: 403 for role in READERS},
    **{role: 404 for role in set(ROLES) - READERS},
    "expert": 201,
    "second_expert": 201,
    "county_instructor": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_teaching_case(net, role):
    consult = answered(net)
    services.consent_record(consult=consult, by=net["county_trainee"])
    response = api_for(net[role]).post(f"/api/v1/consults/{consult.pk}/teaching-case/")
    assert response.status_code == TEACHING[role], response.content
    consult.refresh_from_db()
    if response.status_code == 201:
        assert response.json()["case"] == consult.teaching_case_id
        assert consult.teaching_case.institution_id == net[role].institution_id
        again = api_for(net[role]).post(f"/api/v1/consults/{consult.pk}/teaching-case/")
        assert again.status_code == 409
    else:
        assert consult.teaching_case_id is None


def test_no_teaching_case_without_consent(net):
    consult = answered(net)
    response = api_for(net["expert"]).post(f"/api/v1/consults/{consult.pk}/teaching-case/")
    assert response.status_code == 409
    assert "consent" in response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_inbox_lists_the_scanners_loops_to_their_hospital_only(net, role):
    response = api_for(net[role]).get("/api/v1/inbox/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == ({loop.pk for loop in net.loops} if role in REQUESTING else set())


def test_a_loop_leaves_the_inbox_once_in_a_consult(net):
    submit(net, loops=net.loops[:1])
    response = api_for(net["county_trainee"]).get("/api/v1/inbox/")
    assert [row["id"] for row in response.json()["results"]] == [net.loops[1].pk]


@pytest.mark.parametrize("role", ROLES)
def test_a_consults_loops_are_seen_by_its_two_sides_only(net, role):
    from cineloops.models import CineLoop

    consult = answered(net)
    visible = set(CineLoop.objects.for_user(net[role]).values_list("pk", flat=True))
    ours = {link.loop_id for link in consult.consult_loops.all()}
    assert (ours <= visible) == (role in READERS)
    if role not in READERS:
        assert not ours & visible


def test_the_centre_never_reads_the_local_reference_anywhere(net):
    consult = answered(net)
    services.message_post(consult=consult, by=net["county_trainee"], body="Thanks!")
    for role in CENTRE_READERS | {"site_admin"}:
        client = api_for(net[role])
        for url in (
            "/api/v1/consults/",
            f"/api/v1/consults/{consult.pk}/",
            f"/api/v1/consults/{consult.pk}/messages/",
            f"/api/v1/consults/{consult.pk}/annotations/",
        ):
            response = client.get(url)
            assert response.status_code == 200
            assert LOCAL_REFERENCE not in _body(response), (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_the_consult_page_address_of_the_emails(net, client, role):
    consult = submit(net)
    client.force_login(net[role])
    response = client.get(f"/consults/{consult.pk}/")
    assert response.status_code == (200 if role in READERS else 404)
