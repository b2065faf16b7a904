"""The certificate lifecycle: never issued without every requirement, renewal, manual issue,
revocation, expiry, and the append-only audit log."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Q, Sum
from django.utils import timezone

from cases.models import CaseStatus, CaseWatch
from certification.models import (
    Adequacy,
    AuditAction,
    AuditEvent,
    Certificate,
    CertificateStatus,
    EntryStatus,
    ExamType,
    LogbookEntry,
    RequirementKind,
)
from certification.services.certificates import (
    add_months,
    can_manage,
    certificate_status,
    expire_due,
    issue_if_eligible,
    issue_manually,
    revoke,
)
from certification.services.evaluation import evaluate
from core.scoping import PublicationStatus
from courses.models import LessonCompletion
from courses.progress import build_course_states
from quizzes.models import Attempt, AttemptStatus
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
    complete_lesson,
    reviewed_case,
    scans,
    submitted_attempt,
)
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.factories import DirectorFactory, InstructorFactory, TraineeFactory
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- issue when (and only when) eligible -------------------------------------------------------


def test_issued_when_every_requirement_is_met(
    trainee, programme, version, now, django_capture_on_commit_callbacks
):
    scans(version, count=2)
    LogbookEntryFactory(trainee=trainee)
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None
    assert not Certificate.objects.exists()
    LogbookEntryFactory(trainee=trainee)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_if_eligible(user=trainee, programme=programme, now=now)
    assert certificate.holder == trainee
    assert (certificate.programme, certificate.version) == (programme, version)
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.issued_at == now
    assert certificate.expires_at == add_months(now, 36)
    assert certificate.issued_by is None and certificate.renews is None
    assert len(certificate.code) >= 20
    event = AuditEvent.objects.get()
    assert (event.action, event.certificate, event.subject, event.actor) == (
        AuditAction.ISSUED,
        certificate,
        trainee,
        None,
    )
    assert event.data["requirements_met"] is True


def test_issue_is_idempotent(trainee, programme, version, now):
    scans(version, count=1)
    LogbookEntryFactory(trainee=trainee)
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is not None
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_codes_are_unique_and_unguessable(programme, version, now):
    scans(version, count=0)
    codes = {
        issue_if_eligible(user=user, programme=programme, now=now).code
        for user in TraineeFactory.create_batch(5)
    }
    assert len(codes) == 5
    assert all(len(code) >= 20 for code in codes)


@pytest.mark.parametrize(
    ("issued", "months", "expires"),
    [
        ("2024-01-31 10:00", 1, "2024-02-29 10:00"),  # leap year: last day of February
        ("2023-01-31 10:00", 1, "2023-02-28 10:00"),
        ("2024-02-29 10:00", 12, "2025-02-28 10:00"),
        ("2024-11-15 23:30", 36, "2027-11-15 23:30"),
        ("2024-05-10 00:10", 7, "2024-12-10 00:10"),
    ],
)
def test_validity_is_counted_in_calendar_months_local_time(issued, months, expires):
    start = timezone.make_aware(datetime.fromisoformat(issued))
    assert add_months(start, months) == timezone.make_aware(datetime.fromisoformat(expires))


def test_validity_of_zero_months_never_expires(trainee, hospital, now):
    programme = ProgrammeFactory(institution=hospital, validity_months=0)
    scans(VersionFactory(programme=programme, published_at=now - timedelta(1)), count=0)
    certificate = issue_if_eligible(user=trainee, programme=programme, now=now)
    assert certificate.expires_at is None
    assert certificate_status(certificate, now + timedelta(days=10000)) == "issued"


# --- never issued to someone who has not met every requirement (random records) ----------------


def _independent_met(user, programme, version, now) -> bool:
    """The rules written again, naively, one ORM query per requirement: the oracle."""
    previous = (
        Certificate.objects.filter(
            holder=user, programme=programme, status__in=["issued", "expired"]
        )
        .order_by("-issued_at")
        .first()
    )
    stages = ["both", "recertification"] if previous else ["both", "initial"]
    since = version.counts_from
    if previous and (since is None or previous.issued_at > since):
        since = previous.issued_at
    requirements = list(version.requirements.filter(stage__in=stages))
    if not requirements:
        return False
    return all(_requirement_met(req, user, since, now) for req in requirements)


def _requirement_met(req, user, since, now) -> bool:
    if req.kind == "scans":
        rows = (
            LogbookEntry.objects.filter(trainee=user, status="approved")
            .exclude(adequacy="inadequate")
            .exclude(corrections__status="approved")
        )
        if req.exam_types:
            rows = rows.filter(exam_type__in=req.exam_types)
        if req.organ:
            rows = rows.filter(organ=req.organ)
        if since is not None:
            rows = rows.filter(performed_on__gte=timezone.localdate(since))
        return rows.count() >= req.count
    if req.kind == "quiz":
        rows = Attempt.objects.filter(
            user=user, quiz=req.quiz, status="submitted", needs_grading=False
        )
        if since is not None:
            rows = rows.filter(submitted_at__gte=since)
        best = rows.aggregate(best=Max("percent"))["best"]
        needed = req.min_score if req.min_score is not None else req.quiz.pass_mark
        return best is not None and best >= needed
    if req.kind == "cases":
        rows = CaseWatch.objects.filter(
            user=user, reviewed_at__isnull=False, case__status=CaseStatus.PUBLISHED
        )
        if since is not None:
            rows = rows.filter(reviewed_at__gte=since)
        if req.organ:
            rows = rows.filter(case__organ=req.organ)
        if req.category:
            rows = rows.filter(case__category=req.category)
        return rows.count() >= req.count
    if req.kind == "cme":
        rows = LessonCompletion.objects.filter(
            user=user, lesson__status="published", lesson__module__status="published"
        )
        if since is not None:
            rows = rows.filter(completed_at__gte=since)
        minutes = rows.aggregate(m=Sum("lesson__estimated_minutes"))["m"] or 0
        return minutes / 60 >= req.hours
    if req.kind == "courses":
        courses = list(req.courses.all())
        states = build_course_states(user, courses)
        return bool(courses) and all(states[c.pk].progress.is_complete for c in courses)
    if req.kind == "prerequisite":
        return (
            Certificate.objects.filter(holder=user, programme=req.prerequisite, status="issued")
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .exists()
        )
    raise AssertionError(req.kind)


class RandomWorld:
    """Random requirements and records, each record "good" most of the time, so that both
    eligible and ineligible trainees come up often."""

    def __init__(self, rng: random.Random, hospital, now):
        self.rng, self.hospital, self.now = rng, hospital, now
        self.quiz = QuizFactory(institution=hospital, pass_mark=60)
        self.basic = ProgrammeFactory(institution=hospital)
        self.course = CourseFactory(institution=hospital)
        module = ModuleFactory(course=self.course)
        self.lessons = [LessonFactory(module=module, estimated_minutes=30) for _ in range(2)]
        self.draft_lesson = LessonFactory(
            module=module, estimated_minutes=120, status=PublicationStatus.DRAFT
        )

    def when(self, days_back: int = 40) -> datetime:
        return self.now - timedelta(hours=self.rng.randint(1, days_back * 24))

    def programme(self):
        rng = self.rng
        programme = ProgrammeFactory(institution=self.hospital)
        counts_from = self.now - timedelta(days=20) if rng.random() < 0.5 else None
        version = VersionFactory(
            programme=programme, published_at=self.now - timedelta(days=25), counts_from=counts_from
        )
        kinds = rng.sample(
            ["scans", "quiz", "cases", "cme", "courses", "prerequisite"], k=rng.randint(1, 3)
        )
        for kind in kinds:
            stage = rng.choice(["both", "both", "initial", "recertification"])
            fields = {"version": version, "kind": kind, "stage": stage}
            if kind == "scans":
                fields |= {
                    "count": rng.randint(1, 2),
                    "exam_types": rng.choice([[], [ExamType.CEUS_LIVER]]),
                    "organ": rng.choice(["", "liver"]),
                }
            elif kind == "quiz":
                fields |= {"quiz": self.quiz, "min_score": rng.choice([None, 50, 80])}
            elif kind == "cases":
                fields |= {"count": rng.randint(1, 2), "organ": rng.choice(["", "liver"])}
            elif kind == "cme":
                fields |= {"hours": rng.choice([0.5, 1.0])}
            elif kind == "courses":
                fields |= {"courses": [self.course]}
            else:
                fields |= {"prerequisite": self.basic}
            RequirementFactory(**fields)
        return programme, version

    def records(self, user, programme, version):
        rng = self.rng
        if rng.random() < 0.3:  # a previous certificate: recertification, or not if revoked
            CertificateFactory(
                holder=user,
                programme=programme,
                version=version,
                issued_at=self.when(30),
                expires_at=self.now - timedelta(days=1),
                status=rng.choice([CertificateStatus.EXPIRED, CertificateStatus.REVOKED]),
            )
        entries = []
        for _ in range(rng.randint(0, 6)):
            status = rng.choice(["approved"] * 4 + ["rejected", "pending"])
            entries.append(
                LogbookEntryFactory(
                    trainee=user,
                    performed_on=timezone.localdate(self.when()),
                    exam_type=rng.choice([ExamType.CEUS_LIVER] * 3 + [ExamType.CEUS_KIDNEY]),
                    organ=rng.choice(["liver"] * 3 + ["kidney"]),
                    status=status,
                    adequacy=rng.choice(["good", "adequate", "inadequate"])
                    if status == "approved"
                    else "",
                    corrects=rng.choice(entries) if entries and rng.random() < 0.5 else None,
                    reviewed_by=None,
                )
            )
        for _ in range(rng.randint(0, 4)):
            submitted_attempt(
                user,
                self.quiz,
                rng.choice([30, 55, 65, 85, 100]),
                self.when(),
                needs_grading=rng.random() < 0.2,
            )
        for _ in range(rng.randint(0, 4)):
            reviewed_case(
                user,
                self.when() if rng.random() < 0.85 else None,
                organ=rng.choice(["liver", "liver", "kidney"]),
                status=rng.choice([CaseStatus.PUBLISHED] * 4 + [CaseStatus.DRAFT]),
            )
        for lesson in [*self.lessons, self.draft_lesson]:
            if rng.random() < 0.8:
                complete_lesson(user, lesson, self.when())
        if rng.random() < 0.85:
            expires = self.now + timedelta(days=rng.choice([-1, 1, 100]))
            CertificateFactory(
                holder=user,
                programme=self.basic,
                issued_at=self.when(),
                expires_at=expires,
                status=rng.choice(["issued"] * 3 + ["revoked"]),
            )


def test_never_issued_unless_every_requirement_is_met_random_records(hospital, now):
    rng = random.Random(20240607)
    world = RandomWorld(rng, hospital, now)
    outcomes = []
    for _ in range(120):
        programme, version = world.programme()
        user = TraineeFactory(institution=hospital)
        world.records(user, programme, version)
        expected = _independent_met(user, programme, version, now)
        certificate = issue_if_eligible(user=user, programme=programme, now=now)
        assert (certificate is not None) == expected, (
            [(r.kind, r.stage) for r in version.requirements.all()],
            [
                (i.requirement.kind, i.done, i.needed, i.met)
                for i in evaluate(user, programme, now=now).requirements
            ],
        )
        outcomes.append(expected)
    # The seed gives both outcomes plenty of times, so the comparison means something.
    assert 20 <= sum(outcomes) <= 100, sum(outcomes)


# --- manual issue ------------------------------------------------------------------------------


def test_director_issues_manually_with_a_reason(trainee, director, programme, version, now):
    scans(version, count=5)
    certificate = issue_manually(
        user=trainee, programme=programme, by=director, reason="Equivalent training abroad", now=now
    )
    assert (certificate.issued_by, certificate.issue_reason) == (
        director,
        "Equivalent training abroad",
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject, event.reason) == (
        AuditAction.ISSUED_MANUALLY,
        director,
        trainee,
        "Equivalent training abroad",
    )
    assert event.data["requirements_met"] is False  # the override is on record


def test_manual_issue_replaces_a_valid_certificate(trainee, director, programme, version, now):
    old = CertificateFactory(holder=trainee, programme=programme, version=version)
    new = issue_manually(user=trainee, programme=programme, by=director, reason="Renewed", now=now)
    old.refresh_from_db()
    assert (old.status, new.renews) == (CertificateStatus.EXPIRED, old)


def test_site_admin_may_issue_manually(trainee, site_admin, programme, version, now):
    assert issue_manually(user=trainee, programme=programme, by=site_admin, reason="x", now=now)


@pytest.mark.parametrize("who", ["instructor", "trainee", "other_director"])
def test_others_may_not_issue_manually(trainee, instructor, programme, version, now, who):
    by = {
        "instructor": instructor,
        "trainee": trainee,
        "other_director": DirectorFactory(),
    }[who]
    with pytest.raises(PermissionDenied):
        issue_manually(user=trainee, programme=programme, by=by, reason="because", now=now)
    assert not Certificate.objects.exists() and not AuditEvent.objects.exists()


def test_manual_issue_needs_a_reason_and_a_published_version(trainee, director, programme, now):
    with pytest.raises(ValidationError):
        issue_manually(user=trainee, programme=programme, by=director, reason="  ", now=now)
    with pytest.raises(ValidationError):  # no version yet
        issue_manually(user=trainee, programme=programme, by=director, reason="ok", now=now)
    assert not Certificate.objects.exists()


# --- revocation --------------------------------------------------------------------------------


def test_revoke_with_a_reason(director, programme, version, now):
    certificate = CertificateFactory(programme=programme, version=version)
    revoke(certificate=certificate, by=director, reason="Logbook falsified", now=now)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert (certificate.revoked_at, certificate.revoked_by) == (now, director)
    assert certificate.revoke_reason == "Logbook falsified"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject, event.reason) == (
        AuditAction.REVOKED,
        director,
        certificate.holder,
        "Logbook falsified",
    )
    with pytest.raises(ValidationError):  # once
        revoke(certificate=certificate, by=director, reason="again", now=now)


def test_revoke_needs_a_reason_and_a_director(instructor, director, programme, version, now):
    certificate = CertificateFactory(programme=programme, version=version)
    with pytest.raises(ValidationError):
        revoke(certificate=certificate, by=director, reason="", now=now)
    with pytest.raises(PermissionDenied):
        revoke(certificate=certificate, by=instructor, reason="no", now=now)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert not AuditEvent.objects.exists()


def test_can_manage(trainee, instructor, director, site_admin, programme):
    assert can_manage(director, programme) and can_manage(site_admin, programme)
    assert not can_manage(instructor, programme)
    assert not can_manage(trainee, programme)
    assert not can_manage(DirectorFactory(), programme)  # another institution
    assert not can_manage(InstructorFactory(institution=programme.institution), programme)


# --- expiry ------------------------------------------------------------------------------------


def test_expire_due_marks_and_audits_once(programme, version, now):
    due = CertificateFactory(programme=programme, version=version, expires_at=now)
    later = CertificateFactory(
        programme=programme, version=version, expires_at=now + timedelta(seconds=1)
    )
    CertificateFactory(programme=programme, version=version, expires_at=None)
    assert certificate_status(due, now) == CertificateStatus.EXPIRED
    assert certificate_status(later, now) == CertificateStatus.ISSUED
    assert expire_due(now) == 1
    assert expire_due(now) == 0
    due.refresh_from_db()
    assert due.status == CertificateStatus.EXPIRED
    event = AuditEvent.objects.get()
    assert (event.action, event.certificate, event.actor) == (AuditAction.EXPIRED, due, None)


def test_status_of_revoked_and_expired_certificates(programme, version, now):
    revoked = CertificateFactory(status=CertificateStatus.REVOKED, expires_at=now - timedelta(1))
    assert certificate_status(revoked, now) == CertificateStatus.REVOKED


def test_rejected_and_pending_scans_never_issue(trainee, programme, version, now):
    scans(version, count=1)
    LogbookEntryFactory(trainee=trainee, status=EntryStatus.REJECTED, adequacy="")
    LogbookEntryFactory(trainee=trainee, status=EntryStatus.PENDING, adequacy="")
    LogbookEntryFactory(trainee=trainee, adequacy=Adequacy.INADEQUATE)
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None


def test_quiz_attempt_outside_the_version_never_issues(trainee, programme, hospital, now):
    version = VersionFactory(
        programme=programme, published_at=now - timedelta(days=2), counts_from=now - timedelta(1)
    )
    quiz = QuizFactory(institution=hospital)
    RequirementFactory(version=version, kind=RequirementKind.QUIZ, quiz=quiz, min_score=50)
    submitted_attempt(trainee, quiz, 100, now - timedelta(days=3))
    assert issue_if_eligible(user=trainee, programme=programme, now=now) is None
    assert Attempt.objects.filter(status=AttemptStatus.SUBMITTED).count() == 1
