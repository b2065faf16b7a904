"""The records requirements are checked against, loaded for many users at once.

``load_evidence`` reads, for a set of users and the requirements of one programme version,
everything the checks in ``certification.services.requirements`` need, in a number of queries
that depends on the kinds of requirement present and never on the number of users: the
director's cohort table evaluates a whole cohort this way. Rows are read from the version's
``counts_from`` on; the narrower per-user window of recertification is applied in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from cases.models import CaseStatus, CaseWatch
from certification.models import (
    Certificate,
    CertificateStatus,
    EntryStatus,
    LogbookEntry,
    Requirement,
    RequirementKind,
)
from consults.selectors import answered_consults
from core.scoping import PublicationStatus
from courses.models import Course, Lesson, LessonCompletion, Module
from live.selectors import live_hours
from quizzes.models import Attempt, Quiz


@dataclass
class CourseContent:
    """The live content of one required course: what completing it means."""

    course: Course
    lesson_ids: list[int] = field(default_factory=list)
    quizzes: list[Quiz] = field(default_factory=list)


@dataclass
class Evidence:
    """Per-user records, keyed by user id (see the module docstring)."""

    # (user id, quiz id) -> attempts (all statuses; the checks filter)
    attempts: dict[tuple[int, int], list[Attempt]] = field(default_factory=dict)
    # user id -> {lesson id: completed_at} for the lessons of required courses
    completions: dict[int, dict[int, datetime]] = field(default_factory=dict)
    courses: dict[int, CourseContent] = field(default_factory=dict)
    # user id -> [(completed_at, minutes, course id)] of live lessons, for CME
    cme: dict[int, list[tuple[datetime, int, int]]] = field(default_factory=dict)
    # user id -> [(reviewed_at, organ, category)] of published cases
    cases: dict[int, list[tuple[datetime, str, str]]] = field(default_factory=dict)
    # user id -> approved logbook entries; ids of entries an approved correction supersedes
    entries: dict[int, list[LogbookEntry]] = field(default_factory=dict)
    superseded: set[int] = field(default_factory=set)
    # (user id, programme id) -> certificates of prerequisite programmes
    certificates: dict[tuple[int, int], list[Certificate]] = field(default_factory=dict)
    # user id -> [(answered_at, organ)] of the consultations they asked that were answered
    consults: dict[int, list[tuple[datetime, str]]] = field(default_factory=dict)
    # user id -> [(session ended_at, hours active)] of the live sessions they attended
    live: dict[int, list[tuple[datetime, float]]] = field(default_factory=dict)


def load_evidence(
    users: Sequence, requirements: Sequence[Requirement], since: datetime | None
) -> Evidence:
    """Everything ``requirements`` need about ``users``, from ``since`` on (None: all)."""
    evidence = Evidence()
    user_ids = [user.pk for user in users]
    kinds = {req.kind for req in requirements}
    if not user_ids or not kinds:
        return evidence
    quiz_ids = {req.quiz_id for req in requirements if req.kind == RequirementKind.QUIZ}
    if RequirementKind.COURSES in kinds:
        course_ids = {
            course.pk
            for req in requirements
            if req.kind == RequirementKind.COURSES
            for course in req.courses.all()
        }
        _load_courses(evidence, user_ids, course_ids)
        quiz_ids |= {quiz.pk for content in evidence.courses.values() for quiz in content.quizzes}
    known_quiz_ids = {pk for pk in quiz_ids if pk is not None}
    if known_quiz_ids:
        _load_attempts(evidence, user_ids, known_quiz_ids)
    if RequirementKind.CME in kinds:
        _load_cme(evidence, user_ids, since)
    if RequirementKind.CASES in kinds:
        _load_cases(evidence, user_ids, since)
    if RequirementKind.SCANS in kinds:
        _load_entries(evidence, user_ids)
    if RequirementKind.CONSULTS in kinds:
        evidence.consults = answered_consults(user_ids, since)
    if RequirementKind.LIVE_HOURS in kinds:
        evidence.live = live_hours(user_ids, since)
    if RequirementKind.PREREQUISITE in kinds:
        programme_ids = {
            req.prerequisite_id
            for req in requirements
            if req.kind == RequirementKind.PREREQUISITE and req.prerequisite_id
        }
        _load_certificates(evidence, user_ids, programme_ids)
    return evidence


def _load_courses(evidence: Evidence, user_ids: list[int], course_ids: set[int]) -> None:
    """Live lessons and published quizzes of the courses, and the users' completions of those
    lessons (four queries). Mirrors ``courses.progress``: a lesson counts when it and its
    module are published; a quiz on a live module or lesson must be passed."""
    if not course_ids:
        return
    courses = Course.objects.filter(pk__in=course_ids).only(
        "pk", "title", "institution_id", "visibility", "status"
    )
    evidence.courses = {course.pk: CourseContent(course) for course in courses}
    lessons = Lesson.objects.filter(module__course_id__in=course_ids).live()
    module_course: dict[int, int] = {}
    lesson_module: dict[int, int] = {}
    for pk, module_id, course_id in lessons.values_list("pk", "module_id", "module__course_id"):
        evidence.courses[course_id].lesson_ids.append(pk)
        module_course[module_id] = course_id
        lesson_module[pk] = module_id
    # Published modules without a live lesson can still carry a quiz.
    for module_id, course_id in (
        Module.objects.filter(course_id__in=course_ids).live().values_list("pk", "course_id")
    ):
        module_course[module_id] = course_id
    quizzes = (
        Quiz.objects.published()
        .filter(Q(module_id__in=list(module_course)) | Q(lesson_id__in=list(lesson_module)))
        .only(
            "pk",
            "title",
            "institution_id",
            "visibility",
            "status",
            "module_id",
            "lesson_id",
            "pass_mark",
            "max_attempts",
            "grading_method",
        )
    )
    for quiz in quizzes:
        module_id = quiz.module_id or lesson_module.get(quiz.lesson_id)
        if module_id in module_course:
            evidence.courses[module_course[module_id]].quizzes.append(quiz)
    completions: dict[int, dict[int, datetime]] = defaultdict(dict)
    rows = LessonCompletion.objects.filter(user_id__in=user_ids, lesson_id__in=list(lesson_module))
    for user_id, lesson_id, at in rows.values_list("user_id", "lesson_id", "completed_at"):
        completions[user_id][lesson_id] = at
    evidence.completions = dict(completions)


def _load_attempts(evidence: Evidence, user_ids: list[int], quiz_ids: set[int]) -> None:
    attempts: dict[tuple[int, int], list[Attempt]] = defaultdict(list)
    rows = Attempt.objects.filter(user_id__in=user_ids, quiz_id__in=quiz_ids).only(
        "pk", "quiz_id", "user_id", "number", "status", "submitted_at", "percent", "needs_grading"
    )
    for attempt in rows:
        attempts[(attempt.user_id, attempt.quiz_id)].append(attempt)
    evidence.attempts = dict(attempts)


def _load_cme(evidence: Evidence, user_ids: list[int], since: datetime | None) -> None:
    rows = LessonCompletion.objects.filter(
        user_id__in=user_ids,
        lesson__status=PublicationStatus.PUBLISHED,
        lesson__module__status=PublicationStatus.PUBLISHED,
    )
    if since is not None:
        rows = rows.filter(completed_at__gte=since)
    cme: dict[int, list[tuple[datetime, int, int]]] = defaultdict(list)
    for user_id, at, minutes, course_id in rows.values_list(
        "user_id", "completed_at", "lesson__estimated_minutes", "lesson__module__course_id"
    ):
        cme[user_id].append((at, minutes or 0, course_id))
    evidence.cme = dict(cme)


def _load_cases(evidence: Evidence, user_ids: list[int], since: datetime | None) -> None:
    rows = CaseWatch.objects.filter(
        user_id__in=user_ids, reviewed_at__isnull=False, case__status=CaseStatus.PUBLISHED
    )
    if since is not None:
        rows = rows.filter(reviewed_at__gte=since)
    cases: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    for user_id, at, organ, category in rows.values_list(
        "user_id", "reviewed_at", "case__organ", "case__category"
    ):
        if at is not None:  # always: the filter above
            cases[user_id].append((at, organ or "", category or ""))
    evidence.cases = dict(cases)


def _load_entries(evidence: Evidence, user_ids: list[int]) -> None:
    """Every approved entry (one query; the window is applied per user in memory), so that an
    approved correction supersedes its original whatever their dates."""
    rows = LogbookEntry.objects.filter(trainee_id__in=user_ids, status=EntryStatus.APPROVED).only(
        "pk",
        "trainee_id",
        "performed_on",
        "reviewed_at",
        "exam_type",
        "organ",
        "adequacy",
        "corrects_id",
    )
    entries: dict[int, list[LogbookEntry]] = defaultdict(list)
    for entry in rows:
        entries[entry.trainee_id].append(entry)
        if entry.corrects_id:
            evidence.superseded.add(entry.corrects_id)
    evidence.entries = dict(entries)


def _load_certificates(evidence: Evidence, user_ids: list[int], programme_ids: set[int]) -> None:
    if not programme_ids:
        return
    certificates: dict[tuple[int, int], list[Certificate]] = defaultdict(list)
    rows = Certificate.objects.filter(
        holder_id__in=user_ids, programme_id__in=programme_ids, status=CertificateStatus.ISSUED
    ).only("pk", "holder_id", "programme_id", "status", "expires_at", "issued_at")
    for certificate in rows:
        certificates[(certificate.holder_id, certificate.programme_id)].append(certificate)
    evidence.certificates = dict(certificates)
