"""Demo data: loads a realistic course, is idempotent, refuses in production."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Institution, User
from core.markdown import render_markdown
from courses import selectors
from courses.models import Cohort, Course, Enrolment, Lesson, LessonCompletion
from demo.allowed import DemoDataRefused
from demo.courses import load_demo_data

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


def _shape(markdown: str) -> tuple[list[str], list[str]]:
    """The rendered elements in order (headings, lists, tables, emphasis) and the numbers."""
    html = str(render_markdown(markdown))
    return re.findall(r"</?(?!em\b|strong\b)\w+", html), sorted(re.findall(r"\d+", markdown))


def test_demo_lessons_are_in_chinese_with_the_englishs_structure():
    load_demo_data()
    lessons = list(Lesson.objects.all())
    assert lessons
    for lesson in lessons:
        assert _shape(lesson.body_zh_hans) == _shape(lesson.body_en), lesson.title_en
        assert re.search(r"[\u4e00-\u9fff]", lesson.body_zh_hans)
    liver = Course.objects.get(title_en="Liver CEUS fundamentals")
    assert _shape(liver.description_zh_hans) == _shape(liver.description_en)
    phases = Lesson.objects.get(title_en="The dual blood supply and the phases")
    assert "| 动脉期 | 10–20 s | 25–35 s |" in phases.body_zh_hans  # noqa: RUF001
    # Paragraphs are not wrapped: a line break between Chinese characters shows as a space.
    assert not any(
        re.search(r"[\u4e00-\u9fff\uff0c\u3002]\n[\u4e00-\u9fff]", t.body_zh_hans) for t in lessons
    )


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
