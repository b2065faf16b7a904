"""Services: enrolment, completion, authoring, ordering and cohorts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.scoping import PublicationStatus, Visibility
from courses import services
from courses.models import Enrolment, LessonCompletion, Module
from tests.courses.factories import (
    DRAFT,
    CohortFactory,
    CourseFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    lessons_of,
)
from tests.factories import DirectorFactory, InstructorFactory, TraineeFactory

pytestmark = pytest.mark.django_db


def codes(exc_info) -> set[str]:
    return {error.code for error in exc_info.value.error_list}


# --- Enrolment and completion ----------------------------------------------------------------


def test_enrol_is_idempotent(trainee, course):
    first = services.enrol(user=trainee, course=course)
    again = services.enrol(user=trainee, course=course)
    assert first == again
    assert first.source == Enrolment.Source.SELF
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("case", ["draft", "private_elsewhere"])
def test_enrol_refuses_unavailable_courses(trainee, other_hospital, hospital, case):
    if case == "draft":
        course = CourseFactory(institution=hospital, status=DRAFT)
    else:
        course = CourseFactory(institution=other_hospital)
    with pytest.raises(ValidationError) as exc_info:
        services.enrol(user=trainee, course=course)
    assert codes(exc_info) == {"unavailable"}
    assert not Enrolment.objects.exists()


def test_complete_lesson_is_idempotent_and_remembers_the_lesson(trainee, course):
    lesson = lessons_of(course)[0]
    services.enrol(user=trainee, course=course)
    first = services.complete_lesson(user=trainee, lesson=lesson)
    again = services.complete_lesson(user=trainee, lesson=lesson)
    assert first.pk == again.pk
    assert first.completed_at == again.completed_at
    assert LessonCompletion.objects.filter(user=trainee).count() == 1
    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.last_lesson == lesson
    assert enrolment.last_activity_at is not None


def test_complete_lesson_requires_enrolment(trainee, course):
    with pytest.raises(ValidationError) as exc_info:
        services.complete_lesson(user=trainee, lesson=lessons_of(course)[0])
    assert codes(exc_info) == {"not_enrolled"}
    assert not LessonCompletion.objects.exists()


def test_complete_lesson_refuses_when_prerequisites_are_unmet(trainee, course):
    first, second, third, _ = lessons_of(course)
    services.enrol(user=trainee, course=course)
    with pytest.raises(ValidationError) as exc_info:
        services.complete_lesson(user=trainee, lesson=third)
    assert codes(exc_info) == {"locked"}
    services.complete_lesson(user=trainee, lesson=first)
    services.complete_lesson(user=trainee, lesson=second)
    services.complete_lesson(user=trainee, lesson=third)  # unlocked now
    assert LessonCompletion.objects.filter(user=trainee).count() == 3


def test_complete_lesson_refuses_draft_lessons(instructor, course):
    draft = LessonFactory(module=course.modules.first(), status=DRAFT)
    EnrolmentFactory(user=instructor, course=course)
    with pytest.raises(ValidationError) as exc_info:
        services.complete_lesson(user=instructor, lesson=draft)
    assert codes(exc_info) == {"unavailable"}


def test_record_lesson_visit_only_touches_enrolled_users(trainee, course):
    lesson = lessons_of(course)[1]
    services.record_lesson_visit(user=trainee, lesson=lesson)
    assert not Enrolment.objects.exists()
    services.enrol(user=trainee, course=course)
    services.record_lesson_visit(user=trainee, lesson=lesson)
    assert Enrolment.objects.get().last_lesson == lesson


# --- Authoring -------------------------------------------------------------------------------


def test_course_create_owns_draft_at_the_authors_institution(instructor, hospital):
    course = services.course_create(by=instructor, title="Kidney CEUS", summary="s")
    assert course.institution == hospital
    assert course.status == PublicationStatus.DRAFT
    assert course.created_by == instructor
    assert course.slug == "kidney-ceus"
    assert services.course_create(by=instructor, title="Kidney CEUS").slug == "kidney-ceus-2"
    assert services.course_create(by=instructor, title="肝脏超声造影").slug == "course"


def test_only_instructors_create_courses_for_their_own_institution(
    trainee, instructor, other_hospital, site_admin
):
    with pytest.raises(PermissionDenied):
        services.course_create(by=trainee, title="x")
    with pytest.raises(PermissionDenied):
        services.course_create(by=instructor, title="x", institution=other_hospital)
    with pytest.raises(ValidationError):
        services.course_create(by=site_admin, title="x")  # must choose an institution
    course = services.course_create(by=site_admin, title="x", institution=other_hospital)
    assert course.institution == other_hospital


def test_instructor_cannot_change_another_institutions_content(course, other_hospital):
    outsider = InstructorFactory(institution=other_hospital)
    lesson = lessons_of(course)[0]
    with pytest.raises(PermissionDenied):
        services.course_update(course=course, by=outsider, title="Hijacked")
    with pytest.raises(PermissionDenied):
        services.lesson_update(lesson=lesson, by=outsider, body="<script>")
    with pytest.raises(PermissionDenied):
        services.module_set_status(module=lesson.module, by=outsider, status=DRAFT)
    with pytest.raises(PermissionDenied):
        services.move_lesson(lesson=lesson, by=outsider, offset=1)


def test_update_rejects_unknown_fields(instructor, course):
    with pytest.raises(TypeError):
        services.course_update(course=course, by=instructor, institution_id=99)


def test_new_modules_and_lessons_go_to_the_end(instructor, course):
    module = services.module_create(course=course, by=instructor, title="LI-RADS")
    assert module.order == 2 and module.status == DRAFT
    lesson = services.lesson_create(module=module, by=instructor, title="Categories")
    assert lesson.order == 0
    assert services.lesson_create(module=module, by=instructor, title="LR-M").order == 1


def test_prerequisites_must_be_other_modules_of_the_course_without_cycles(instructor, course):
    physics, phases = course.modules.order_by("order")
    elsewhere = ModuleFactory(course=CourseFactory(institution=course.institution))
    with pytest.raises(ValidationError):
        services.set_module_prerequisites(module=phases, by=instructor, prerequisites=[elsewhere])
    with pytest.raises(ValidationError):
        services.set_module_prerequisites(module=phases, by=instructor, prerequisites=[phases])
    with pytest.raises(ValidationError) as exc_info:
        services.set_module_prerequisites(module=physics, by=instructor, prerequisites=[phases])
    assert codes(exc_info) == {"cycle"}
    assert list(physics.prerequisites.all()) == []


def test_reorder_modules_and_lessons(instructor, course):
    physics, phases = course.modules.order_by("order")
    services.reorder_modules(course=course, by=instructor, module_ids=[phases.pk, physics.pk])
    assert list(course.modules.order_by("order")) == [phases, physics]
    a, b = physics.lessons.order_by("order")
    services.reorder_lessons(module=physics, by=instructor, lesson_ids=[b.pk, a.pk])
    assert list(physics.lessons.order_by("order")) == [b, a]
    with pytest.raises(ValidationError):
        services.reorder_lessons(module=physics, by=instructor, lesson_ids=[b.pk])


def test_move_up_and_down_stops_at_the_ends(instructor, course):
    third = services.module_create(course=course, by=instructor, title="Third")
    physics, phases = course.modules.order_by("order")[:2]
    services.move_module(module=third, by=instructor, offset=-1)
    assert list(course.modules.order_by("order")) == [physics, third, phases]
    services.move_module(module=physics, by=instructor, offset=-1)  # already first
    services.move_module(module=phases, by=instructor, offset=1)  # already last
    assert list(course.modules.order_by("order").values_list("order", flat=True)) == [0, 1, 2]
    assert list(course.modules.order_by("order")) == [physics, third, phases]


def test_delete_only_drafts_and_renumber(instructor, course):
    physics = course.modules.get(title="Physics")
    first, second = physics.lessons.order_by("order")
    with pytest.raises(ValidationError):
        services.lesson_delete(lesson=first, by=instructor)
    services.lesson_set_status(lesson=first, by=instructor, status=DRAFT)
    services.lesson_delete(lesson=first, by=instructor)
    second.refresh_from_db()
    assert second.order == 0
    with pytest.raises(ValidationError):
        services.course_delete(course=course, by=instructor)


def test_lesson_can_move_to_another_module_of_the_same_course_only(instructor, course):
    physics, phases = course.modules.order_by("order")
    lesson = physics.lessons.first()
    services.lesson_update(lesson=lesson, by=instructor, module=phases, title="Moved")
    lesson.refresh_from_db()
    assert (lesson.module, lesson.order, lesson.title) == (phases, 2, "Moved")
    assert list(physics.lessons.values_list("order", flat=True)) == [0]
    other_module = ModuleFactory(course=CourseFactory(institution=course.institution))
    with pytest.raises(ValidationError):
        services.lesson_update(lesson=lesson, by=instructor, module=other_module)


# --- Cohorts ---------------------------------------------------------------------------------


def test_assign_cohort_enrols_members_once(director, hospital, course, trainee):
    second_trainee = TraineeFactory(institution=hospital)
    cohort = services.cohort_create(by=director, name="Spring")
    assert cohort.institution == hospital and cohort.director == director
    services.cohort_update(
        cohort=cohort, by=director, members=[trainee, second_trainee], courses=[course]
    )
    EnrolmentFactory(user=trainee, course=course)  # already self-enrolled
    assert services.assign_cohort(cohort=cohort, by=director) == 1
    assert services.assign_cohort(cohort=cohort, by=director) == 0
    assert Enrolment.objects.get(user=trainee).source == Enrolment.Source.SELF
    created = Enrolment.objects.get(user=second_trainee)
    assert (created.source, created.cohort) == (Enrolment.Source.COHORT, cohort)


def test_assign_cohort_skips_courses_no_longer_published(director, course, trainee):
    cohort = services.cohort_create(by=director, name="Spring")
    services.cohort_update(cohort=cohort, by=director, members=[trainee], courses=[course])
    course.status = DRAFT
    course.save()
    assert services.assign_cohort(cohort=cohort, by=director) == 0


def test_directors_manage_only_their_institutions_cohorts(
    other_hospital, site_admin, instructor, director
):
    cohort = CohortFactory(institution=other_hospital)
    for user in (director, instructor, TraineeFactory(institution=other_hospital)):
        with pytest.raises(PermissionDenied):
            services.assign_cohort(cohort=cohort, by=user)
    assert services.assign_cohort(cohort=cohort, by=site_admin) == 0
    assert (
        services.assign_cohort(cohort=cohort, by=DirectorFactory(institution=other_hospital)) == 0
    )


def test_cohort_members_and_courses_must_suit_the_institution(
    director, other_hospital, hospital, course
):
    cohort = services.cohort_create(by=director, name="Spring")
    with pytest.raises(ValidationError):
        services.cohort_update(
            cohort=cohort, by=director, members=[TraineeFactory(institution=other_hospital)]
        )
    private_elsewhere = CourseFactory(institution=other_hospital)
    with pytest.raises(ValidationError):
        services.cohort_update(cohort=cohort, by=director, courses=[private_elsewhere])
    shared = CourseFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    services.cohort_update(cohort=cohort, by=director, courses=[shared, course])
    assert set(cohort.courses.all()) == {shared, course}


def test_cohort_names_are_unique_per_institution(director):
    services.cohort_create(by=director, name="Spring")
    with pytest.raises(ValidationError):
        services.cohort_create(by=director, name="Spring")


def test_only_directors_and_site_admins_create_cohorts(trainee, instructor, site_admin, hospital):
    for user in (trainee, instructor):
        with pytest.raises(PermissionDenied):
            services.cohort_create(by=user, name="x")
    assert services.cohort_create(by=site_admin, name="x", institution=hospital).director is None


def test_module_create_via_service_accepts_prerequisites(instructor, course):
    physics = course.modules.get(title="Physics")
    module = services.module_create(
        course=course, by=instructor, title="LI-RADS", prerequisites=[physics]
    )
    assert list(Module.objects.get(pk=module.pk).prerequisites.all()) == [physics]
