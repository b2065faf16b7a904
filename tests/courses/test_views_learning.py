"""Learner pages: permissions, enrolment, lessons, sanitising and the dashboard's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.scoping import Visibility
from courses.models import Enrolment, LessonCompletion
from tests.courses.factories import (
    DRAFT,
    CourseFactory,
    EnrolmentFactory,
    LessonCompletionFactory,
    LessonFactory,
    ModuleFactory,
    lessons_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


def test_pages_need_login(client, course):
    for url in [
        reverse("courses:dashboard"),
        reverse("courses:catalogue"),
        reverse("courses:course_detail", args=[course.slug]),
        reverse("courses:lesson_detail", args=[lessons_of(course)[0].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_catalogue_lists_visible_published_courses(trainee_client, course, other_hospital):
    shared = CourseFactory(institution=other_hospital, visibility=Visibility.NETWORK)
    private = CourseFactory(institution=other_hospital, title="Secret course")
    response = trainee_client.get(reverse("courses:catalogue"))
    courses = list(response.context["courses"])
    assert courses == sorted([course, shared], key=lambda c: (c.ordering, c.title, c.pk))
    assert courses[courses.index(course)].lesson_count == 4
    assert private.title not in response.text


def test_other_institutions_private_course_and_lessons_are_404(trainee_client, other_hospital):
    private = CourseFactory(institution=other_hospital)
    lesson = LessonFactory(module=ModuleFactory(course=private))
    assert trainee_client.get(private.get_absolute_url()).status_code == 404
    assert trainee_client.get(lesson.get_absolute_url()).status_code == 404
    url = reverse("courses:course_enrol", args=[private.slug])
    assert trainee_client.post(url).status_code == 404
    assert (
        trainee_client.post(reverse("courses:lesson_complete", args=[lesson.pk])).status_code == 404
    )


def test_draft_lesson_is_404_for_trainees(trainee_client, course):
    draft = LessonFactory(module=course.modules.first(), status=DRAFT)
    assert trainee_client.get(draft.get_absolute_url()).status_code == 404


def test_enrol_then_course_page_shows_progress_and_continue(trainee_client, trainee, course):
    response = trainee_client.post(reverse("courses:course_enrol", args=[course.slug]))
    assert response.status_code == 302
    assert Enrolment.objects.filter(user=trainee, course=course).exists()
    page = trainee_client.get(course.get_absolute_url())
    assert page.context["next_lesson"] == lessons_of(course)[0]
    assert "0 of 4 lessons" in page.text
    assert "Locked" in page.text  # module B waits for module A


def test_enrol_get_is_not_allowed(trainee_client, course):
    assert (
        trainee_client.get(reverse("courses:course_enrol", args=[course.slug])).status_code == 405
    )


def test_mark_complete_and_continue(trainee_client, trainee, course):
    first, second, *_ = lessons_of(course)
    EnrolmentFactory(user=trainee, course=course)
    response = trainee_client.post(reverse("courses:lesson_complete", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == second.get_absolute_url()
    assert LessonCompletion.objects.filter(user=trainee, lesson=first).count() == 1
    again = trainee_client.post(reverse("courses:lesson_complete", args=[first.pk]))
    assert again.status_code == 302
    assert LessonCompletion.objects.filter(user=trainee).count() == 1


def test_completing_the_last_lesson_returns_to_the_course(trainee_client, trainee, course):
    *earlier, last = lessons_of(course)
    EnrolmentFactory(user=trainee, course=course)
    for lesson in earlier:
        LessonCompletionFactory(user=trainee, lesson=lesson)
    response = trainee_client.post(reverse("courses:lesson_complete", args=[last.pk]))
    assert response["Location"] == course.get_absolute_url()


def test_locked_lesson_is_refused_with_an_explanation(trainee_client, trainee, course):
    locked = lessons_of(course)[2]
    EnrolmentFactory(user=trainee, course=course)
    response = trainee_client.get(locked.get_absolute_url())
    assert response.status_code == 403
    assert "Physics" in response.text  # the prerequisite to finish
    assert locked.body not in response.text
    trainee_client.post(reverse("courses:lesson_complete", args=[locked.pk]))
    assert not LessonCompletion.objects.exists()


def test_editor_can_preview_locked_and_draft_lessons(client, instructor, course):
    client.force_login(instructor)
    draft = LessonFactory(module=course.modules.last(), status=DRAFT, body="Draft text")
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft text" in response.text
    assert "Preview" in response.text


def test_opening_a_lesson_remembers_it(trainee_client, trainee, course):
    second = lessons_of(course)[1]
    EnrolmentFactory(user=trainee, course=course)
    trainee_client.get(second.get_absolute_url())
    assert Enrolment.objects.get(user=trainee).last_lesson == second


def test_lesson_markdown_is_sanitised(trainee_client, course):
    lesson = lessons_of(course)[0]
    lesson.body = (
        "# Phases\n\n<script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)">\n\n'
        "[click](javascript:alert(2))\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    lesson.save()
    response = trainee_client.get(lesson.get_absolute_url())
    body = response.text
    assert "<h1" in body and "<table>" in body
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:alert" not in body
    assert '<img src="x.png"' in body


def test_previous_and_next_links(trainee_client, trainee, course):
    first, second, third, _ = lessons_of(course)
    EnrolmentFactory(user=trainee, course=course)
    LessonCompletionFactory(user=trainee, lesson=first)
    response = trainee_client.get(second.get_absolute_url())
    assert response.context["previous_lesson"] == first
    assert response.context["next_lesson"] == third


def test_dashboard_shows_progress_and_continue(trainee_client, trainee, course):
    first, second, *_ = lessons_of(course)
    EnrolmentFactory(user=trainee, course=course, last_lesson=first)
    LessonCompletionFactory(user=trainee, lesson=first)
    response = trainee_client.get(reverse("courses:dashboard"))
    assert "25 % · 1 of 4 lessons" in response.text
    assert f'href="{second.get_absolute_url()}">Continue' in response.text


def test_dashboard_without_enrolments(trainee_client):
    response = trainee_client.get(reverse("courses:dashboard"))
    assert "not enrolled in any course" in response.text


def _enrol_in_new_courses(user, count):
    for _ in range(count):
        course = CourseFactory(institution=user.institution)
        modules = [ModuleFactory(course=course), ModuleFactory(course=course)]
        modules[1].prerequisites.add(modules[0])
        lessons = [LessonFactory(module=m) for m in modules for _ in range(2)]
        EnrolmentFactory(user=user, course=course, last_lesson=lessons[0])
        LessonCompletionFactory(user=user, lesson=lessons[0])


def test_dashboard_query_count_does_not_grow_with_courses(
    client, trainee, django_assert_max_num_queries
):
    client.force_login(trainee)
    _enrol_in_new_courses(trainee, 1)
    with CaptureQueriesContext(connection) as one_course:
        assert client.get(reverse("courses:dashboard")).status_code == 200
    _enrol_in_new_courses(trainee, 9)
    with django_assert_max_num_queries(len(one_course.captured_queries)):
        response = client.get(reverse("courses:dashboard"))
    assert len(response.context["entries"]) == 10
