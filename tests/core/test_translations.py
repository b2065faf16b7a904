# ruff: noqa: RUF001 -- Chinese UI text: its full-width colon and comma are intended
"""The Simplified Chinese catalogue: complete, consistent, and what a Chinese trainee sees.

``test_compile_translations.py`` checks the .po → .mo build; these tests check the catalogue
itself (``locale/zh_Hans``) and pages rendered from it. The pages are rendered from a copy of
the catalogue compiled into a temporary folder, so a stale or missing ``.mo`` in the work tree
cannot hide a mistake in the ``.po``.
"""

import ast
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from scripts.compile_translations import compile_all
from tests.courses.factories import (
    CourseFactory,
    EnrolmentFactory,
    LessonCompletionFactory,
    LessonFactory,
    ModuleFactory,
)
from tests.factories import InstitutionFactory, TraineeFactory

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %d, %%: printf-style placeholders as Python's % operator reads them.
PRINTF = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[sdifrxXeEgGcaou%]")
BRACES = re.compile(r"\{[^{}]*\}")  # str.format placeholders
TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # HTML tags must survive translation unchanged


def load_catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def live_entries() -> list[polib.POEntry]:
    return [entry for entry in load_catalogue() if not entry.obsolete]


def entry_id(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def translations_of(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs; the one plural form of Chinese answers msgid_plural."""
    if entry.msgid_plural:
        return [(entry.msgid_plural, text) for _, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def tokens(pattern: re.Pattern[str], text: str) -> Counter[str]:
    return Counter(pattern.findall(text))


# --- The catalogue -----------------------------------------------------------------------------


def test_catalogue_header_declares_chinese_with_one_plural_form():
    metadata = load_catalogue().metadata

    assert metadata["Language"] == "zh_Hans"
    assert metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in metadata["Content-Type"]


def test_no_message_is_defined_twice():
    """GNU msgfmt refuses a catalogue with a duplicate entry (polib keeps both quietly): the
    entries are appended by hand, so a string added twice must fail here."""
    ids = Counter(entry_id(entry) for entry in live_entries())

    assert [msgid for msgid, count in ids.items() if count > 1] == []


def test_every_entry_is_translated_and_not_fuzzy():
    catalogue = load_catalogue()
    entries = live_entries()

    assert len(entries) > 200  # the whole project, not only accounts/core
    assert [entry_id(e) for e in catalogue.fuzzy_entries()] == []
    assert [entry_id(e) for e in catalogue.untranslated_entries()] == []
    # msgmerge keeps removed strings as "#~" entries: they are dead weight, drop them.
    assert [entry_id(e) for e in catalogue.obsolete_entries()] == []
    for entry in entries:
        for _, text in translations_of(entry):
            assert text.strip(), entry_id(entry)
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0], entry_id(entry)


# Where the project catalogue's strings come from (the cineloops app keeps its own catalogue).
PYTHON_SOURCES = [
    "accounts",
    "cases",
    "certification",
    "consults",
    "core",
    "courses",
    "demo",
    "live",
    "offline",
    "quizzes",
    "training",
]
TEMPLATE_SOURCES = REPO / "templates"
SKIPPED_TEMPLATES = {"cineloops"}
GETTEXT_FUNCTIONS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
PGETTEXT_FUNCTIONS = {"pgettext", "pgettext_lazy"}
TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?"""
)
UNDERSCORE_IN_TEMPLATE = re.compile(r"""\b_\((?P<q>["'])(?P<msgid>.*?)(?P=q)\)""")


def python_msgids() -> set[tuple[str | None, str]]:
    found = set()
    for folder in PYTHON_SOURCES:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                strings = [a for a in args[:2] if isinstance(a, str)]
                if node.func.id in GETTEXT_FUNCTIONS and args and isinstance(args[0], str):
                    found.add((None, args[0]))
                elif node.func.id in PGETTEXT_FUNCTIONS and len(strings) == 2:
                    found.add((strings[0], strings[1]))
    return found


def template_msgids() -> set[tuple[str | None, str]]:
    found = set()
    for path in sorted(TEMPLATE_SOURCES.rglob("*")):
        relative = path.relative_to(TEMPLATE_SOURCES)
        if not path.is_file() or relative.parts[0] in SKIPPED_TEMPLATES:
            continue
        text = path.read_text()
        for match in TRANSLATE_TAG.finditer(text):
            found.add((match["context"], match["msgid"]))
        for match in UNDERSCORE_IN_TEMPLATE.finditer(text):
            found.add((None, match["msgid"]))
    return found


def test_catalogue_has_every_literal_string_of_the_code_and_templates():
    """Catches a string added without re-running makemessages (which needs GNU gettext):
    ``{% translate %}`` and ``_()`` literals; blocktranslate is left to makemessages."""
    catalogued = {(entry.msgctxt, entry.msgid) for entry in live_entries()}
    sources = python_msgids() | template_msgids()

    assert len(sources) > 150
    assert sorted(sources - catalogued, key=str) == []


@pytest.mark.parametrize("pattern", [PRINTF, BRACES, TAG], ids=["printf", "braces", "html"])
def test_placeholders_and_markup_in_msgstr_match_the_msgid(pattern):
    mismatches = [
        (entry_id(entry), text)
        for entry in live_entries()
        for source, text in translations_of(entry)
        if tokens(pattern, text) != tokens(pattern, source)
    ]

    assert mismatches == []


def test_plural_entries_keep_the_count_placeholder_of_both_forms():
    for entry in live_entries():
        if entry.msgid_plural:
            assert tokens(PRINTF, entry.msgid) == tokens(PRINTF, entry.msgid_plural)


# One word for one thing across the whole interface (the glossary in the .po header):
# source word (lower case) → the Chinese term every translation containing it must use.
GLOSSARY = {
    "instructor": "带教老师",
    "cohort": "班级",
    "lesson": "课时",
    "module": "模块",
    "enrol": "报名",
    "trainee": "学员",
    "learner": "学员",
    "programme director": "项目主任",
    "draft": "草稿",
}
# Synonyms that an earlier draft or another translator might bring back.
AVOID = ["讲师", "教员", "培训班", "队列", "选课", "消退", "注册课程", "小节"]


@pytest.mark.parametrize(("word", "term"), sorted(GLOSSARY.items()))
def test_terminology_is_consistent(word, term):
    inconsistent = [
        (entry_id(entry), text)
        for entry in live_entries()
        for source, text in translations_of(entry)
        if re.search(rf"\b{word}", source, re.IGNORECASE) and term not in text
    ]

    assert inconsistent == []


def test_avoided_synonyms_do_not_appear():
    found = [
        (entry_id(entry), text)
        for entry in live_entries()
        for _, text in translations_of(entry)
        if any(word in text for word in AVOID)
    ]

    assert found == []


# --- Pages a Chinese trainee sees --------------------------------------------------------------

# The main English labels of the trainee's pages; none may be left in the Chinese pages.
ENGLISH_LABELS = [
    "CEUS Training",
    "Skip to content",
    "Dashboard",
    "Courses",
    "Log out",
    "Your courses",
    "Continue",
    "Start",
    "Locked",
    "Done",
    "Course completed",
    "Enrol",
    "Enrolled",
    "Open the course",
    "No courses are open to you yet.",
    "lessons",
    "Progress",
    "Breadcrumbs",
    "About ",
    "minutes",
    "Mark complete and continue",
    "Next lesson",
    "Lessons",
    "Completed",
    "Language",
]


def visible_text(html: str) -> str:
    """Text nodes plus the attributes a screen reader speaks: what a user can perceive."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    spoken = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join([text, *spoken])


def assert_chinese_page(response, expected: list[str]) -> None:
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    text = visible_text(response.content.decode())
    missing = [label for label in expected if label not in text]
    assert missing == []
    leftovers = [label for label in ENGLISH_LABELS if label in text]
    assert leftovers == []


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory) -> Path:
    """The zh_Hans catalogue as it is in the work tree, compiled into a temporary folder."""
    root = tmp_path_factory.mktemp("catalogue")
    target = root / "locale" / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    assert compile_all(root) == [target / "django.po"]
    return root / "locale"


@pytest.fixture
def zh_client(client, settings, compiled_locale):
    """A signed-in trainee (no preferred language) whose browser asks for Chinese."""
    # Changing LOCALE_PATHS makes Django drop its cached catalogues (setting_changed).
    settings.LOCALE_PATHS = [compiled_locale]
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.fixture
def learning(db):
    """A trainee half-way through the first module of a two-module course, plus a course
    open for enrolment."""
    hospital = InstitutionFactory(name="Qingxi County Hospital")
    trainee = TraineeFactory(institution=hospital, preferred_language="")
    course = CourseFactory(institution=hospital, title="Liver CEUS", slug="liver-ceus")
    first = ModuleFactory(course=course, title="Physics", order=0)
    second = ModuleFactory(course=course, title="Phases", order=1, prerequisites=[first])
    lessons = [
        LessonFactory(module=module, title=f"{module.title} {n}", order=n, estimated_minutes=12)
        for module in (first, second)
        for n in (1, 2)
    ]
    EnrolmentFactory(user=trainee, course=course)
    LessonCompletionFactory(user=trainee, lesson=lessons[0])
    other = CourseFactory(institution=hospital, title="Thyroid CEUS", slug="thyroid-ceus")
    LessonFactory(module=ModuleFactory(course=other, title="Technique"), title="Why CEUS")
    return {"trainee": trainee, "course": course, "lessons": lessons}


def test_dashboard_in_chinese(zh_client, learning):
    zh_client.force_login(learning["trainee"])

    response = zh_client.get(reverse("courses:dashboard"))

    expected = ["超声造影培训", "工作台", "课程", "退出登录", "我的课程", "继续学习", "未解锁"]
    expected += ["25% · 已完成 1/4 课时", "“Physics”的学习进度"]  # progress text, aria-label
    assert_chinese_page(response, expected)


def test_catalogue_in_chinese(zh_client, learning):
    zh_client.force_login(learning["trainee"])

    response = zh_client.get(reverse("courses:catalogue"))

    assert_chinese_page(response, ["课程", "共 4 课时", "共 1 课时", "已报名", "进入课程", "报名"])


def test_lesson_page_in_chinese(zh_client, learning):
    zh_client.force_login(learning["trainee"])
    lesson = learning["lessons"][1]  # the next lesson of the unlocked first module

    response = zh_client.get(lesson.get_absolute_url())

    assert_chinese_page(response, ["Physics 2 · 超声造影培训", "约 12 分钟", "标记为已完成并继续"])


def test_course_outline_in_chinese(zh_client, learning):
    zh_client.force_login(learning["trainee"])

    response = zh_client.get(learning["course"].get_absolute_url())

    assert_chinese_page(response, ["模块", "12 分钟", "已完成", "未解锁", "请先完成以下模块："])
