"""The scheduling form against hostile input: markup in the title (stored as text, shown
escaped), a javascript: conference link, an end before the start, a start in the past, a huge
agenda, another institution's private loop, a forged agenda value."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from live.forms import SessionForm
from live.models import Audience, LiveSession
from tests.cases.factories import ReadyLoopFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _data(net, **overrides) -> dict:
    starts = timezone.localtime() + timedelta(days=1)
    data = {
        "title_en": "Rim or non-rim",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "planned_end": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "audience": Audience.NETWORK,
        "agenda": [f"case:{net.case.pk}"],
    }
    data.update(overrides)
    return data


def _errors(net, **overrides) -> dict:
    form = SessionForm(_data(net, **overrides), user=net["host"])
    assert not form.is_valid()
    return form.errors


def test_markup_in_the_title_is_text_and_shown_escaped(client, net):
    client.force_login(net["host"])
    response = client.post(reverse("live:schedule"), _data(net, title_en=XSS))
    assert response.status_code == 302
    session = LiveSession.objects.get()
    assert session.title_en == XSS
    page = client.get(reverse("live:list")).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/x", "//evil"],
)
def test_only_http_links(net, link):
    assert "conference_url" in _errors(net, conference_url=link)


def test_the_end_comes_after_the_start(net):
    starts = timezone.localtime() + timedelta(days=1)
    errors = _errors(net, planned_end=(starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    assert "planned_end" in errors


def test_not_in_the_past(net):
    past = timezone.localtime() - timedelta(days=1)
    errors = _errors(
        net,
        starts_at=past.strftime("%Y-%m-%dT%H:%M"),
        planned_end=(past + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert "starts_at" in errors and "planned_end" in errors


def test_a_title_in_one_language_at_least(net):
    assert "title_en" in _errors(net, title_en="", title_zh_hans="  ")


def test_a_huge_agenda_is_refused(net):
    agenda = [f"case:{net.case.pk}"] * 5000
    assert "agenda" in _errors(net, agenda=agenda)


def test_another_institutions_private_loop_is_not_a_choice(client, net):
    private = ReadyLoopFactory(institution=net.outsider)
    assert "agenda" in _errors(net, agenda=[f"loop:{private.pk}"])
    client.force_login(net["host"])
    response = client.post(reverse("live:schedule"), _data(net, agenda=[f"loop:{private.pk}"]))
    assert response.status_code == 400 and not LiveSession.objects.exists()


@pytest.mark.parametrize("value", ["case:abc", "loop:", "session:1", "case:1:2", ""])
def test_forged_agenda_values(net, value):
    assert "agenda" in _errors(net, agenda=[value])


def test_an_institutions_audience_needs_institutions(client, net):
    client.force_login(net["host"])
    response = client.post(reverse("live:schedule"), _data(net, audience=Audience.INSTITUTIONS))
    assert response.status_code == 400
    assert "Choose at least one institution." in response.content.decode()
    assert not LiveSession.objects.exists()


def test_an_unknown_audience_and_a_consult_audience_are_refused(net):
    assert "audience" in _errors(net, audience="everyone")
    assert "audience" in _errors(net, audience=Audience.CONSULT)
