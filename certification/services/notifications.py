"""E-mails of certification: sign-off results, certificates issued, expiry reminders.

Each message is written in the recipient's preferred language (the platform's default when
they chose none) through Django's e-mail backend (``core.mail``), as plain text from
``templates/certification/email/*.txt``; links are absolute (``PLATFORM_BASE_URL``). A user
without an e-mail address gets nothing. Expiry reminders go out ``CERT_EXPIRY_REMINDER_DAYS``
(60 and 14) days before expiry, each once (``ExpiryReminder``); when a certificate is first
seen inside the 14-day window (a short validity, a missed night) only the 14-day reminder is
sent, never two at once.

Public functions:
    notify_review(entry) -> bool
    notify_issued(certificate) -> bool
    send_expiry_reminders(now=None) -> int
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import (
    Adequacy,
    Certificate,
    CertificateStatus,
    EntryStatus,
    ExpiryReminder,
    LogbookEntry,
)
from certification.qr import verification_url
from core.mail import absolute_url, in_language_of, muted, send_to

# ``muted`` is re-exported: the demo loader and the tests mute certification's mail by it.
__all__ = ["muted", "notify_issued", "notify_review", "send_expiry_reminders"]

logger = logging.getLogger(__name__)


def notify_review(entry: LogbookEntry) -> bool:
    """Tell the trainee their logbook entry was approved or rejected (and why). Call after the
    review is saved; returns whether a message was sent."""
    if entry.status not in (EntryStatus.APPROVED, EntryStatus.REJECTED):
        return False
    trainee = entry.trainee
    approved = entry.status == EntryStatus.APPROVED
    with in_language_of(trainee):
        subject = (
            _("Logbook entry approved: %(exam)s, %(date)s")
            if approved
            else _("Logbook entry rejected: %(exam)s, %(date)s")
        ) % {"exam": entry.get_exam_type_display(), "date": entry.performed_on.isoformat()}
        reviewer = entry.reviewed_by
        body = render_to_string(
            "certification/email/review_result.txt",
            {
                "name": trainee.get_full_name() or trainee.get_username(),
                "entry": entry,
                "approved": approved,
                "exam_type": entry.get_exam_type_display(),
                "adequacy": entry.get_adequacy_display() if entry.adequacy else "",
                "reviewer": (reviewer.get_full_name() or reviewer.get_username())
                if reviewer
                else "",
                "counts": approved and entry.adequacy != Adequacy.INADEQUATE,
                "url": absolute_url("certification:logbook"),
            },
        )
    return send_to(trainee, subject, body)


def notify_issued(certificate: Certificate) -> bool:
    """Congratulate the holder, with the verification link."""
    holder = certificate.holder
    with in_language_of(holder):
        title = certificate.programme.title
        subject = _("Certificate issued: %(programme)s") % {"programme": title}
        body = render_to_string(
            "certification/email/certificate_issued.txt",
            {
                "certificate": certificate,
                "programme_title": title,
                "verify_url": _verify_url(certificate),
            },
        )
    return send_to(holder, subject, body)


def _verify_url(certificate: Certificate) -> str:
    return verification_url(certificate.code)


def send_expiry_reminders(now: datetime | None = None) -> int:
    """Send the reminders that are due; returns how many were sent (see the module docstring).
    Safe to run twice or on two workers at once: the reminder row is written first, in the
    same transaction as the send, and is unique per certificate and threshold."""
    now = now or timezone.now()
    thresholds = sorted(int(d) for d in settings.CERT_EXPIRY_REMINDER_DAYS)
    if not thresholds:
        return 0
    due = list(
        Certificate.objects.filter(
            status=CertificateStatus.ISSUED,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=thresholds[-1]),
        ).select_related("holder", "programme")
    )
    sent_before = set(
        ExpiryReminder.objects.filter(certificate__in=due).values_list(
            "certificate_id", "days_before"
        )
    )
    count = 0
    for certificate in due:
        if certificate.expires_at is None:  # never: the filter above
            continue
        left = certificate.expires_at - now
        days = next(d for d in thresholds if left <= timedelta(days=d))
        if (certificate.pk, days) in sent_before:
            continue
        try:
            with transaction.atomic():
                ExpiryReminder.objects.create(certificate=certificate, days_before=days)
                sent = _send_reminder(certificate, now)
        except IntegrityError:
            continue  # another run sent it
        except (smtplib.SMTPException, OSError):
            # Rolled back with its reminder row: tried again next night.
            logger.exception("expiry reminder for certificate %s not sent", certificate.pk)
            continue
        count += sent
    return count


def _send_reminder(certificate: Certificate, now: datetime) -> bool:
    holder = certificate.holder
    days_left = max((timezone.localdate(certificate.expires_at) - timezone.localdate(now)).days, 0)
    with in_language_of(holder):
        title = certificate.programme.title
        subject = _("Your certificate “%(programme)s” expires soon") % {"programme": title}
        body = render_to_string(
            "certification/email/expiry_reminder.txt",
            {
                "certificate": certificate,
                "programme_title": title,
                "days_left": days_left,
                "dashboard_url": absolute_url("certification:dashboard"),
            },
        )
    return send_to(holder, subject, body)
