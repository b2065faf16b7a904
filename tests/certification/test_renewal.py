"""Renewal: recertification near or after expiry issues a new certificate that renews the old."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings

from certification.models import (
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateStatus,
    ExamType,
    RequirementStage,
)
from certification.services.certificates import (
    add_months,
    certificate_status,
    issue_if_eligible,
)
from certification.services.evaluation import evaluate
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    VersionFactory,
    scans,
)

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- renewal -----------------------------------------------------------------------------------


@pytest.fixture
def renewal(trainee, hospital, now):
    """A 12-month programme: 2 scans initially, 1 kidney scan to recertify."""
    programme = ProgrammeFactory(institution=hospital, validity_months=12)
    version = VersionFactory(programme=programme, published_at=now - timedelta(days=800))
    scans(version, count=2, stage=RequirementStage.INITIAL)
    scans(version, count=1, organ="kidney", stage=RequirementStage.RECERTIFICATION)
    return programme, version


def _kidney_scan(trainee, on):
    return LogbookEntryFactory(
        trainee=trainee, exam_type=ExamType.CEUS_KIDNEY, organ="kidney", performed_on=on
    )


def test_a_valid_certificate_far_from_expiry_is_not_renewed(trainee, renewal, now):
    programme, version = renewal
    old = CertificateFactory(
        holder=trainee,
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=30),
        expires_at=now + timedelta(days=335),
    )
    _kidney_scan(trainee, now.date())
    assert evaluate(trainee, programme, now=now).met is True
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None
    old.refresh_from_db()
    assert old.status == CertificateStatus.ISSUED


def test_renewal_near_expiry_replaces_the_valid_certificate(trainee, renewal, now):
    programme, version = renewal
    old = CertificateFactory(
        holder=trainee,
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=320),
        expires_at=now + timedelta(days=45),
    )
    _kidney_scan(trainee, (now - timedelta(days=330)).date())  # before the certificate: no
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None
    _kidney_scan(trainee, (now - timedelta(days=3)).date())
    new = issue_if_eligible(user=trainee, programme=programme, now=now)
    assert new.renews == old
    assert new.expires_at == add_months(now, 12)
    old.refresh_from_db()
    assert old.status == CertificateStatus.EXPIRED
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "certificate_id"))
    assert actions == [(AuditAction.EXPIRED, old.pk), (AuditAction.ISSUED, new.pk)]
    assert Certificate.objects.filter(status=CertificateStatus.ISSUED).get() == new


def test_recertification_after_expiry_renews_the_expired_certificate(trainee, renewal, now):
    programme, version = renewal
    old = CertificateFactory(
        holder=trainee,
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=400),
        expires_at=now - timedelta(days=35),
        status=CertificateStatus.EXPIRED,
    )
    _kidney_scan(trainee, (now - timedelta(days=3)).date())
    new = issue_if_eligible(user=trainee, programme=programme, now=now)
    assert new.renews == old
    assert AuditEvent.objects.get().action == AuditAction.ISSUED


def test_an_issued_certificate_past_expiry_is_expired_on_renewal(trainee, renewal, now):
    programme, version = renewal
    old = CertificateFactory(
        holder=trainee,
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=370),
        expires_at=now - timedelta(days=5),
    )
    assert certificate_status(old, now) == CertificateStatus.EXPIRED
    _kidney_scan(trainee, (now - timedelta(days=3)).date())
    new = issue_if_eligible(user=trainee, programme=programme, now=now)
    old.refresh_from_db()
    assert (old.status, new.renews) == (CertificateStatus.EXPIRED, old)
