"""Requirement evaluation: every kind, its edge cases, stages, percent and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certification.models import (
    Adequacy,
    CertificateStatus,
    EntryStatus,
    ExamType,
    RequirementKind,
)
from certification.services.evaluation import current_version, evaluate
from core.scoping import PublicationStatus
from courses.progress import build_course_states
from quizzes.models import AttemptStatus
from tests.certification.factories import (
    CertificateFactory,
    LogbookEntryFactory,
    ProgrammeFactory,
    RequirementFactory,
    VersionFactory,
    complete_lesson,
    reviewed_case,
    submitted_attempt,
)
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.factories import TraineeFactory
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db

SCANS, QUIZ, CASES = RequirementKind.SCANS, RequirementKind.QUIZ, RequirementKind.CASES
CME, COURSES, PREREQ = RequirementKind.CME, RequirementKind.COURSES, RequirementKind.PREREQUISITE


def only(progress):
    """The single requirement's progress."""
    assert len(progress.requirements) == 1
    return progress.requirements[0]


# --- versions ----------------------------------------------------------------------------------


def test_current_version_is_the_latest_published_in_force(programme, now):
    VersionFactory(programme=programme, number=1, published_at=now - timedelta(days=60))
    second = VersionFactory(programme=programme, number=2, published_at=now - timedelta(days=1))
    VersionFactory(programme=programme, number=3, published_at=None)  # draft
    VersionFactory(programme=programme, number=4, published_at=now + timedelta(days=1))
    assert current_version(programme, now=now) == second


def test_no_published_version_means_nothing_is_met(trainee, programme, now):
    VersionFactory(programme=programme, number=1, published_at=None)
    progress = evaluate(trainee, programme, now=now)
    assert progress.version is None
    assert (progress.met, progress.percent, progress.requirements) == (False, 0, [])


def test_a_version_without_requirements_is_never_met(trainee, programme, version, now):
    progress = evaluate(trainee, programme, now=now)
    assert progress.version == version
    assert progress.met is False


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": SCANS},
        {"kind": CASES},
        {"kind": QUIZ},
        {"kind": CME},
        {"kind": COURSES},
        {"kind": PREREQ},
        {"kind": RequirementKind.CONSULTS},
    ],
)
def test_a_requirement_missing_its_parameter_is_never_met(trainee, programme, version, now, fields):
    RequirementFactory(version=version, **fields)
    item = only(evaluate(trainee, programme, now=now))
    assert item.met is False
    assert item.left


# --- scans -------------------------------------------------------------------------------------


def test_scans_count_approved_adequate_entries_of_the_exam_types(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=25, exam_types=[ExamType.CEUS_LIVER])
    for adequacy in (Adequacy.GOOD, Adequacy.ADEQUATE):
        LogbookEntryFactory(trainee=trainee, adequacy=adequacy)
    # None of these count:
    LogbookEntryFactory(trainee=trainee, adequacy=Adequacy.INADEQUATE)
    LogbookEntryFactory(trainee=trainee, status=EntryStatus.REJECTED, adequacy="")
    LogbookEntryFactory(trainee=trainee, status=EntryStatus.PENDING, adequacy="", reviewed_by=None)
    LogbookEntryFactory(trainee=trainee, exam_type=ExamType.CEUS_KIDNEY, organ="kidney")
    LogbookEntryFactory()  # someone else's
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (2, 25, False)
    assert item.summary == "2 of 25 supervised CEUS liver scans"
    assert item.left == "23 more signed-off scans"


def test_scans_of_any_exam_type_when_none_listed_and_of_the_organ_when_set(
    trainee, programme, version, now
):
    RequirementFactory(version=version, kind=SCANS, count=2, organ="kidney")
    LogbookEntryFactory(trainee=trainee, exam_type=ExamType.CEUS_KIDNEY, organ="kidney")
    LogbookEntryFactory(trainee=trainee, exam_type=ExamType.B_MODE, organ="kidney")
    LogbookEntryFactory(trainee=trainee, exam_type=ExamType.CEUS_LIVER, organ="liver")
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.met) == (2, True)
    assert item.left == ""


def test_a_scan_superseded_by_an_approved_correction_counts_once(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=5)
    original = LogbookEntryFactory(trainee=trainee)
    LogbookEntryFactory(trainee=trainee, corrects=original)  # approved: replaces the original
    pending_fix = LogbookEntryFactory(trainee=trainee)
    LogbookEntryFactory(
        trainee=trainee,
        corrects=pending_fix,
        status=EntryStatus.PENDING,
        adequacy="",
        reviewed_by=None,
    )  # not approved yet: the original still counts
    rejected_fix = LogbookEntryFactory(trainee=trainee)
    LogbookEntryFactory(trainee=trainee, corrects=rejected_fix, status=EntryStatus.REJECTED)
    item = only(evaluate(trainee, programme, now=now))
    # original -> its correction (1), pending_fix (1), rejected_fix (1)
    assert item.done == 3


