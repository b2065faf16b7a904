"""The live teaching demo: a finished session made through the services, whose replay holds
events of each kind over about twenty minutes, with poll answers from several trainees and
up-voted questions; a session tomorrow on the demo cases; the demo accounts see both; loaded
once (a second run adds nothing).

The whole demo is loaded once for the module by the consultation demo's fixture (rolled back at
the end).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.live import load_demo_live
from live.models import Attendance, LiveEvent, LiveQuestion, LiveSession, PollAnswer
from live.selectors import live_hours, replay
from tests.consults.test_demo import demo_lines  # noqa: F401 -- the whole demo, loaded once

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("live-demo")]

KINDS = {
    "start", "end", "loop", "play", "pause", "seek", "step", "rate", "ab", "reveal", "pointer",
    "draw", "clear", "poll_open", "poll_close", "poll_reveal", "question_asked",
    "question_answered",
}  # fmt: skip


def test_nothing_is_loaded_without_the_demo_accounts():
    assert "not loaded" in load_demo_live()


def test_a_finished_session_with_a_replay_of_every_kind(demo_lines):  # noqa: F811
    lines, sent = demo_lines
    assert any(line.startswith("Demo live sessions loaded") for line in lines), lines
    assert sent == []
    finished = LiveSession.objects.get(status="ended")
    record = replay(finished)
    kinds = {event["kind"] for event in record["events"]}
    assert kinds >= KINDS, KINDS - kinds
    assert 15 * 60_000 <= record["duration_ms"] <= 25 * 60_000
    assert PollAnswer.objects.filter(poll__session=finished).count() >= 3
    assert LiveQuestion.objects.filter(session=finished, votes__gt=0).exists()
    assert LiveQuestion.objects.filter(session=finished, answered_at__isnull=False).exists()
    trainee = User.objects.get(username="trainee")
    assert Attendance.objects.get(session=finished, user=trainee).active_seconds > 600
    assert live_hours([trainee.pk], None)[trainee.pk]
    assert finished.title_en and finished.title_zh_hans


def test_a_session_tomorrow_on_the_demo_cases(demo_lines):  # noqa: F811
    upcoming = LiveSession.objects.get(status="scheduled")
    assert upcoming.starts_at > timezone.now()
    assert upcoming.agenda.filter(case__isnull=False).exists()
    assert upcoming.conference_url.startswith("https://")


@pytest.mark.parametrize("username", ["trainee", "instructor", "director", "county-instructor"])
def test_the_demo_accounts_see_them(demo_lines, client, username):  # noqa: F811
    client.force_login(User.objects.get(username=username))
    page = client.get(reverse("live:list"))
    assert page.status_code == 200
    ids = {s.pk for s in (*page.context["page"].upcoming, *page.context["page"].past)}
    assert ids == set(LiveSession.objects.values_list("pk", flat=True))
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "data-live-dashboard" in dashboard


def test_a_second_load_adds_nothing(demo_lines):  # noqa: F811
    before = (LiveSession.objects.count(), LiveEvent.objects.count())
    assert "already exist" in load_demo_live()
    assert (LiveSession.objects.count(), LiveEvent.objects.count()) == before
