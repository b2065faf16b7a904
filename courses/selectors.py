"""Read-side queries for pages and the API: progress, dashboard, catalogue, cohort tables.

Progress arithmetic lives in ``courses.progress``; these functions choose the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)

from accounts.models import User
from core.scoping import PublicationStatus, shared_with_q
from courses.models import Cohort, Course, Enrolment, Lesson, LessonCompletion, Module
from courses.progress import AnyUser, CourseState, Progress, build_course_states

PUBLISHED = PublicationStatus.PUBLISHED


def course_state(user: AnyUser, course: Course) -> CourseState:
    return build_course_states(user, [course])[course.pk]


def course_progress(user: AnyUser, course: Course) -> Progress:
    """Completed share of the published lessons of ``course`` that ``user`` can see."""
    return course_state(user, course).progress


def module_progress(user: AnyUser, module: Module) -> Progress:
    state = course_state(user, module.course).module_state(module.pk)
    return state.progress if state else Progress(0, 0)


def module_unlocked(user: AnyUser, module: Module) -> bool:
    """True when every published prerequisite of ``module`` is finished by ``user``."""
    state = course_state(user, module.course).module_state(module.pk)
    return bool(state and state.unlocked)


def lessons_with_completion(user: AnyUser) -> QuerySet[Lesson]:
    """Lessons ``user`` may see, in order, each with ``is_completed`` (by the user)."""
    done = LessonCompletion.objects.filter(user_id=user.pk, lesson=OuterRef("pk"))
    lessons = Lesson.objects.for_user(user).annotate(is_completed=Exists(done))
    return lessons.order_by("order", "pk")


def module_lessons(user: AnyUser, module: Module) -> QuerySet[Lesson]:
    """The lessons of ``module`` that ``user`` may see, in order, with ``is_completed``."""
    return lessons_with_completion(user).filter(module=module)


def _with_visible_lessons(modules: QuerySet[Module], user: AnyUser) -> QuerySet[Module]:
    lessons = Prefetch("lessons", lessons_with_completion(user), to_attr="visible_lessons")
    return modules.prefetch_related("prerequisites", lessons)


def modules_with_lessons(user: AnyUser) -> QuerySet[Module]:
    """Modules ``user`` may see, with their course, prerequisites and ``visible_lessons``."""
    return _with_visible_lessons(Module.objects.for_user(user).select_related("course"), user)


def course_modules(user: AnyUser, course: Course) -> QuerySet[Module]:
    """The modules of ``course`` that ``user`` may see, in order, with their prerequisites
    and ``visible_lessons``."""
    modules = Module.objects.for_user(user).filter(course=course).order_by("order", "pk")
    return _with_visible_lessons(modules, user)


def outline_modules(course: Course) -> QuerySet[Module]:
    """Every module of the course in order, with its prerequisites and all its lessons in
    order (the author's outline: drafts included)."""
    lessons = Prefetch("lessons", Lesson.objects.order_by("order", "pk"))
    return course.modules.order_by("order", "pk").prefetch_related("prerequisites", lessons)


def get_enrolment(user: AnyUser, course: Course) -> Enrolment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(user=user, course=course).first()


def next_lesson(user: AnyUser, course: Course) -> Lesson | None:
    """Where "Continue" leads: see ``CourseState.next_lesson``."""
    enrolment = get_enrolment(user, course)
    last_id = enrolment.last_lesson_id if enrolment else None
    return course_state(user, course).next_lesson(last_id)


@dataclass
class DashboardEntry:
    enrolment: Enrolment
    state: CourseState
    next_lesson: Lesson | None

    @property
    def course(self) -> Course:
        return self.enrolment.course

    @property
    def progress(self) -> Progress:
        return self.state.progress


def dashboard(user: AnyUser) -> list[DashboardEntry]:
    """The user's enrolled courses, most recently active first (5 queries for any number)."""
    enrolments = list(Enrolment.objects.for_user(user).select_related("course"))
    states = build_course_states(user, [e.course for e in enrolments])
    return [
        DashboardEntry(e, states[e.course_id], states[e.course_id].next_lesson(e.last_lesson_id))
        for e in enrolments
    ]


def live_lesson_count_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}modules__status": PUBLISHED,
            f"{prefix}modules__lessons__status": PUBLISHED,
        }
    )


