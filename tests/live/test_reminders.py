"""E-mail reminders: a day and a quarter of an hour before the start, to the session's
audience only, in each recipient's language, once each — the task run twice (or a second
sweep later) sends nothing more; a refused send is tried again on the next run."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail

from live import services
from live.models import Audience, ReminderSent
from live.rights import audience_members, may_join
from live.services.reminders import send_due_reminders
from live.tasks import send_reminders_task
from tests.live.factories import ROLES, schedule

pytestmark = pytest.mark.django_db


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_each_reminder_goes_out_once(net, now):
    session = schedule(net, audience=Audience.COHORTS, starts_at=now + timedelta(hours=20))
    expected = sorted(u.email for u in (net["host"], net["cohost"], net["county_trainee"]))

    assert send_due_reminders(now=now) == 3
    assert send_due_reminders(now=now) == 0
    assert send_due_reminders(now=now + timedelta(hours=5)) == 0
    assert _recipients() == expected
    assert all("tomorrow" in m.subject for m in mail.outbox)

    mail.outbox.clear()
    soon = session.starts_at - timedelta(minutes=10)
    assert send_due_reminders(now=soon) == 3
    assert send_due_reminders(now=soon) == 0
    assert _recipients() == expected
    assert all("starting soon" in m.subject for m in mail.outbox)
    assert ReminderSent.objects.count() == 6


def test_the_task_run_twice_sends_each_once(net, now, celery_eager, settings):
    schedule(net, audience=Audience.COHORTS, starts_at=timezone_now_plus(minutes=10))
    send_reminders_task.delay()
    send_reminders_task.delay()
    assert len(mail.outbox) == 3


def timezone_now_plus(**delta):
    from django.utils import timezone

    return timezone.now() + timedelta(**delta)


def test_not_yet_due_cancelled_or_past_sessions_send_nothing(net, now):
    schedule(net, starts_at=now + timedelta(hours=30))
    cancelled = schedule(net, starts_at=now + timedelta(hours=10))
    services.session_cancel(session=cancelled, by=net["host"])
    assert send_due_reminders(now=now) == 0
    assert mail.outbox == []


def test_in_the_recipients_language_with_no_patient_data(net, now):
    from cineloops.models import CineLoop
    from consults.services import consult_submit
    from tests.cases.factories import ReadyLoopFactory
    from tests.consults.factories import LOCAL_REFERENCE, READING

    trainee = net["county_trainee"]
    trainee.preferred_language = "zh-hans"
    trainee.timezone = "Asia/Shanghai"
    trainee.save()
    schedule(net, audience=Audience.COHORTS, starts_at=now + timedelta(minutes=12))
    send_due_reminders(now=now)
    message = next(m for m in mail.outbox if m.to == [trainee.email])
    assert "动脉期增强模式" in message.subject and "动脉期增强模式" in message.body
    assert "直播教学课程" in message.body and "加入课程" in message.body
    assert "Asia/Shanghai" in message.body
    assert "/live/" in message.body and "https://meet.example.org/ceus-live" in message.body

    # A consultation's session: named by its number, nothing clinical.
    expert = net["host"]
    consult = consult_submit(
        by=net["county_trainee"],
        target=net.centre,
        organ="liver",
        clinical_question="Secret clinical question",
        reading=dict(READING),
        loops=[ReadyLoopFactory(institution=net.county, source=CineLoop.Source.DICOM_NETWORK)],
        local_reference=LOCAL_REFERENCE,
    ).consult
    mail.outbox.clear()
    session = services.session_for_consult(
        consult=consult, by=expert, starts_at=now + timedelta(minutes=14)
    )
    send_due_reminders(now=now)
    bodies = " ".join(m.subject + m.body for m in mail.outbox)
    assert mail.outbox and f"#{consult.pk}" in bodies
    assert "Secret clinical question" not in bodies and LOCAL_REFERENCE not in bodies
    assert session.pk


def test_a_refused_send_is_tried_again(net, now, monkeypatch):
    schedule(net, audience=Audience.COHORTS, starts_at=now + timedelta(minutes=10))

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("core.mail.send_mail", refuse)
    assert send_due_reminders(now=now) == 0
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert send_due_reminders(now=now) == 3


@pytest.mark.parametrize("audience", [Audience.NETWORK, Audience.INSTITUTIONS, Audience.COHORTS])
def test_the_reminded_are_exactly_the_audience_site_admins_apart(net, audience):
    session = schedule(net, audience=audience)
    members = set(audience_members(session).values_list("pk", flat=True))
    for role in ROLES:
        user = net[role]
        expected = may_join(user, session) and not user.is_site_admin
        assert (user.pk in members) == expected, role
