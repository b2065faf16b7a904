"""REST API: visibility (404), edit rights (403), learning endpoints and the schema."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.scoping import PublicationStatus, Visibility
from courses.models import Course, Enrolment, LessonCompletion
from tests.courses.factories import (
    DRAFT,
    CourseFactory,
    EnrolmentFactory,
    LessonCompletionFactory,
    LessonFactory,
    ModuleFactory,
    lessons_of,
)
from tests.factories import InstructorFactory, api_for

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_anonymous_is_refused(course):
    assert APIClient().get(f"{API}/courses/").status_code in (401, 403)


def test_course_list_and_retrieve_follow_visibility(trainee, course, other_hospital):
    shared = CourseFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    private = CourseFactory(institution=other_hospital)
    api = api_for(trainee)
    listed = api.get(f"{API}/courses/").json()
    assert {c["id"] for c in listed["results"]} == {course.pk, shared.pk}
    assert api.get(f"{API}/courses/{private.pk}/").status_code == 404
    detail = api.get(f"{API}/courses/{course.pk}/").json()
    assert detail["slug"] == "liver-ceus"


def test_modules_and_lessons_hide_drafts_from_trainees(trainee, course):
    physics = course.modules.get(title="Physics")
    ModuleFactory(course=course, status=DRAFT, title="Hidden module")
    LessonFactory(module=physics, status=DRAFT, title="Hidden lesson")
    api = api_for(trainee)
    modules = api.get(f"{API}/courses/{course.pk}/modules/").json()
    assert [m["title"] for m in modules] == ["Physics", "Phases"]
    assert [lesson["title"] for lesson in modules[0]["lessons"]] == ["Physics 1", "Physics 2"]
    lessons = api.get(f"{API}/modules/{physics.pk}/lessons/").json()
    assert [lesson["title"] for lesson in lessons] == ["Physics 1", "Physics 2"]
    assert all(not lesson["is_completed"] for lesson in lessons)


def test_lesson_body_html_is_sanitised(trainee, course):
    lesson = lessons_of(course)[0]
    lesson.body = '<script>alert(1)</script><img src="a.png" onerror="alert(2)"> **ok**'
    lesson.save()
    data = api_for(trainee).get(f"{API}/lessons/{lesson.pk}/").json()
    assert "<script" not in data["body_html"]
    assert "onerror" not in data["body_html"]
    assert "<strong>ok</strong>" in data["body_html"]


def test_locked_lesson_body_is_refused(trainee, course):
    locked = lessons_of(course)[2]
    assert api_for(trainee).get(f"{API}/lessons/{locked.pk}/").status_code == 403


def test_enrolments_post_list_and_idempotency(trainee, course, other_hospital):
    api = api_for(trainee)
    first = api.post(f"{API}/enrolments/", {"course": course.pk}, format="json")
    assert first.status_code == 201
    again = api.post(f"{API}/enrolments/", {"course": course.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    private = CourseFactory(institution=other_hospital)
    refused = api.post(f"{API}/enrolments/", {"course": private.pk}, format="json")
    assert refused.status_code == 400
    EnrolmentFactory(course=course)  # somebody else's
    listed = api.get(f"{API}/enrolments/").json()["results"]
    assert [e["course"] for e in listed] == [course.pk]


def test_complete_lesson_and_progress(trainee, course):
    first, second, third, _ = lessons_of(course)
    api = api_for(trainee)
    assert api.post(f"{API}/lessons/{first.pk}/complete/").status_code == 403  # not enrolled
    EnrolmentFactory(user=trainee, course=course)
    response = api.post(f"{API}/lessons/{first.pk}/complete/")
    assert response.status_code == 200
    body = response.json()
    assert body["next_lesson"] == second.pk
    assert body["course_progress"] == {"percent": 25, "done": 1, "total": 4}
    assert api.post(f"{API}/lessons/{first.pk}/complete/").status_code == 200
    assert LessonCompletion.objects.filter(user=trainee).count() == 1
    assert api.post(f"{API}/lessons/{third.pk}/complete/").status_code == 403  # locked

    progress = api.get(f"{API}/courses/{course.pk}/progress/").json()
    assert (progress["percent"], progress["done"], progress["total"]) == (25, 1, 4)
    assert progress["enrolled"] is True
    assert progress["next_lesson"] == second.pk
    assert [(m["title"], m["percent"], m["unlocked"]) for m in progress["modules"]] == [
        ("Physics", 50, True),
        ("Phases", 0, False),
    ]


def test_progress_of_an_empty_course(trainee, hospital):
    empty = CourseFactory(institution=hospital)
    progress = api_for(trainee).get(f"{API}/courses/{empty.pk}/progress/").json()
    assert (progress["percent"], progress["total"], progress["next_lesson"]) == (0, 0, None)


def test_lesson_list_marks_completed_lessons(trainee, course):
    first = lessons_of(course)[0]
    LessonCompletionFactory(user=trainee, lesson=first)
    lessons = api_for(trainee).get(f"{API}/modules/{first.module_id}/lessons/").json()
    assert [lesson["is_completed"] for lesson in lessons] == [True, False]


def test_instructor_creates_course_module_and_lesson(instructor, hospital):
    api = api_for(instructor)
    created = api.post(
        f"{API}/courses/",
        {"title": "Breast CEUS", "summary": "BI-RADS", "visibility": "network"},
        format="json",
    )
    assert created.status_code == 201, created.content
    course = Course.objects.get(pk=created.json()["id"])
    assert (course.institution, course.status) == (hospital, DRAFT)

    module = api.post(f"{API}/courses/{course.pk}/modules/", {"title": "Technique"}, format="json")
    assert module.status_code == 201, module.content
    module_id = module.json()["id"]
    lesson = api.post(
        f"{API}/modules/{module_id}/lessons/",
        {"title": "Set-up", "body": "# Set-up", "estimated_minutes": 5},
        format="json",
    )
    assert lesson.status_code == 201, lesson.content
    assert lesson.json()["module"] == module_id

    patch = api.patch(f"{API}/courses/{course.pk}/", {"status": "published"}, format="json")
    assert patch.status_code == 200 and patch.json()["status"] == PublicationStatus.PUBLISHED
    patch = api.patch(f"{API}/modules/{module_id}/", {"status": "published"}, format="json")
    assert patch.status_code == 200
    lesson_patch = api.patch(
        f"{API}/lessons/{lesson.json()['id']}/",
        {"status": "published", "title": "Scanner set-up"},
        format="json",
    )
    assert lesson_patch.status_code == 200
    assert lesson_patch.json()["title"] == "Scanner set-up"


def test_trainee_cannot_write(trainee, course):
    api = api_for(trainee)
    assert api.post(f"{API}/courses/", {"title": "x"}, format="json").status_code == 403
    assert (
        api.patch(f"{API}/courses/{course.pk}/", {"title": "x"}, format="json").status_code == 403
    )
    lesson = lessons_of(course)[0]
    assert (
        api.patch(f"{API}/lessons/{lesson.pk}/", {"title": "x"}, format="json").status_code == 403
    )
    assert (
        api.post(f"{API}/courses/{course.pk}/modules/", {"title": "x"}, format="json").status_code
        == 403
    )


def test_instructor_of_another_institution_gets_403_or_404(course, other_hospital):
    outsider = api_for(InstructorFactory(institution=other_hospital))
    lesson = lessons_of(course)[0]
    # Private course: it does not exist for them.
    assert (
        outsider.patch(f"{API}/lessons/{lesson.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert outsider.get(f"{API}/courses/{course.pk}/").status_code == 404
    # Shared course: visible, but not theirs to change.
    course.visibility = Visibility.NETWORK
    course.save()
    assert outsider.get(f"{API}/lessons/{lesson.pk}/").status_code == 200
    assert (
        outsider.patch(f"{API}/lessons/{lesson.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )
    assert (
        outsider.patch(f"{API}/courses/{course.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )
    module_url = f"{API}/modules/{lesson.module_id}/lessons/"
    assert outsider.post(module_url, {"title": "x"}, format="json").status_code == 403
    lesson.refresh_from_db()
    assert lesson.title != "x"


def test_instructor_cannot_create_for_another_institution(instructor, other_hospital):
    response = api_for(instructor).post(
        f"{API}/courses/", {"title": "x", "institution": other_hospital.pk}, format="json"
    )
    assert response.status_code == 403
    assert not Course.objects.exists()


def test_invalid_prerequisite_is_a_400(instructor, course):
    elsewhere = ModuleFactory(course=CourseFactory(institution=course.institution))
    module = course.modules.get(title="Phases")
    response = api_for(instructor).patch(
        f"{API}/modules/{module.pk}/", {"prerequisites": [elsewhere.pk]}, format="json"
    )
    assert response.status_code == 400


def test_schema_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/courses/{id}/progress/", "/api/v1/lessons/{id}/complete/"):
        assert path in schema
    assert Enrolment.objects.count() == 0