def test_an_inadequate_correction_still_supersedes_the_original(trainee, programme, version, now):
    RequirementFactory(version=version, kind=SCANS, count=1)
    original = LogbookEntryFactory(trainee=trainee)
    LogbookEntryFactory(trainee=trainee, corrects=original, adequacy=Adequacy.INADEQUATE)
    assert only(evaluate(trainee, programme, now=now)).done == 0


def test_scans_performed_before_counts_from_do_not_count(trainee, programme, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=5),
        counts_from=now - timedelta(days=10),
    )
    RequirementFactory(version=version, kind=SCANS, count=2)
    LogbookEntryFactory(trainee=trainee, performed_on=(now - timedelta(days=30)).date())
    LogbookEntryFactory(trainee=trainee, performed_on=(now - timedelta(days=2)).date())
    assert only(evaluate(trainee, programme, now=now)).done == 1


# --- quizzes -----------------------------------------------------------------------------------


def test_quiz_best_submitted_percent_against_min_score(trainee, programme, version, exam, now):
    RequirementFactory(version=version, kind=QUIZ, quiz=exam, min_score=80)
    submitted_attempt(trainee, exam, 70, now - timedelta(days=2))
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (70, 80, False)
    assert item.summary == "“CEUS LI-RADS exam”: best score 70 % (80 % needed)"
    submitted_attempt(trainee, exam, 85, now - timedelta(days=1))
    submitted_attempt(trainee, exam, 40, now - timedelta(hours=1))  # later and worse: best counts
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.met) == (85, True)


def test_quiz_without_min_score_uses_the_pass_mark(trainee, programme, version, exam, now):
    RequirementFactory(version=version, kind=QUIZ, quiz=exam)
    submitted_attempt(trainee, exam, 60, now - timedelta(days=1))
    item = only(evaluate(trainee, programme, now=now))
    assert (item.needed, item.met) == (60, True)


def test_quiz_attempts_waiting_for_grading_or_open_do_not_count(
    trainee, programme, version, exam, now
):
    RequirementFactory(version=version, kind=QUIZ, quiz=exam, min_score=50)
    submitted_attempt(trainee, exam, 90, now - timedelta(days=1), needs_grading=True)
    submitted_attempt(trainee, exam, 95, None, status=AttemptStatus.IN_PROGRESS)
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.met) == (0, False)
    assert "no graded attempt" in item.summary


def test_quiz_attempts_before_the_version_counts_from_do_not_count(trainee, programme, exam, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=5),
        counts_from=now - timedelta(days=5),
    )
    RequirementFactory(version=version, kind=QUIZ, quiz=exam, min_score=50)
    submitted_attempt(trainee, exam, 100, now - timedelta(days=6))  # under the old version
    assert only(evaluate(trainee, programme, now=now)).met is False
    submitted_attempt(trainee, exam, 55, now - timedelta(days=4))
    assert only(evaluate(trainee, programme, now=now)).met is True


# --- cases -------------------------------------------------------------------------------------


def test_cases_count_published_reviewed_cases_of_organ_and_category(
    trainee, programme, version, now
):
    RequirementFactory(version=version, kind=CASES, count=3, organ="liver", category="LR-5")
    at = now - timedelta(days=1)
    reviewed_case(trainee, at, organ="liver", category="LR-5")
    reviewed_case(trainee, at, organ="liver", category="LR-5")
    reviewed_case(trainee, at, organ="liver", category="LR-3")  # other category
    reviewed_case(trainee, at, organ="kidney", category="")  # other organ
    reviewed_case(trainee, at, organ="liver", category="LR-5", status="draft")  # unpublished
    reviewed_case(trainee, None, organ="liver", category="LR-5")  # watched, not reviewed
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (2, 3, False)
    assert item.summary == "2 of 3 published Liver LR-5 cases reviewed"
    assert item.left == "1 more case to review"


def test_cases_reviewed_before_counts_from_do_not_count(trainee, programme, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=5),
        counts_from=now - timedelta(days=5),
    )
    RequirementFactory(version=version, kind=CASES, count=1)
    reviewed_case(trainee, now - timedelta(days=6))
    assert only(evaluate(trainee, programme, now=now)).done == 0


# --- CME ---------------------------------------------------------------------------------------


