"""iCalendar: the personal feed at its secret address (a wrong or replaced token is a 404),
parsed back with the ``icalendar`` library, every required property checked; the titles in the
owner's language; a cancelled session CANCELLED; one session's file."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from live import services
from live.models import Audience, CalendarFeed
from live.selectors.calendar import uid
from live.services import calendar as feeds
from tests.live.factories import schedule

pytestmark = pytest.mark.django_db

REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL", "STATUS", "DESCRIPTION")


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_the_users_sessions(client, net, now):
    network = schedule(net, starts_at=now + timedelta(days=1))
    cohorts = schedule(net, audience=Audience.COHORTS, starts_at=now + timedelta(days=2))
    cancelled = schedule(net, starts_at=now + timedelta(days=3))
    services.session_cancel(session=cancelled, by=net["host"])
    trainee = net["county_trainee"]
    trainee.preferred_language = "zh-hans"
    trainee.save()
    token = feeds.feed_token(user=trainee)

    response = client.get(reverse("live:feed", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) == {uid(network), uid(cohorts), uid(cancelled)}
    for event in events.values():
        for name in REQUIRED:
            assert name in event, name
        for name in ("DTSTART", "DTEND"):  # written in UTC
            assert event[name].to_ical().endswith(b"Z")
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    first = events[uid(network)]
    assert str(first["SUMMARY"]) == "动脉期增强模式"  # the owner's language
    assert first.decoded("DTSTART") == network.starts_at.astimezone(UTC)
    assert str(first["LOCATION"]) == "https://meet.example.org/ceus-live"
    assert str(first["URL"]).endswith(reverse("live:session", args=[network.pk]))
    assert str(events[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(first["STATUS"]) == "CONFIRMED"


def test_someone_outside_the_cohort_does_not_get_its_session(client, net, now):
    cohorts = schedule(net, audience=Audience.COHORTS)
    token = feeds.feed_token(user=net["second_county_trainee"])
    events = _events(client.get(reverse("live:feed", args=[token])).content)
    assert uid(cohorts) not in events


def test_the_uid_stays_when_the_session_moves(client, net, now):
    session = schedule(net, starts_at=now + timedelta(days=1))
    token = feeds.feed_token(user=net["county_trainee"])
    before = _events(client.get(reverse("live:feed", args=[token])).content)
    services.session_update(
        session=session,
        by=net["host"],
        starts_at=now + timedelta(days=2),
        planned_end=now + timedelta(days=2, hours=1),
    )
    after = _events(client.get(reverse("live:feed", args=[token])).content)
    assert set(before) == set(after) == {uid(session)}
    assert after[uid(session)].decoded("DTSTART") == (now + timedelta(days=2)).astimezone(UTC)


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200, "%00"])
def test_a_wrong_token_is_a_404(client, net, token):
    feeds.feed_token(user=net["county_trainee"])
    assert client.get(f"/live/calendar/{token}.ics").status_code == 404


def test_replacing_and_removing_the_address(client, net):
    trainee = net["county_trainee"]
    client.force_login(trainee)
    assert client.get(reverse("live:calendar")).context["feed_url"] == ""
    client.post(reverse("live:calendar"), {"do": "replace"})
    old = CalendarFeed.objects.get(user=trainee).token
    page = client.get(reverse("live:calendar"))
    assert page.context["feed_url"].endswith(reverse("live:feed", args=[old]))
    client.post(reverse("live:calendar"), {"do": "replace"})
    new = CalendarFeed.objects.get(user=trainee).token
    assert new != old
    client.logout()
    assert client.get(reverse("live:feed", args=[old])).status_code == 404
    assert client.get(reverse("live:feed", args=[new])).status_code == 200
    client.force_login(trainee)
    client.post(reverse("live:calendar"), {"do": "remove"})
    client.logout()
    assert client.get(reverse("live:feed", args=[new])).status_code == 404


def test_an_inactive_users_feed_is_dead(client, net):
    trainee = net["county_trainee"]
    token = feeds.feed_token(user=trainee)
    trainee.is_active = False
    trainee.save()
    assert client.get(reverse("live:feed", args=[token])).status_code == 404


def test_one_sessions_file(client, net):
    session = schedule(net)
    client.force_login(net["county_trainee"])
    events = _events(client.get(reverse("live:ics", args=[session.pk])).content)
    assert list(events) == [uid(session)]
