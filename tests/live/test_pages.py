"""Every page of live sessions (list, scheduling, editing, cancelling, the attendance export,
the single-session calendar file, the calendar page, a consultation's session) as every role
of the teaching network, for a session of two county hospitals: the people outside it get a
404, as for a session that does not exist; those who see it but may not act get a 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from live import services
from live.models import Audience, LiveSession, SessionStatus
from tests.live.factories import ROLES, schedule, started
from tests.live.matrix import ATTENDANCE, HOSTS, MANAGERS, OUTSIDE, expected

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(net):
    return schedule(net, audience=Audience.INSTITUTIONS)


def _client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_the_audience_its_sessions_only(client, net, session, role):
    response = _client(client, net[role]).get(reverse("live:list"))
    assert response.status_code == 200
    shown = f'data-live-session="{session.pk}"' in response.content.decode()
    assert shown == (role not in OUTSIDE)


def test_the_list_is_ordered_and_highlights_a_running_session(client, net, now):
    later = schedule(net, starts_at=now + timedelta(days=2))
    sooner = schedule(net, starts_at=now + timedelta(hours=2))
    running = started(net, now=now)
    ended = started(net, now=now)
    services.session_end(session=ended, by=net["host"], now=now + timedelta(minutes=30))
    page = _client(client, net["county_trainee"]).get(reverse("live:list"))
    body = page.content.decode()
    assert [s.pk for s in page.context["page"].upcoming] == [sooner.pk, later.pk]
    assert [s.pk for s in page.context["page"].live] == [running.pk]
    assert [s.pk for s in page.context["page"].past] == [ended.pk]
    assert 'class="card live-row live-now"' in body
    assert reverse("live:calendar") in body


def test_signed_out_visitors_are_sent_to_log_in(client, session):
    for url in (reverse("live:list"), reverse("live:edit", args=[session.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_schedule_page(client, net, role):
    response = _client(client, net[role]).get(reverse("live:schedule"))
    assert response.status_code == (200 if role in HOSTS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_edit_page(client, net, session, role):
    response = _client(client, net[role]).get(reverse("live:edit", args=[session.pk]))
    assert response.status_code == expected(role, MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_cancel(client, net, session, role):
    response = _client(client, net[role]).post(reverse("live:cancel", args=[session.pk]))
    session.refresh_from_db()
    if role in OUTSIDE:
        assert response.status_code == 404
    elif role in MANAGERS:
        assert response.status_code == 302 and session.status == SessionStatus.CANCELLED
    else:
        assert response.status_code == 403 and session.status == SessionStatus.SCHEDULED


@pytest.mark.parametrize("role", ROLES)
def test_attendance_export(client, net, role, now):
    session = started(net, audience=Audience.INSTITUTIONS, now=now)
    for who in ("county_trainee", "second_county_trainee"):
        services.attendance_join(session=session, user=net[who], now=now)
    response = _client(client, net[role]).get(reverse("live:attendance", args=[session.pk]))
    assert response.status_code == expected(role, ATTENDANCE)
    if response.status_code == 200:
        text = response.content.decode("utf-8-sig")
        names = {net[w].username in text for w in ("county_trainee", "second_county_trainee")}
        # Another institution's director reads their own members' rows only.
        assert names == ({True, False} if role == "county_director" else {True})


@pytest.mark.parametrize("role", ROLES)
def test_single_session_calendar_file(client, net, session, role):
    response = _client(client, net[role]).get(reverse("live:ics", args=[session.pk]))
    assert response.status_code == (404 if role in OUTSIDE else 200)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("role", ["county_trainee", "site_admin", "outsider_trainee"])
def test_the_placeholder_session_page(client, net, session, role):
    response = _client(client, net[role]).get(reverse("live:session", args=[session.pk]))
    assert response.status_code == (404 if role in OUTSIDE else 200)


def test_a_session_that_does_not_exist_is_a_404(client, net):
    _client(client, net["site_admin"])
    for name in ("live:edit", "live:ics", "live:attendance"):
        assert client.get(reverse(name, args=[999999])).status_code == 404


def test_a_finished_session_cannot_be_edited(client, net, now):
    session = started(net, now=now)
    services.session_end(session=session, by=net["host"], now=now + timedelta(minutes=5))
    response = _client(client, net["host"]).get(reverse("live:edit", args=[session.pk]))
    assert response.status_code == 302


def test_scheduling_through_the_form(client, net):
    starts = timezone.localtime() + timedelta(days=1)
    data = {
        "title_en": "Wash-out timing",
        "title_zh_hans": "",
        "description_en": "Late phase.",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "planned_end": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "conference_url": "https://meet.example.org/x",
        "audience": Audience.COHORTS,
        "cohorts": [net.cohort.pk],
        "co_hosts": [net["cohost"].pk],
        "agenda": [f"loop:{net.single.pk}", f"case:{net.case.pk}"],
    }
    response = _client(client, net["host"]).post(reverse("live:schedule"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = LiveSession.objects.get(title_en="Wash-out timing")
    assert session.host == net["host"] and session.institution == net.centre
    assert list(session.cohorts.all()) == [net.cohort]
    assert [(i.case_id, i.loop_id) for i in session.agenda.all()] == [
        (None, net.single.pk),
        (net.case.pk, None),
    ]
    # Editing: a new title, the agenda shortened.
    data.update(title_en="Wash-out timing, part 1", agenda=[f"case:{net.case.pk}"])
    response = client.post(reverse("live:edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title_en == "Wash-out timing, part 1"
    assert session.agenda.count() == 1


def test_a_running_session_keeps_its_start_on_the_form(client, net, now):
    session = started(net, now=now)
    response = _client(client, net["host"]).get(reverse("live:edit", args=[session.pk]))
    form = response.context["form"]
    assert form.fields["starts_at"].disabled and form.fields["audience"].disabled
    data = {
        "title_en": "Renamed while live",
        "planned_end": (timezone.localtime(session.planned_end) + timedelta(minutes=30)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }
    response = client.post(reverse("live:edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title_en == "Renamed while live" and session.status == SessionStatus.LIVE