def test_cme_hours_from_live_lessons_completed_in_the_window(trainee, programme, hospital, now):
    version = VersionFactory(
        programme=programme,
        published_at=now - timedelta(days=5),
        counts_from=now - timedelta(days=5),
    )
    RequirementFactory(version=version, kind=CME, hours=2)
    course = CourseFactory(institution=hospital)
    module = ModuleFactory(course=course)
    at = now - timedelta(days=1)
    complete_lesson(trainee, LessonFactory(module=module, estimated_minutes=45), at)
    complete_lesson(trainee, LessonFactory(module=module, estimated_minutes=45), at)
    complete_lesson(
        trainee, LessonFactory(module=module, estimated_minutes=600), now - timedelta(10)
    )
    draft = LessonFactory(module=module, estimated_minutes=300, status=PublicationStatus.DRAFT)
    complete_lesson(trainee, draft, at)
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (1.5, 2, False)
    assert item.summary == "1.5 of 2 CME hours"
    assert item.left == "0.5 more CME hours"


def test_cme_limited_to_the_listed_courses(trainee, programme, version, hospital, now):
    listed, other = CourseFactory(institution=hospital), CourseFactory(institution=hospital)
    RequirementFactory(version=version, kind=CME, hours=1, courses=[listed])
    complete_lesson(trainee, LessonFactory(module__course=listed, estimated_minutes=60), now)
    complete_lesson(trainee, LessonFactory(module__course=other, estimated_minutes=60), now)
    assert only(evaluate(trainee, programme, now=now)).done == 1


# --- courses -----------------------------------------------------------------------------------


def _course_complete_on_course_page(user, course) -> bool:
    return build_course_states(user, [course])[course.pk].progress.is_complete


def test_courses_complete_as_on_the_course_page_quizzes_included(
    trainee, programme, version, course, hospital, now
):
    RequirementFactory(version=version, kind=COURSES, courses=[course])
    module = course.modules.get()
    quiz = QuizFactory(institution=hospital, module=module, pass_mark=70)
    for lesson in module.lessons.filter(status=PublicationStatus.PUBLISHED):
        complete_lesson(trainee, lesson, now)
    assert only(evaluate(trainee, programme, now=now)).met is False
    assert _course_complete_on_course_page(trainee, course) is False
    submitted_attempt(trainee, quiz, 65, now)
    assert only(evaluate(trainee, programme, now=now)).met is False
    submitted_attempt(trainee, quiz, 75, now)
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed, item.met) == (1, 1, True)
    assert _course_complete_on_course_page(trainee, course) is True


def test_courses_lists_what_is_missing(trainee, programme, version, course, hospital, now):
    other = CourseFactory(institution=hospital, title="Liver CEUS")
    LessonFactory(module__course=other)
    RequirementFactory(version=version, kind=COURSES, courses=[course, other])
    for lesson in course.modules.get().lessons.filter(status=PublicationStatus.PUBLISHED):
        complete_lesson(trainee, lesson, now)
    item = only(evaluate(trainee, programme, now=now))
    assert (item.done, item.needed) == (1, 2)
    assert item.summary == "1 of 2 courses completed"
    assert item.left == "Complete: Liver CEUS"


def test_a_course_the_user_cannot_see_is_not_complete(programme, version, course, now):
    outsider = TraineeFactory()  # another institution; the course is private to its own
    RequirementFactory(version=version, kind=COURSES, courses=[course])
    for lesson in course.modules.get().lessons.filter(status=PublicationStatus.PUBLISHED):
        complete_lesson(outsider, lesson, now)
    assert only(evaluate(outsider, programme, now=now)).met is False
    assert _course_complete_on_course_page(outsider, course) is False


# --- prerequisites -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expires_in", "met"),
    [
        (CertificateStatus.ISSUED, timedelta(days=10), True),
        (CertificateStatus.ISSUED, None, True),  # never expires
        (CertificateStatus.ISSUED, -timedelta(seconds=1), False),  # past expiry, not yet marked
        (CertificateStatus.EXPIRED, timedelta(days=10), False),
        (CertificateStatus.REVOKED, timedelta(days=10), False),
    ],
)
def test_prerequisite_needs_a_valid_certificate(
    trainee, programme, version, basic, now, status, expires_in, met
):
    RequirementFactory(version=version, kind=PREREQ, prerequisite=basic)
    CertificateFactory(
        holder=trainee,
        programme=basic,
        status=status,
        issued_at=now - timedelta(days=100),
        expires_at=None if expires_in is None else now + expires_in,
    )
    item = only(evaluate(trainee, programme, now=now))
    assert item.met is met
    assert item.summary == (
        "Holds a valid “CEUS basics certificate” certificate"
        if met
        else "No valid “CEUS basics certificate” certificate"
    )


def test_a_certificate_of_another_holder_or_programme_is_no_prerequisite(
    trainee, programme, version, basic, hospital, now
):
    RequirementFactory(version=version, kind=PREREQ, prerequisite=basic)
    CertificateFactory(programme=basic)
    CertificateFactory(holder=trainee, programme=ProgrammeFactory(institution=hospital))
    assert only(evaluate(trainee, programme, now=now)).met is False