def catalogue(user: AnyUser) -> QuerySet[Course]:
    """Published courses the user may see, with ``lesson_count`` and ``is_enrolled``."""
    if getattr(user, "is_authenticated", False):
        enrolled = Exists(Enrolment.objects.filter(user=user, course=OuterRef("pk")))
    else:
        enrolled = Value(False, output_field=BooleanField())
    return (
        Course.objects.for_user(user)
        .published()
        .select_related("institution")
        .annotate(
            lesson_count=Count("modules__lessons", filter=live_lesson_count_q(), distinct=True),
            is_enrolled=enrolled,
        )
        .order_by(*Course._meta.ordering)  # Meta.ordering is dropped from GROUP BY queries
    )


def authoring_courses(user: AnyUser) -> QuerySet[Course]:
    """Courses the user may edit, with module and lesson counts."""
    return (
        Course.objects.editable_by(user)
        .select_related("institution")
        .annotate(
            module_count=Count("modules", distinct=True),
            lesson_count=Count("modules__lessons", distinct=True),
            enrolment_count=Count("enrolments", distinct=True),
        )
        .order_by("institution__name", *Course._meta.ordering)
    )


# --- Cohorts ---------------------------------------------------------------------------------


def courses_for_institution(institution_id: int) -> QuerySet[Course]:
    """Published courses the members of an institution can see: a cohort may only take these."""
    return Course.objects.filter(shared_with_q(institution_id))


def cohort_member_choices(institution_id: int) -> QuerySet[User]:
    return User.objects.filter(institution_id=institution_id, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def cohorts_for(user: AnyUser) -> QuerySet[Cohort]:
    return (
        Cohort.objects.manageable_by(user)
        .select_related("institution", "director")
        .annotate(
            member_count=Count("members", distinct=True),
            course_count=Count("courses", distinct=True),
        )
        .order_by("institution__name", "name")
    )


@dataclass
class CohortCell:
    enrolment: Enrolment | None
    progress: Progress


@dataclass
class CohortRow:
    member: User
    cells: list[CohortCell]


@dataclass
class CohortProgress:
    courses: list[Course]
    rows: list[CohortRow]


def cohort_progress(cohort: Cohort) -> CohortProgress:
    """Members by cohort courses: each member's share of the course's live lessons (5 queries).

    Members belong to the cohort's institution, so every live lesson of a course assigned to
    the cohort is visible to each of them.
    """
    courses = list(cohort.courses.order_by("ordering", "title", "pk"))
    members = list(cohort.members.order_by("last_name", "first_name", "username"))
    live = Lesson.objects.live().filter(module__course__in=courses)
    lessons_by_course: dict[int, set[int]] = {course.pk: set() for course in courses}
    for lesson_id, course_id in live.values_list("pk", "module__course_id"):
        lessons_by_course[course_id].add(lesson_id)
    done: dict[int, set[int]] = {member.pk: set() for member in members}
    completions = LessonCompletion.objects.filter(user__in=members, lesson__in=live)
    for user_id, lesson_id in completions.values_list("user_id", "lesson_id"):
        done[user_id].add(lesson_id)
    enrolments = {
        (e.user_id, e.course_id): e
        for e in Enrolment.objects.filter(user__in=members, course__in=courses)
    }
    rows = [
        CohortRow(
            member,
            [
                CohortCell(
                    enrolments.get((member.pk, course.pk)),
                    Progress(
                        len(done[member.pk] & lessons_by_course[course.pk]),
                        len(lessons_by_course[course.pk]),
                    ),
                )
                for course in courses
            ],
        )
        for member in members
    ]
    return CohortProgress(courses, rows)
