"""Authoring pages: who may edit what, and that forms call the services."""

import pytest
from django.urls import reverse

from core.scoping import PublicationStatus, Visibility
from courses.models import Course, Lesson, Module
from tests.courses.factories import DRAFT, CourseFactory, LessonFactory, ModuleFactory, lessons_of
from tests.factories import InstructorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(client, instructor):
    client.force_login(instructor)
    return client


def test_trainees_and_directors_cannot_author(client, trainee, director, course):
    for user in (trainee, director):
        client.force_login(user)
        assert client.get(reverse("courses:authoring")).status_code == 403
        assert client.get(reverse("courses:course_edit", args=[course.pk])).status_code == 403
        assert client.post(reverse("courses:course_create"), {"title_en": "x"}).status_code == 403
    assert not Course.objects.filter(title="x").exists()


def test_authoring_list_shows_only_own_institutions_courses(author, course, other_hospital):
    CourseFactory(institution=other_hospital, title="Elsewhere", visibility=Visibility.NETWORK)
    response = author.get(reverse("courses:authoring"))
    assert list(response.context["courses"]) == [course]
    assert response.context["courses"][0].lesson_count == 4


@pytest.mark.parametrize("visibility", [Visibility.INSTITUTION, Visibility.NETWORK])
def test_instructor_cannot_edit_another_institutions_content(
    client, course, other_hospital, visibility
):
    course.visibility = visibility
    course.save()
    lesson = lessons_of(course)[0]
    client.force_login(InstructorFactory(institution=other_hospital))
    urls_get = [
        reverse("courses:course_edit", args=[course.pk]),
        reverse("courses:module_edit", args=[lesson.module_id]),
        reverse("courses:lesson_edit", args=[lesson.pk]),
        reverse("courses:lesson_create", args=[lesson.module_id]),
    ]
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("courses:lesson_edit", args=[lesson.pk]),
        {"module": lesson.module_id, "title_en": "Hacked", "body_en": "x", "estimated_minutes": 5},
    )
    assert response.status_code == 404
    assert (
        client.post(
            reverse("courses:lesson_status", args=[lesson.pk]), {"status": DRAFT}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("courses:module_move", args=[lesson.module_id]), {"direction": "down"}
        ).status_code
        == 404
    )
    lesson.refresh_from_db()
    assert (lesson.title, lesson.status) == (
        lessons_of(course)[0].title,
        PublicationStatus.PUBLISHED,
    )


def test_create_course_module_and_lesson(author, hospital):
    response = author.post(
        reverse("courses:course_create"),
        {
            "title_en": "Kidney CEUS",
            "summary_en": "Renal masses",
            "description_en": "",
            "visibility": "network",
            "ordering": 0,
        },
    )
    course = Course.objects.get(title="Kidney CEUS")
    assert response["Location"] == reverse("courses:course_edit", args=[course.pk])
    assert (course.institution, course.status) == (hospital, DRAFT)

    author.post(
        reverse("courses:module_create", args=[course.pk]), {"title_en": "Basics", "summary_en": ""}
    )
    basics = Module.objects.get(title="Basics")
    author.post(
        reverse("courses:module_create", args=[course.pk]),
        {"title_en": "Bosniak", "summary_en": "", "prerequisites": [basics.pk]},
    )
    bosniak = Module.objects.get(title="Bosniak")
    assert list(bosniak.prerequisites.all()) == [basics]

    author.post(
        reverse("courses:lesson_create", args=[basics.pk]),
        {"module": basics.pk, "title_en": "Cysts", "body_en": "# Cysts", "estimated_minutes": 7},
    )
    lesson = Lesson.objects.get(title="Cysts")
    assert (lesson.module, lesson.estimated_minutes, lesson.status) == (basics, 7, DRAFT)
    page = author.get(reverse("courses:course_edit", args=[course.pk]))
    assert "Cysts" in page.text and "Bosniak" in page.text


def test_edit_lesson_and_move_it(author, course):
    physics, phases = course.modules.order_by("order")
    lesson = physics.lessons.first()
    response = author.post(
        reverse("courses:lesson_edit", args=[lesson.pk]),
        {"module": phases.pk, "title_en": "Renamed", "body_en": "Text", "estimated_minutes": 3},
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.module, lesson.body) == ("Renamed", phases, "Text")


