"""Bilingual content: the reader's language, the marked fallback, forms, search, migrations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import translation

from accounts.models import Institution
from cases.models import Case
from cases.search import apply_search
from cases.services.authoring import refresh_search_text
from core.content_language import fallback_language, translated_html
from core.translation_migrations import copy_to_source_language
from courses.forms import CourseForm
from courses.models import Course
from tests.cases.factories import CaseFactory
from tests.courses.factories import CourseFactory, LessonFactory

pytestmark = pytest.mark.django_db

MARKER = 'class="lang-fallback"'


def test_a_chinese_reader_sees_the_chinese_value_without_a_marker():
    course = CourseFactory(title_en="Liver CEUS", title_zh_hans="肝脏超声造影")
    with translation.override("zh-hans"):
        assert course.title == "肝脏超声造影"
        assert fallback_language(course, "title") is None
        assert str(translated_html(course, "title")) == "肝脏超声造影"
    with translation.override("en"):
        assert str(translated_html(course, "title")) == "Liver CEUS"


def test_a_missing_translation_falls_back_to_the_other_language_with_a_marker():
    english_only = CourseFactory(title_en="Liver CEUS", title_zh_hans="")
    chinese_only = CourseFactory(title_en="", title_zh_hans="肝脏超声造影")
    with translation.override("zh-hans"):
        html = str(translated_html(english_only, "title"))
        assert english_only.title == "Liver CEUS"
        assert '<span lang="en">Liver CEUS</span>' in html and MARKER in html
        assert ">EN</span>" in html
    with translation.override("en"):
        html = str(translated_html(chinese_only, "title"))
        assert '<span lang="zh-hans">肝脏超声造影</span>' in html and ">中文</span>" in html


def test_the_fallback_text_is_escaped():
    course = CourseFactory(title_en="<b>x</b>", title_zh_hans="")
    with translation.override("zh-hans"):
        assert "<b>" not in str(translated_html(course, "title"))


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Arterial phase", "动脉期"), ("zh-hans", "动脉期", "Arterial phase")],
)
def test_the_lesson_page_is_in_the_readers_language(client, trainee, language, shown, hidden):
    lesson = LessonFactory(
        title_en="Arterial phase",
        title_zh_hans="动脉期",
        body_en="Hyperenhancement.",
        body_zh_hans="高增强。",
        module__title_en="Phases",
        module__title_zh_hans="时相",
        module__course__title_en="Liver",
        module__course__title_zh_hans="肝脏",
        module__course__institution=trainee.institution,
    )
    trainee.preferred_language = language
    trainee.save()
    client.force_login(trainee)
    page = client.get(reverse("courses:lesson_detail", args=[lesson.pk])).text
    assert shown in page and hidden not in page
    assert MARKER not in page


def test_the_catalogue_marks_a_title_not_yet_translated(client, trainee):
    CourseFactory(title_en="Kidney CEUS", title_zh_hans="", institution=trainee.institution)
    trainee.preferred_language = "zh-hans"
    trainee.save()
    client.force_login(trainee)
    page = client.get(reverse("courses:catalogue")).text
    assert "Kidney CEUS" in page and MARKER in page


def test_the_library_grid_is_cached_per_language(client, trainee):
    CaseFactory(
        title_en="Rim enhancement", title_zh_hans="环状强化", institution=trainee.institution
    )
    client.force_login(trainee)
    assert "Rim enhancement" in client.get(reverse("cases:library")).text
    trainee.preferred_language = "zh-hans"
    trainee.save()
    page = client.get(reverse("cases:library")).text
    assert "环状强化" in page and "Rim enhancement" not in page


@pytest.mark.parametrize("query", ["肝细胞癌", "hepatocellular"])
def test_the_library_finds_a_case_by_either_languages_title(query):
    case = CaseFactory(title_en="Hepatocellular carcinoma", title_zh_hans="肝细胞癌病例")
    CaseFactory(title_en="Haemangioma", title_zh_hans="血管瘤", final_diagnosis="Haemangioma")
    for each in Case.objects.all():
        refresh_search_text(each)
    with translation.override("en"):
        assert list(apply_search(Case.objects.all(), query)) == [case]


def test_the_course_form_saves_both_languages_and_needs_one_title(instructor):
    data = {
        "title_en": "",
        "title_zh_hans": "",
        "visibility": "institution",
        "ordering": 0,
    }
    form = CourseForm(data, user=instructor)
    assert not form.is_valid() and "title_en" in form.errors
    form = CourseForm(
        {**data, "title_en": "Breast CEUS", "title_zh_hans": "乳腺超声造影"}, user=instructor
    )
    assert form.is_valid(), form.errors
    assert form.fields["title_zh_hans"].label == "Title (中文)"


def test_the_course_pages_save_both_languages(client, instructor):
    client.force_login(instructor)
    client.post(
        reverse("courses:course_create"),
        {
            "title_en": "Thyroid CEUS",
            "title_zh_hans": "甲状腺超声造影",
            "summary_zh_hans": "甲状腺结节的超声造影",
            "visibility": "institution",
            "ordering": 0,
        },
    )
    course = Course.objects.get(title_en="Thyroid CEUS")
    assert (course.title_zh_hans, course.summary_zh_hans) == (
        "甲状腺超声造影",
        "甲状腺结节的超声造影",
    )
    assert course.slug.startswith("thyroid-ceus")


def test_the_migration_keeps_existing_text_as_english(settings):
    course = CourseFactory(title="Liver CEUS", summary="Basics")
    institution = Institution.objects.get(pk=course.institution_id)
    # As before the migration: the text only in the original column, nothing per language.
    Course.objects.filter(pk=course.pk).update(title_en=None, summary_en=None, title_zh_hans=None)
    Institution.objects.filter(pk=institution.pk).update(name_en=None)

    # The migrations run on historical models, which modeltranslation does not patch. Read
    # from the migration files even when the test database was built without them.
    settings.MIGRATION_MODULES = {}
    historical = MigrationLoader(connection).project_state().apps
    copy_to_source_language("courses", {"course": ("title", "summary")})(historical, None)
    copy_to_source_language("accounts", {"institution": ("name",)})(historical, None)

    course.refresh_from_db()
    institution.refresh_from_db()
    assert (course.title_en, course.summary_en, course.title_zh_hans) == (
        "Liver CEUS",
        "Basics",
        None,
    )
    assert institution.name_en == institution.__dict__["name"]


def test_the_demo_courses_and_institutions_have_both_languages():
    """Titles and summaries of the demo courses and the institutions' names (lesson bodies are
    still English only, shown with the fallback marker)."""
    from courses.models import Lesson, Module
    from demo.courses import load_demo_data

    assert load_demo_data() is True
    checked = [
        (Institution, ("name", "short_name")),
        (Course, ("title", "summary")),
        (Module, ("title", "summary")),
        (Lesson, ("title",)),
    ]
    # A text is either absent in both languages or present in both.
    one_sided = [
        (model.__name__, row.pk, field)
        for model, fields in checked
        for row in model.objects.all()
        for field in fields
        if bool(getattr(row, f"{field}_en")) != bool(getattr(row, f"{field}_zh_hans"))
    ]
    assert one_sided == []
    assert Course.objects.filter(title_zh_hans="肝脏超声造影基础").exists()


def test_the_case_payload_says_which_texts_fell_back():
    from cases.payload import case_detail

    case = CaseFactory(
        title_en="Haemangioma",
        title_zh_hans="",
        teaching_points_en="Fill-in.",
        final_diagnosis_en="",
    )
    Case.objects.filter(pk=case.pk).update(teaching_points_zh_hans="向心性填充。")
    Institution.objects.filter(pk=case.institution_id).update(
        name_en="County Hospital", name_zh_hans="县医院"
    )
    case.refresh_from_db()
    case.institution.refresh_from_db()
    with translation.override("zh-hans"):
        fallback = case_detail(case, can_edit=False)["fallback"]
    assert fallback.get("title") == "en"
    assert "teaching_points" not in fallback and "institution_name" not in fallback
    assert "final_diagnosis" not in fallback  # empty in both: nothing shown, nothing to mark
    with translation.override("en"):
        assert "title" not in case_detail(case, can_edit=False)["fallback"]
