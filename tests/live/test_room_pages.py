"""The session page, the room and the replay: who sees them (the audience; a 404 for anyone
else, as consultations do), when (the replay once the session ended), and what the room page
embeds (the agenda's loops; no annotation, bank or poll key for participants)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from live import services
from live.models import Audience
from tests.live.factories import schedule, started

AUDIENCE = ["host", "cohost", "county_trainee", "second_county_trainee", "site_admin"]
OUTSIDERS = ["outsider_trainee", "outsider_instructor", "centre_trainee"]
LOOP_KEYS = {
    "id", "order", "caption", "status", "fps", "frames", "duration_s", "rows", "columns",
    "video_url", "renditions", "poster_url", "thumbnails_url", "thumbnails", "regions",
    "injection_time_s", "starts_after_injection_s", "phase_bands", "item", "case",
}  # fmt: skip
SPOT_KEY = {"kind": "ellipse", "geometry": {"cx": 80.0, "cy": 60.0, "rx": 20.0, "ry": 20.0}}


def get(client, user, name: str, session):
    client.force_login(user)
    return client.get(reverse(f"live:{name}", args=[session.pk]))


def embedded(response, script_id: str) -> dict:
    html = response.content.decode()
    start = html.index(f'id="{script_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
@pytest.mark.parametrize("role", AUDIENCE)
def test_the_audience_sees_the_session_page_and_its_room(client, net, role):
    session = schedule(net, audience=Audience.INSTITUTIONS)
    page = get(client, net[role], "session", session)
    assert page.status_code == 200
    assert reverse("live:room", args=[session.pk]) in page.content.decode()
    room = get(client, net[role], "room", session)
    assert room.status_code == 200
    assert f'data-ws-path="/ws/live/{session.pk}/"' in room.content.decode()
    assert get(client, net[role], "replay", session).status_code == 404  # not over yet


@pytest.mark.django_db
@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", ["session", "room", "replay"])
def test_outside_the_audience_every_page_is_a_404(client, net, role, name):
    session = started(net, audience=Audience.INSTITUTIONS)
    services.session_end(session=session, by=net["host"])
    assert get(client, net[role], name, session).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_the_login(client, net):
    session = schedule(net)
    response = client.get(reverse("live:room", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_after_the_end_the_room_leads_to_the_replay_for_everyone_in_the_audience(client, net):
    session = started(net, audience=Audience.INSTITUTIONS)
    services.session_end(session=session, by=net["host"])
    for role in AUDIENCE:
        room = get(client, net[role], "room", session)
        assert room.status_code == 302
        assert room["Location"] == reverse("live:replay", args=[session.pk])
        replay = get(client, net[role], "replay", session)
        assert replay.status_code == 200
        data = embedded(replay, "replay-data")
        assert [e["kind"] for e in data["events"]] == ["start", "end"]
        assert data["started_ms"] > 0 and data["duration_ms"] >= 0
    page = get(client, net["county_trainee"], "session", session)
    assert reverse("live:replay", args=[session.pk]) in page.content.decode()


@pytest.mark.django_db
def test_a_cancelled_session_has_no_room(client, net):
    session = schedule(net)
    services.session_cancel(session=session, by=net["host"])
    assert get(client, net["county_trainee"], "room", session).status_code == 404


@pytest.mark.django_db
def test_participants_get_the_loops_but_no_annotation_bank_or_poll_key(client, net):
    session = started(net)
    services.poll_open(
        session=session,
        by=net["host"],
        spec={"kind": "hotspot", "prompt": "Where is the lesion?", "key": SPOT_KEY},
    )
    participant = get(client, net["county_trainee"], "room", session)
    data = embedded(participant, "live-data")
    assert data["host"] is False
    assert set(data) == {"id", "loops", "host"}
    assert [loop["id"] for loop in data["loops"]] == [*(lp.pk for lp in net.loops), net.single.pk]
    assert all(set(loop) == LOOP_KEYS for loop in data["loops"])
    html = participant.content.decode()
    assert "Rim enhancement" not in html  # the case's annotation: only once revealed
    assert '"key"' not in json.dumps(data) and '"cx"' not in html
    assert "data-host-panel" not in html

    host = embedded(get(client, net["host"], "room", session), "live-data")
    assert [a["label"] for a in host["annotations"]] == ["Rim enhancement"]
    assert "bank" in host


@pytest.mark.django_db
def test_the_replay_keeps_an_unrevealed_key_from_participants(client, net):
    session = started(net)
    services.poll_open(
        session=session,
        by=net["host"],
        spec={"kind": "hotspot", "prompt": "Where is the lesion?", "key": SPOT_KEY},
    )
    services.poll_close(session=session, by=net["host"])
    services.session_end(session=session, by=net["host"])
    replay = get(client, net["county_trainee"], "replay", session)
    assert replay.status_code == 200
    data = embedded(replay, "replay-data")
    assert "poll_open" in [e["kind"] for e in data["events"]]
    assert '"key"' not in json.dumps(data)
    assert '"cx"' not in replay.content.decode()
