"""The live sessions API as every role: the list and detail for the audience (a session of
other hospitals is a 404), scheduling, changing and cancelling for hosts and managers, the
attendance for hosts and directors, the polls (results for the hosts; for participants their
own answer and the key once revealed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from live import services
from live.models import Audience, LiveSession, SessionStatus
from tests.factories import api_for
from tests.live.factories import ROLES, schedule, started
from tests.live.matrix import ATTENDANCE, HOSTS, MANAGERS, OUTSIDE, expected

pytestmark = pytest.mark.django_db

URL = "/api/v1/live-sessions/"


@pytest.fixture
def session(net):
    return schedule(net, audience=Audience.INSTITUTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_list_and_detail(net, session, role):
    client = api_for(net[role])
    ids = [row["id"] for row in client.get(URL).json()["results"]]
    assert ids == ([] if role in OUTSIDE else [session.pk])
    detail = client.get(f"{URL}{session.pk}/")
    assert detail.status_code == (404 if role in OUTSIDE else 200)
    if detail.status_code == 200:
        body = detail.json()
        assert body["title_zh_hans"] == "动脉期增强模式"
        assert body["you_manage"] == (role in MANAGERS)
        assert [a["case"] for a in body["agenda"]] == [net.case.pk, None]


def _body(net, **overrides) -> dict:
    starts = timezone.now() + timedelta(days=1)
    return {
        "title_en": "Through the API",
        "starts_at": starts.isoformat(),
        "planned_end": (starts + timedelta(hours=1)).isoformat(),
        "audience": "institutions",
        "institutions": [net.county.pk],
        "agenda": [{"loop": net.single.pk}],
        **overrides,
    }


@pytest.mark.parametrize("role", ROLES)
def test_create(net, role):
    body = _body(net)
    if role == "site_admin":
        body["institution"] = net.centre.pk
    response = api_for(net[role]).post(URL, body, format="json")
    if role in HOSTS and role in ("host", "cohost", "site_admin"):
        assert response.status_code == 201, response.content
        session = LiveSession.objects.get(pk=response.json()["id"])
        assert session.host == net[role]
    elif role in HOSTS:
        # Instructors of other hospitals may host, but not show the centre's loop.
        assert response.status_code == 400
    else:
        assert response.status_code == 403
        assert not LiveSession.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"conference_url": "javascript:alert(1)"},
        {"planned_end": (timezone.now() - timedelta(days=3)).isoformat()},
        {"starts_at": (timezone.now() - timedelta(days=1)).isoformat()},
        {"agenda": [{"case": 1, "loop": 2}]},
        {"agenda": [{"loop": 1}] * 31},
        {"institutions": [2**63 - 1]},
        {"audience": "consult"},
        {"title_en": ""},
        {"starts_at": "tomorrow"},
    ],
)
def test_create_refuses_bad_input(net, overrides):
    response = api_for(net["host"]).post(URL, _body(net, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    assert not LiveSession.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_update_and_cancel(net, session, role):
    client = api_for(net[role])
    response = client.patch(f"{URL}{session.pk}/", {"title_en": "Renamed"}, format="json")
    assert response.status_code == expected(role, MANAGERS)
    cancelled = client.post(f"{URL}{session.pk}/cancel/")
    assert cancelled.status_code == expected(role, MANAGERS)
    session.refresh_from_db()
    if role in MANAGERS:
        assert session.title_en == "Renamed" and session.status == SessionStatus.CANCELLED
        assert cancelled.json()["status"] == "cancelled"
    else:
        assert session.title_en == "Arterial phase patterns"
        assert session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize("role", ROLES)
def test_attendance(net, role, now):
    session = started(net, audience=Audience.INSTITUTIONS, now=now)
    for who in ("county_trainee", "second_county_trainee"):
        services.attendance_join(session=session, user=net[who], now=now)
    response = api_for(net[role]).get(f"{URL}{session.pk}/attendance/")
    assert response.status_code == expected(role, ATTENDANCE)
    if response.status_code == 200:
        ids = {row["user"]["id"] for row in response.json()}
        everyone = {net["county_trainee"].pk, net["second_county_trainee"].pk}
        assert ids == ({net["county_trainee"].pk} if role == "county_director" else everyone)


def _polled(net, now) -> LiveSession:
    session = started(net, now=now)
    host = net["host"]
    services.apply_host_action(
        session=session, by=host, action={"action": "loop", "loop": net.loops[0].pk}, now=now
    )
    spec = {"kind": "choice", "prompt": "Rim?", "options": ["Rim", "Non-rim"], "key": [2]}
    event = services.poll_open(session=session, by=host, spec=spec, now=now)
    poll = event.payload["poll"]["id"]
    for who, option in (("county_trainee", 2), ("second_county_trainee", 1)):
        services.attendance_join(session=session, user=net[who], now=now)
        services.poll_answer(
            session=session, by=net[who], poll=poll, value={"options": [option]}, now=now
        )
    services.poll_close(session=session, by=host, now=now)
    return session


def test_polls_for_hosts_and_participants(net, now):
    session = _polled(net, now)
    url = f"{URL}{session.pk}/polls/"
    (hosted,) = api_for(net["host"]).get(url).json()
    assert hosted["key"] == {"options": [2]}
    assert {c["id"]: c["count"] for c in hosted["results"]["counts"]} == {1: 1, 2: 1}

    (mine,) = api_for(net["county_trainee"]).get(url).json()
    assert "results" not in mine and "key" not in mine
    assert mine["your_answer"] == {"value": {"options": [2]}, "correct": None}
    (nothing,) = api_for(net["county_director"]).get(url).json()
    assert nothing["your_answer"] is None

    services.poll_reveal(session=session, by=net["host"], poll=hosted["id"], now=now)
    (revealed,) = api_for(net["county_trainee"]).get(url).json()
    assert revealed["key"] == {"options": [2]} and revealed["your_answer"]["correct"] is True
    assert "results" not in revealed
    assert api_for(net["outsider_trainee"]).get(url).status_code == 200  # a network session


def test_the_schema_documents_the_operations():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[URL + "{id}/"]) >= {"get", "patch"}
    for tail in ("cancel/", "attendance/", "polls/"):
        assert URL + "{id}/" + tail in paths


@pytest.mark.django_db
def test_a_form_encoded_body_is_refused_in_json_even_past_the_field_limit(net, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = "&".join(f"agenda={n}" for n in range(11))
    response = api_for(net["host"]).post(
        URL, fields, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response["Content-Type"] == "application/json"
