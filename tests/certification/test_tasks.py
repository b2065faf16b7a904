"""Automatic issue: records changing queue ``evaluate_user`` after commit; the nightly beat
task expires, reminds and renews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from cases.models import CaseWatch
from certification import tasks
from certification.models import (
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateStatus,
    EntryStatus,
    RequirementKind,
    RequirementStage,
)
from certification.services.certificates import issue_manually
from courses.models import LessonCompletion
from quizzes.models import Attempt
from quizzes.services.attempts import attempt_submit
from tests.cases.factories import CaseFactory
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
)
from tests.courses.factories import LessonFactory
from tests.factories import TraineeFactory
from tests.quizzes.factories import QuizFactory
from training.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The user ids queued for evaluation (nothing runs)."""
    calls: list[int] = []
    monkeypatch.setattr(tasks.evaluate_user, "delay", lambda *, user_pk: calls.append(user_pk))
    return calls


def _pending_entry(trainee):
    return LogbookEntryFactory(
        trainee=trainee, status=EntryStatus.PENDING, adequacy="", reviewed_by=None, reviewed_at=None
    )


def _approve(entry, instructor):
    entry.status = EntryStatus.APPROVED
    entry.adequacy = "good"
    entry.reviewed_by = instructor
    entry.reviewed_at = timezone.now()
    entry.save()


# --- records changing issue certificates -------------------------------------------------------


def test_approving_the_last_scan_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, instructor, programme, version
):
    RequirementFactory(version=version, kind=RequirementKind.SCANS, count=1)
    entry = _pending_entry(trainee)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _approve(entry, instructor)
    certificate = Certificate.objects.get()
    assert (certificate.holder, certificate.programme) == (trainee, programme)
    assert AuditEvent.objects.get().action == AuditAction.ISSUED
    assert [m.subject for m in mail.outbox] == ["Certificate issued: CEUS Liver — Level 1"]


def test_submitting_a_quiz_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, hospital, programme, version
):
    quiz = QuizFactory(institution=hospital)
    RequirementFactory(version=version, kind=RequirementKind.QUIZ, quiz=quiz, min_score=0)
    attempt = Attempt.objects.create(quiz=quiz, user=trainee, number=1, seed=1)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=attempt.pk, user=trainee)
    assert Certificate.objects.filter(holder=trainee).exists()


