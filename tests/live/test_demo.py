"""The live teaching demo: a finished session made through the services, whose replay holds
events of each kind over about twenty minutes, with poll answers from several trainees and
up-voted questions; a session tomorrow on the demo cases; the demo accounts see both; loaded
once (a second run adds nothing).

Loaded once for the module (the demo's loops through the pipeline, their outputs made once per
session: tests/processed_outputs.py) inside a transaction rolled back at the end.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.courses import load_demo_data
from demo.live import load_demo_live
from demo.loaders import run_demo_loaders
from live.models import Attendance, LiveEvent, LiveQuestion, LiveSession, PollAnswer
from live.selectors import live_hours, replay

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("live-demo")]

KINDS = {
    "start", "end", "loop", "play", "pause", "seek", "step", "rate", "ab", "reveal", "pointer",
    "draw", "clear", "poll_open", "poll_close", "poll_reveal", "question_asked",
    "question_answered",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_lines(django_db_setup, django_db_blocker, tmp_path_factory, processed_outputs):
    media = tmp_path_factory.mktemp("demo-cine")
    private = override_settings(
        CINE_UPLOAD_DIR=media / "uploads",
        CINE_MEDIA_DIR=media / "cine",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with processed_outputs.reused(), private, django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        assert load_demo_data() is True
        lines = run_demo_loaders()
        sent = list(mail.outbox)
        yield lines, sent
        transaction.set_rollback(True)


def test_nothing_is_loaded_without_the_demo_accounts():
    assert "not loaded" in load_demo_live()


def test_a_finished_session_with_a_replay_of_every_kind(demo_lines):
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


def test_a_session_tomorrow_on_the_demo_cases(demo_lines):
    upcoming = LiveSession.objects.get(status="scheduled")
    assert upcoming.starts_at > timezone.now()
    assert upcoming.agenda.filter(case__isnull=False).exists()
    assert upcoming.conference_url.startswith("https://")


@pytest.mark.parametrize("username", ["trainee", "instructor", "director", "county-instructor"])
def test_the_demo_accounts_see_them(demo_lines, client, username):
    client.force_login(User.objects.get(username=username))
    page = client.get(reverse("live:list"))
    assert page.status_code == 200
    ids = {s.pk for s in (*page.context["page"].upcoming, *page.context["page"].past)}
    assert ids == set(LiveSession.objects.values_list("pk", flat=True))
    dashboard = client.get(reverse("courses:dashboard")).content.decode()
    assert "data-live-dashboard" in dashboard


def test_a_second_load_adds_nothing(demo_lines):
    before = (LiveSession.objects.count(), LiveEvent.objects.count())
    assert "already exist" in load_demo_live()
    assert (LiveSession.objects.count(), LiveEvent.objects.count()) == before
