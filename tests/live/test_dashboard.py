"""The dashboard's block of upcoming sessions (the next three, "Join" on a running one, times
in the user's zone), the menu entry, and the consult page's button that opens a session."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse

from live.models import Audience, LiveSession
from tests.live.factories import schedule, started

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_next_three(client, net, now):
    sessions = [schedule(net, starts_at=now + timedelta(days=d)) for d in (4, 1, 3, 2)]
    running = started(net, now=now - timedelta(minutes=5))
    hidden = schedule(net, audience=Audience.COHORTS, starts_at=now + timedelta(hours=1))
    user = net["second_county_trainee"]  # not in the cohort
    user.timezone = "America/New_York"
    user.save()
    client.force_login(user)
    body = client.get(reverse("courses:dashboard")).content.decode()
    assert "data-live-dashboard" in body
    shown = [s.pk for s in LiveSession.objects.all() if f'data-live-session="{s.pk}"' in body]
    assert sorted(shown) == sorted([running.pk, sessions[1].pk, sessions[3].pk])
    assert hidden.pk not in shown
    assert reverse("live:session", args=[running.pk]) in body and "Join" in body
    start_local = sessions[1].starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert start_local.isoformat() in body  # the <time datetime> in the user's zone


def test_no_block_without_sessions(client, net):
    client.force_login(net["county_trainee"])
    assert "data-live-dashboard" not in client.get(reverse("courses:dashboard")).content.decode()


def test_the_menu_leads_to_the_list(client, net):
    client.force_login(net["county_trainee"])
    body = client.get(reverse("courses:dashboard")).content.decode()
    assert f'href="{reverse("live:list")}" data-menu="live"' in body