def test_completing_a_lesson_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, hospital, programme, version
):
    RequirementFactory(version=version, kind=RequirementKind.CME, hours=0.5)
    lesson = LessonFactory(module__course__institution=hospital, estimated_minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        LessonCompletion.objects.create(user=trainee, lesson=lesson)
    assert Certificate.objects.filter(holder=trainee).exists()


def test_reviewing_a_case_issues_the_certificate(
    celery_eager, django_capture_on_commit_callbacks, trainee, hospital, programme, version
):
    RequirementFactory(version=version, kind=RequirementKind.CASES, count=1)
    watch = CaseWatch.objects.create(user=trainee, case=CaseFactory(institution=hospital))
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        watch.reviewed_at = timezone.now()
        watch.save()
    assert Certificate.objects.filter(holder=trainee).exists()


def test_a_prerequisite_chain_is_issued_in_one_evaluation(
    celery_eager, django_capture_on_commit_callbacks, trainee, instructor, hospital, now
):
    # Programmes are evaluated in id order: the dependent one first, so it needs a second pass.
    advanced = ProgrammeFactory(institution=hospital)
    basic = ProgrammeFactory(institution=hospital)
    RequirementFactory(version=VersionFactory(programme=basic), kind=RequirementKind.SCANS, count=1)
    RequirementFactory(
        version=VersionFactory(programme=advanced),
        kind=RequirementKind.PREREQUISITE,
        prerequisite=basic,
    )
    with django_capture_on_commit_callbacks(execute=True):
        _approve(_pending_entry(trainee), instructor)
    assert set(Certificate.objects.values_list("programme_id", flat=True)) == {
        basic.pk,
        advanced.pk,
    }


def test_a_manual_issue_evaluates_the_programmes_it_is_a_prerequisite_of(
    celery_eager, django_capture_on_commit_callbacks, trainee, director, programme, version, now
):
    basic = ProgrammeFactory(institution=programme.institution)
    VersionFactory(programme=basic)
    RequirementFactory(version=version, kind=RequirementKind.PREREQUISITE, prerequisite=basic)
    with django_capture_on_commit_callbacks(execute=True):
        issue_manually(user=trainee, programme=basic, by=director, reason="Transfer")
    assert Certificate.objects.filter(holder=trainee, programme=programme).exists()


# --- what queues an evaluation, and what does not ----------------------------------------------


def test_only_relevant_changes_queue_an_evaluation(
    queued, django_capture_on_commit_callbacks, trainee, instructor, hospital
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = _pending_entry(trainee)  # pending: nothing to evaluate
        watch = CaseWatch.objects.create(user=trainee, case=CaseFactory(institution=hospital))
        watch.watched_s = 5  # a heartbeat before the review
        watch.save()
    assert queued == []
    with django_capture_on_commit_callbacks(execute=True):
        _approve(entry, instructor)
    assert queued == [trainee.pk]
    with django_capture_on_commit_callbacks(execute=True):
        entry.review_comment = "typo fixed"  # the review itself did not change
        entry.save()
    assert queued == [trainee.pk]
    with django_capture_on_commit_callbacks(execute=True):
        watch.reviewed_at = timezone.now()
        watch.save()
        watch.watched_s = 50  # heartbeats after the review
        watch.save()
        CaseWatch.objects.get(pk=watch.pk).save()  # a fresh load of a reviewed watch
    assert queued == [trainee.pk, trainee.pk]


def test_nothing_is_queued_for_a_rolled_back_transaction(
    queued, django_capture_on_commit_callbacks, trainee, instructor
):
    from django.db import transaction

    entry = _pending_entry(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _approve(entry, instructor)
                raise RuntimeError("the view failed")
        except RuntimeError:
            pass
    assert queued == []


def test_evaluate_user_of_an_unknown_or_inactive_user_does_nothing(celery_eager, trainee):
    trainee.is_active = False
    trainee.save()
    assert tasks.evaluate_user.delay(user_pk=trainee.pk).get() == []
    assert tasks.evaluate_user.delay(user_pk=987654).get() == []


# --- nightly -----------------------------------------------------------------------------------


def test_the_nightly_task_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["certification-nightly"]
    assert entry["task"] == tasks.NIGHTLY == "certification.nightly"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert tasks.NIGHTLY in celery_app.tasks
    assert tasks.EVALUATE_USER in celery_app.tasks


def test_nightly_expires_reminds_and_renews(
    celery_eager, django_capture_on_commit_callbacks, hospital, programme, version
):
    now = timezone.now()
    RequirementFactory(
        version=version, kind=RequirementKind.SCANS, count=99, stage=RequirementStage.INITIAL
    )
    RequirementFactory(
        version=version,
        kind=RequirementKind.SCANS,
        count=1,
        stage=RequirementStage.RECERTIFICATION,
    )
    lapsed = CertificateFactory(
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=400),
        expires_at=now - timedelta(hours=1),
    )
    reminded = CertificateFactory(
        programme=programme, version=version, expires_at=now + timedelta(days=50)
    )
    renewing = CertificateFactory(
        holder=TraineeFactory(institution=hospital),  # one who sees the programme
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=300),
        expires_at=now + timedelta(days=10),
    )
    # Signed off days ago (its evaluation then found the certificate far from renewal); only
    # the renewal window brings the holder up tonight.
    LogbookEntryFactory(
        trainee=renewing.holder,
        performed_on=(now - timedelta(days=5)).date(),
        reviewed_at=now - timedelta(days=4),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.nightly.delay().get()
    assert result["expired"] == 1
    assert result["reminders"] == 2  # the 60-day one and the renewing holder's 14-day one
    lapsed.refresh_from_db()
    assert lapsed.status == CertificateStatus.EXPIRED
    renewing.refresh_from_db()
    assert renewing.status == CertificateStatus.EXPIRED
    renewal = Certificate.objects.get(renews=renewing)
    assert renewal.status == CertificateStatus.ISSUED
    assert not Certificate.objects.filter(holder=reminded.holder).exclude(pk=reminded.pk).exists()
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == sorted([AuditAction.EXPIRED, AuditAction.EXPIRED, AuditAction.ISSUED])
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted(
        [
            "Certificate issued: CEUS Liver — Level 1",
            "Your certificate “CEUS Liver — Level 1” expires soon",
            "Your certificate “CEUS Liver — Level 1” expires soon",
        ]
    )
