"""Demo data: loads a realistic course, is idempotent, refuses in production."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Institution, User
from core.markdown import render_markdown
from courses import selectors
from courses.demo import DemoDataRefused, load_demo_data
from courses.models import Cohort, Course, Enrolment, Lesson, LessonCompletion

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    models = (Institution, User, Course, Lesson, Cohort, Enrolment, LessonCompletion)
    return tuple(model.objects.count() for model in models)


def test_demo_data_loads_a_course_with_progress(client):
    assert load_demo_data() is True
    liver = Course.objects.get(title="Liver CEUS fundamentals")
    assert liver.is_published and liver.visibility == "network"
    modules = list(liver.modules.order_by("order"))
    assert [m.title for m in modules] == [
        "Microbubble contrast physics",
        "Vascular phases of the liver",
        "CEUS LI-RADS",
    ]
    assert all(2 <= m.lessons.count() <= 4 for m in modules)
    assert list(modules[1].prerequisites.all()) == [modules[0]]
    assert list(modules[2].prerequisites.all()) == [modules[1]]
    assert Course.objects.get(title="Thyroid nodule CEUS").status == "draft"

    trainee = User.objects.get(username="trainee")
    assert trainee.check_password("demo")
    assert trainee.institution.level == Institution.Level.COUNTY
    assert User.objects.get(username="instructor").institution.level == "expert_centre"
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_site_admin
    assert Cohort.objects.get().members.get() == trainee
    assert Enrolment.objects.get(user=trainee).source == Enrolment.Source.COHORT
    progress = selectors.course_progress(trainee, liver)
    assert (progress.done, progress.total, progress.percent) == (2, 9, 22)

    client.force_login(trainee)
    page = client.get(reverse("courses:dashboard"))
    assert "22 % · 2 of 9 lessons" in page.text
    assert "Thyroid" not in client.get(reverse("courses:catalogue")).text


def test_demo_lessons_render_with_tables():
    load_demo_data()
    html = "".join(render_markdown(lesson.body) for lesson in Lesson.objects.all())
    assert html.count("<table>") >= 4
    phases = Lesson.objects.get(title="The dual blood supply and the phases").body
    assert "| Arterial | 10–20 s | 25–35 s |" in phases  # noqa: RUF001


def test_demo_data_is_idempotent():
    load_demo_data()
    before = counts()
    assert load_demo_data() is False
    call_command("load_demo_data")
    assert counts() == before


def test_demo_data_does_nothing_when_courses_exist(course):
    assert load_demo_data() is False
    assert not User.objects.filter(username="trainee").exists()


def test_demo_data_refused_in_production(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(DemoDataRefused):
        load_demo_data()
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert counts() == (0,) * 7
