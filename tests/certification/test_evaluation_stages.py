"""Evaluation across stages (initial certification, recertification), the progress percent,
and many users at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from certification.models import (
    CertificateStatus,
    ExamType,
    RequirementKind,
    RequirementStage,
)
from certification.services.evaluation import evaluate, evaluate_many
from core.scoping import PublicationStatus
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    RequirementFactory,
    complete_lesson,
    reviewed_case,
    submitted_attempt,
)
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db

SCANS, QUIZ, CASES = RequirementKind.SCANS, RequirementKind.QUIZ, RequirementKind.CASES
CME, COURSES, PREREQ = RequirementKind.CME, RequirementKind.COURSES, RequirementKind.PREREQUISITE


# --- stages ------------------------------------------------------------------------------------


@pytest.fixture
def staged(version):
    """One requirement of each stage: 2 scans (both), 1 liver case (initial only), 1 kidney
    scan (recertification only)."""
    return {
        "both": RequirementFactory(version=version, kind=SCANS, count=2, organ="liver"),
        "initial": RequirementFactory(
            version=version, kind=CASES, count=1, stage=RequirementStage.INITIAL
        ),
        "recert": RequirementFactory(
            version=version,
            kind=SCANS,
            count=1,
            organ="kidney",
            stage=RequirementStage.RECERTIFICATION,
        ),
    }


def test_initial_stage_applies_both_and_initial_requirements(trainee, programme, staged, now):
    progress = evaluate(trainee, programme, now=now)
    assert progress.stage == RequirementStage.INITIAL
    assert [item.requirement for item in progress.requirements] == [
        staged["both"],
        staged["initial"],
    ]


@pytest.mark.parametrize("status", [CertificateStatus.ISSUED, CertificateStatus.EXPIRED])
def test_recertification_counts_only_evidence_after_the_previous_certificate(
    trainee, programme, version, staged, now, status
):
    issued = now - timedelta(days=20)
    CertificateFactory(
        holder=trainee, programme=programme, version=version, issued_at=issued, status=status
    )
    LogbookEntryFactory(trainee=trainee, performed_on=localdate(issued - timedelta(days=1)))
    LogbookEntryFactory(trainee=trainee, performed_on=localdate(issued - timedelta(days=2)))
    LogbookEntryFactory(trainee=trainee, performed_on=localdate(now - timedelta(days=1)))
    LogbookEntryFactory(
        trainee=trainee,
        exam_type=ExamType.CEUS_KIDNEY,
        organ="kidney",
        performed_on=localdate(now - timedelta(days=1)),
    )
    progress = evaluate(trainee, programme, now=now)
    assert progress.stage == RequirementStage.RECERTIFICATION
    assert progress.since == issued
    done = {item.requirement.pk: item.done for item in progress.requirements}
    assert done == {staged["both"].pk: 1, staged["recert"].pk: 1}  # no initial-only case
    assert progress.met is False


def test_a_scan_signed_off_before_the_certificate_never_counts_again_for_its_renewal(
    trainee, programme, version, now
):
    """Same day, before and after the issue: only the scan approved after it counts."""
    RequirementFactory(version=version, kind=SCANS, count=1, stage=RequirementStage.BOTH)
    issued = now - timedelta(hours=2)
    CertificateFactory(holder=trainee, programme=programme, version=version, issued_at=issued)
    LogbookEntryFactory(
        trainee=trainee, performed_on=localdate(issued), reviewed_at=issued - timedelta(minutes=5)
    )
    progress = evaluate(trainee, programme, now=now)
    assert progress.stage == RequirementStage.RECERTIFICATION
    assert [item.done for item in progress.requirements] == [0]
    LogbookEntryFactory(
        trainee=trainee, performed_on=localdate(issued), reviewed_at=issued + timedelta(minutes=5)
    )
    assert [item.done for item in evaluate(trainee, programme, now=now).requirements] == [1]


def test_a_revoked_certificate_does_not_make_a_recertification(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=1)
    CertificateFactory(
        holder=trainee,
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=5),
        status=CertificateStatus.REVOKED,
    )
    LogbookEntryFactory(trainee=trainee, performed_on=localdate(now - timedelta(days=10)))
    progress = evaluate(trainee, programme, now=now)
    assert progress.stage == RequirementStage.INITIAL
    assert progress.met is True


# --- percent -----------------------------------------------------------------------------------


def test_percent_is_the_floor_of_the_mean_capped_fraction(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=3)
    RequirementFactory(version=version, kind=CASES, count=1)
    for _ in range(5):  # more than needed: capped at 1
        LogbookEntryFactory(trainee=trainee)
    progress = evaluate(trainee, programme, now=now)
    assert [item.percent for item in progress.requirements] == [100, 0]
    assert progress.percent == 50
    assert progress.met is False


def test_percent_is_never_100_before_everything_is_met(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=200)
    LogbookEntryFactory.create_batch(199, trainee=trainee, reviewed_by=None)  # 99.5 %
    progress = evaluate(trainee, programme, now=now)
    assert progress.requirements[0].percent == 99
    assert progress.percent == 99
    LogbookEntryFactory(trainee=trainee, reviewed_by=None)
    assert evaluate(trainee, programme, now=now).percent == 100


# --- many users at once ------------------------------------------------------------------------


def _every_kind(version, hospital, basic, exam, course):
    RequirementFactory(version=version, kind=SCANS, count=2, exam_types=[ExamType.CEUS_LIVER])
    RequirementFactory(version=version, kind=QUIZ, quiz=exam, min_score=50)
    RequirementFactory(version=version, kind=CASES, count=1)
    RequirementFactory(version=version, kind=CME, hours=1)
    RequirementFactory(version=version, kind=COURSES, courses=[course])
    RequirementFactory(version=version, kind=PREREQ, prerequisite=basic)


def _trainees_with_records(n, hospital, basic, exam, course, now):
    users = TraineeFactory.create_batch(n, institution=hospital)
    lessons = list(course.modules.get().lessons.filter(status=PublicationStatus.PUBLISHED))
    for i, user in enumerate(users):
        LogbookEntryFactory(trainee=user, reviewed_by=None)
        submitted_attempt(user, exam, 40 + i, now - timedelta(hours=1))
        reviewed_case(user, now - timedelta(hours=1))
        complete_lesson(user, lessons[i % len(lessons)], now - timedelta(hours=1))
        CertificateFactory(holder=user, programme=basic, issued_at=now - timedelta(days=1))
    return users


def test_evaluate_many_uses_a_constant_number_of_queries(
    programme, version, hospital, basic, exam, course, now
):
    _every_kind(version, hospital, basic, exam, course)
    counts = []
    for n in (2, 20):
        users = _trainees_with_records(n, hospital, basic, exam, course, now)
        with CaptureQueriesContext(connection) as queries:
            results = evaluate_many(users, programme, now=now)
        counts.append(len(queries))
        assert set(results) == {user.pk for user in users}
    assert counts[0] == counts[1], counts
    assert counts[1] <= 16


def test_evaluate_many_agrees_with_evaluate(programme, version, hospital, basic, exam, course, now):
    _every_kind(version, hospital, basic, exam, course)
    users = _trainees_with_records(4, hospital, basic, exam, course, now)
    many = evaluate_many(users, programme, now=now)
    for user in users:
        one = evaluate(user, programme, now=now)
        assert [(i.done, i.met) for i in one.requirements] == [
            (i.done, i.met) for i in many[user.pk].requirements
        ]
        assert one.percent == many[user.pk].percent