def test_invalid_lesson_form_shows_errors(author, course):
    lesson = lessons_of(course)[0]
    response = author.post(
        reverse("courses:lesson_edit", args=[lesson.pk]),
        {"module": lesson.module_id, "title_en": "", "body_en": "x", "estimated_minutes": 0},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title_en", "estimated_minutes"}


def test_preview_button_renders_sanitised_markdown_without_saving(author, course):
    lesson = lessons_of(course)[0]
    response = author.post(
        reverse("courses:lesson_edit", args=[lesson.pk]),
        {
            "module": lesson.module_id,
            "title_en": "Changed",
            "body_en": "**Bold** <script>alert(1)</script>",
            "estimated_minutes": 5,
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in str(response.context["preview"])
    assert "<script>alert" not in response.text
    lesson.refresh_from_db()
    assert lesson.title != "Changed"


def test_markdown_preview_endpoint(author, client):
    response = author.post(
        reverse("courses:markdown_preview"), {"text": '*hi* <img src=x onerror="alert(1)">'}
    )
    assert response.status_code == 200
    assert "<em>hi</em>" in response.text and "onerror" not in response.text
    assert author.get(reverse("courses:markdown_preview")).status_code == 405


def test_reorder_with_up_and_down_buttons(author, course):
    physics, phases = course.modules.order_by("order")
    response = author.post(reverse("courses:module_move", args=[phases.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert list(course.modules.order_by("order")) == [phases, physics]
    a, b = physics.lessons.order_by("order")
    author.post(reverse("courses:lesson_move", args=[a.pk]), {"direction": "down"})
    assert list(physics.lessons.order_by("order")) == [b, a]
    assert (
        author.post(
            reverse("courses:lesson_move", args=[a.pk]), {"direction": "sideways"}
        ).status_code
        == 400
    )
    assert author.get(reverse("courses:lesson_move", args=[a.pk])).status_code == 405


def test_publish_and_unpublish(author, course):
    url = reverse("courses:course_status", args=[course.pk])
    author.post(url, {"status": "draft"})
    course.refresh_from_db()
    assert course.status == DRAFT
    author.post(url, {"status": "published"})
    course.refresh_from_db()
    assert course.status == PublicationStatus.PUBLISHED
    assert author.post(url, {"status": "archived"}).status_code == 400
    lesson = lessons_of(course)[0]
    author.post(reverse("courses:lesson_status", args=[lesson.pk]), {"status": "draft"})
    lesson.refresh_from_db()
    assert lesson.status == DRAFT
    module = course.modules.first()
    author.post(reverse("courses:module_status", args=[module.pk]), {"status": "draft"})
    module.refresh_from_db()
    assert module.status == DRAFT


def test_delete_draft_lesson_after_confirmation(author, course):
    draft = LessonFactory(module=course.modules.first(), status=DRAFT)
    url = reverse("courses:lesson_delete", args=[draft.pk])
    assert author.get(url).status_code == 200
    assert Lesson.objects.filter(pk=draft.pk).exists()
    author.post(url)
    assert not Lesson.objects.filter(pk=draft.pk).exists()
    published = lessons_of(course)[0]
    author.post(reverse("courses:lesson_delete", args=[published.pk]))
    assert Lesson.objects.filter(pk=published.pk).exists()


def test_site_admin_creates_courses_for_any_institution(client, site_admin, other_hospital):
    client.force_login(site_admin)
    client.post(
        reverse("courses:course_create"),
        {
            "title_en": "Network course",
            "summary_en": "",
            "description_en": "",
            "visibility": "network",
            "ordering": 0,
            "institution": other_hospital.pk,
        },
    )
    assert Course.objects.get(title="Network course").institution == other_hospital


def test_module_form_offers_only_this_courses_modules(author, course):
    ModuleFactory(course=CourseFactory(institution=course.institution), title="Elsewhere")
    module = course.modules.get(title="Phases")
    form = author.get(reverse("courses:module_edit", args=[module.pk])).context["form"]
    assert [m.title for m in form.fields["prerequisites"].queryset] == ["Physics"]


def test_the_preview_script_loads_only_where_there_is_a_markdown_field(
    client, instructor, trainee, course
):
    """No asset a page does not use: a trainee's course pages go without the authors' script."""
    lesson = lessons_of(course)[0]
    client.force_login(instructor)
    for url in (
        reverse("courses:course_create"),
        reverse("courses:course_edit", args=[course.pk]),
        reverse("courses:lesson_edit", args=[lesson.pk]),
    ):
        assert "js/courses.js" in client.get(url).text, url
    assert "js/courses.js" not in client.get(reverse("courses:authoring")).text

    client.force_login(trainee)
    client.post(reverse("courses:course_enrol", args=[course.slug]))
    for url in (
        reverse("courses:dashboard"),
        reverse("courses:catalogue"),
        course.get_absolute_url(),
        lesson.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "js/courses.js" not in response.text, url
