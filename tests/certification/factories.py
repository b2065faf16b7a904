"""factory_boy factories for certification (published, valid things unless told otherwise)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from certification.models import (
    Adequacy,
    Certificate,
    CertificateStatus,
    EntryStatus,
    ExamType,
    LogbookEntry,
    Programme,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
    RequirementStage,
)
from certification.status_list import allocate_index
from core.scoping import PublicationStatus, Visibility
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"CEUS Liver — Level {n}")
    slug = factory.Sequence(lambda n: f"ceus-liver-{n}")
    description = "Competence in *CEUS* of the liver."
    validity_months = 36
    status = PublicationStatus.PUBLISHED
    visibility = Visibility.INSTITUTION


class VersionFactory(factory.django.DjangoModelFactory):
    """A version published 30 days ago (in force), with evidence counting from the start."""

    class Meta:
        model = ProgrammeVersion

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    counts_from = None


class RequirementFactory(factory.django.DjangoModelFactory):
    """A requirement; pass the fields its ``kind`` needs (``courses=[...]`` sets the M2M)."""

    class Meta:
        model = Requirement
        skip_postgeneration_save = True

    version = factory.SubFactory(VersionFactory)
    kind = RequirementKind.SCANS
    stage = RequirementStage.BOTH
    order = factory.Sequence(int)

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.courses.set(extracted)


class LogbookEntryFactory(factory.django.DjangoModelFactory):
    """An approved, good-quality CEUS liver scan performed today."""

    class Meta:
        model = LogbookEntry
        skip_postgeneration_save = True

    trainee = factory.SubFactory(TraineeFactory)
    performed_on = factory.LazyFunction(timezone.localdate)
    exam_type = ExamType.CEUS_LIVER
    organ = "liver"
    contrast_agent = "SonoVue"
    indication = "Focal liver lesion on B-mode."
    findings = "Arterial phase hyperenhancement with late mild wash-out."
    impression = "LR-5"
    status = EntryStatus.APPROVED
    adequacy = Adequacy.GOOD
    review_comment = "Well documented."
    reviewed_by = factory.SubFactory(
        InstructorFactory, institution=factory.SelfAttribute("..trainee.institution")
    )
    reviewed_at = factory.LazyFunction(timezone.now)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid certificate issued now, for three years."""

    class Meta:
        model = Certificate

    holder = factory.SubFactory(TraineeFactory)
    holder_name = factory.LazyAttribute(lambda c: c.holder.get_full_name() or c.holder.username)
    programme = factory.SubFactory(ProgrammeFactory)
    version = factory.SubFactory(VersionFactory, programme=factory.SelfAttribute("..programme"))
    issued_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda c: c.issued_at + timedelta(days=3 * 365))
    status = CertificateStatus.ISSUED
    status_list_index = factory.LazyFunction(allocate_index)


# --- Evidence from the other apps, at chosen moments -----------------------------------------


def submitted_attempt(user, quiz, percent: float, at, *, needs_grading: bool = False, **kw):
    """A submitted attempt of ``user`` on ``quiz`` scored ``percent``, submitted ``at``."""
    from quizzes.models import Attempt, AttemptStatus

    number = Attempt.objects.filter(user=user, quiz=quiz).count() + 1
    return Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        seed=number,
        status=kw.pop("status", AttemptStatus.SUBMITTED),
        submitted_at=at,
        percent=percent,
        score=percent,
        max_score=100,
        passed=percent >= quiz.pass_mark,
        needs_grading=needs_grading,
        **kw,
    )


def reviewed_case(user, at, **case_fields):
    """A published case (``case_fields`` override) that ``user`` finished watching ``at``."""
    from cases.models import CaseWatch
    from tests.cases.factories import CaseFactory

    case_fields.setdefault("institution", user.institution)
    case = CaseFactory(**case_fields)
    return CaseWatch.objects.create(user=user, case=case, watched_s=30.0, reviewed_at=at)


def complete_lesson(user, lesson, at):
    """``user`` completed ``lesson`` ``at`` (``completed_at`` is auto_now_add: set after)."""
    from courses.models import LessonCompletion

    completion = LessonCompletion.objects.create(user=user, lesson=lesson)
    LessonCompletion.objects.filter(pk=completion.pk).update(completed_at=at)
    return completion


def pending_entry(trainee, **kwargs) -> LogbookEntry:
    """An entry waiting for sign-off: no grade, comment or reviewer."""
    return LogbookEntryFactory(
        trainee=trainee,
        status=EntryStatus.PENDING,
        adequacy="",
        review_comment="",
        reviewed_by=None,
        reviewed_at=None,
        **kwargs,
    )


def scans(version, count=2, **kw):
    """A requirement of ``count`` approved, adequate scans on ``version``."""
    return RequirementFactory(version=version, kind=RequirementKind.SCANS, count=count, **kw)
