"""The audit log is append-only (models, querysets and, on PostgreSQL, a trigger), and two
workers issuing at once make one valid certificate."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from certification.models import (
    AuditAction,
    AuditEvent,
    Certificate,
)
from certification.services.certificates import (
    issue_if_eligible,
    revoke,
)
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    VersionFactory,
    scans,
)
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- the audit log is append-only --------------------------------------------------------------


@pytest.fixture
def event(programme, version, director, now):
    certificate = CertificateFactory(programme=programme, version=version)
    revoke(certificate=certificate, by=director, reason="test", now=now)
    return AuditEvent.objects.get()


def test_audit_events_cannot_be_changed_or_deleted(event):
    event.reason = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.reason == "test"


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="the append-only trigger exists on PostgreSQL only (DATABASE_URL=postgres://…); "
    "on SQLite only the model and queryset guards apply (tested above)",
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE certification_auditevent SET reason = 'rewritten'",
        "DELETE FROM certification_auditevent",
    ],
)
def test_postgresql_refuses_raw_update_and_delete(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    event.refresh_from_db()
    assert event.reason == "test"


@pytest.mark.skipif(
    not ON_POSTGRES, reason="concurrent issue: PostgreSQL only; SQLite serialises writers anyway"
)
@pytest.mark.django_db(transaction=True)
def test_one_valid_certificate_when_two_workers_issue_at_once(hospital):
    now = timezone.now()
    trainee = TraineeFactory(institution=hospital)
    programme = ProgrammeFactory(institution=hospital)
    scans(VersionFactory(programme=programme, published_at=now - timedelta(1)), count=1)
    LogbookEntryFactory(trainee=trainee)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(issue_if_eligible(user=trainee, programme=programme, now=now))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result is not None for result in results) == 1
    assert Certificate.objects.filter(holder=trainee).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.ISSUED).count() == 1
