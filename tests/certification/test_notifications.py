"""E-mails: sign-off results, certificate issued, expiry reminders (60 and 14 days, once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from certification.models import Adequacy, CertificateStatus, EntryStatus, ExpiryReminder
from certification.services.certificates import issue_if_eligible
from certification.services.notifications import (
    muted,
    notify_issued,
    notify_review,
    send_expiry_reminders,
)
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    RequirementFactory,
)
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"


def test_approved_entry_tells_the_trainee(trainee, instructor):
    entry = LogbookEntryFactory(
        trainee=trainee, reviewed_by=instructor, adequacy=Adequacy.ADEQUATE, review_comment="Good."
    )
    assert notify_review(entry) is True
    (message,) = mail.outbox
    assert message.to == [trainee.email]
    assert message.subject.startswith("Logbook entry approved: CEUS liver")
    assert "has been approved" in message.body
    assert "Quality grade: Adequate" in message.body
    assert "Good." in message.body
    assert "https://ceus.example.org/" in message.body
    assert "does not count" not in message.body


@pytest.mark.parametrize(
    ("status", "adequacy", "word"),
    [
        (EntryStatus.REJECTED, "", "rejected"),
        (EntryStatus.APPROVED, Adequacy.INADEQUATE, "approved"),
    ],
)
def test_entries_that_do_not_count_say_so(trainee, instructor, status, adequacy, word):
    entry = LogbookEntryFactory(
        trainee=trainee,
        status=status,
        adequacy=adequacy,
        reviewed_by=instructor,
        review_comment="Loop too short <b>&</b>",
    )
    notify_review(entry)
    (message,) = mail.outbox
    assert f"has been {word}" in message.body
    assert "does not count towards certification" in message.body
    assert "Loop too short <b>&</b>" in message.body  # plain text: not HTML-escaped


def test_pending_entries_and_users_without_email_get_nothing(instructor):
    assert notify_review(LogbookEntryFactory(status=EntryStatus.PENDING, adequacy="")) is False
    silent = TraineeFactory(email="")
    assert notify_review(LogbookEntryFactory(trainee=silent)) is False
    assert mail.outbox == []


def test_messages_use_the_recipients_language(trainee):
    trainee.preferred_language = "zh-hans"
    trainee.save()
    certificate = CertificateFactory(holder=trainee)
    notify_issued(certificate)
    # Dates are formatted by the recipient's locale (the Chinese catalogue is filled later).
    assert "年" in mail.outbox[0].body


def test_certificate_issued_mail_has_the_verification_link(trainee, programme, version, now):
    certificate = CertificateFactory(
        holder=trainee, holder_name="Li Wei", programme=programme, version=version
    )
    notify_issued(certificate)
    (message,) = mail.outbox
    assert message.subject == "Certificate issued: CEUS Liver — Level 1"
    assert "Dear Li Wei," in message.body
    assert f"https://ceus.example.org/verify/{certificate.code}/" in message.body
    assert certificate.code in message.body


def test_muted_mail_counts_as_sent_but_reaches_nobody(trainee, programme, version):
    """What the demo loader uses: its invented people get no e-mail."""
    certificate = CertificateFactory(holder=trainee, programme=programme, version=version)
    with muted():
        assert notify_issued(certificate) is True
    assert mail.outbox == []
    notify_issued(certificate)
    assert len(mail.outbox) == 1


def test_issue_sends_the_mail_after_commit(
    trainee, programme, version, now, django_capture_on_commit_callbacks
):
    RequirementFactory(version=version, kind="scans", count=0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue_if_eligible(user=trainee, programme=programme, now=now)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == ["Certificate issued: CEUS Liver — Level 1"]


# --- expiry reminders --------------------------------------------------------------------------


def test_reminders_60_and_14_days_before_expiry_once_each(trainee, programme, version, now):
    certificate = CertificateFactory(
        holder=trainee, programme=programme, version=version, expires_at=now + timedelta(days=90)
    )
    assert send_expiry_reminders(now) == 0  # too early
    day60 = now + timedelta(days=30, hours=1)  # 59 days 23 hours left
    assert send_expiry_reminders(day60) == 1
    assert send_expiry_reminders(day60 + timedelta(days=1)) == 0  # once
    (message,) = mail.outbox
    assert "expires soon" in message.subject
    assert "in 59 days" in message.body or "in 60 days" in message.body
    day14 = now + timedelta(days=76, hours=1)
    assert send_expiry_reminders(day14) == 1
    assert send_expiry_reminders(day14 + timedelta(days=1)) == 0
    assert len(mail.outbox) == 2
    assert sorted(
        ExpiryReminder.objects.filter(certificate=certificate).values_list("days_before", flat=True)
    ) == [14, 60]
    assert send_expiry_reminders(now + timedelta(days=91)) == 0  # expired: nothing more


def test_a_certificate_first_seen_within_14_days_gets_one_reminder(
    trainee, programme, version, now
):
    CertificateFactory(
        holder=trainee, programme=programme, version=version, expires_at=now + timedelta(days=10)
    )
    assert send_expiry_reminders(now) == 1
    assert send_expiry_reminders(now) == 0
    assert len(mail.outbox) == 1
    assert list(ExpiryReminder.objects.values_list("days_before", flat=True)) == [14]


def test_no_reminders_for_revoked_or_expired_certificates(programme, version, now):
    for status in (CertificateStatus.REVOKED, CertificateStatus.EXPIRED):
        CertificateFactory(
            programme=programme, version=version, status=status, expires_at=now + timedelta(5)
        )
    CertificateFactory(programme=programme, version=version, expires_at=None)
    assert send_expiry_reminders(now) == 0
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_next_time(trainee, programme, version, now, monkeypatch):
    CertificateFactory(
        holder=trainee, programme=programme, version=version, expires_at=now + timedelta(days=10)
    )

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("core.mail.send_mail", broken)
    assert send_expiry_reminders(now) == 0
    assert not ExpiryReminder.objects.exists()
    monkeypatch.undo()
    assert send_expiry_reminders(now) == 1
