"""Instructor pages: the question bank, the question form of every kind, the quiz builder."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cases.models import Annotation
from core.scoping import PublicationStatus, Visibility
from quizzes.models import Option, Question, QuestionKind, Quiz, QuizDraw, QuizItem
from tests.cases.factories import CaseFactory, ReadyLoopFactory
from tests.quizzes.factories import QuizFactory, TagFactory, make_question

pytestmark = pytest.mark.django_db

K = QuestionKind
ELLIPSE = {"cx": 160.0, "cy": 120.0, "rx": 30.0, "ry": 20.0}
SQUARE = [[100.0, 80.0], [200.0, 80.0], [200.0, 160.0], [100.0, 160.0]]


@pytest.fixture
def author(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def loop(hospital):
    return ReadyLoopFactory(institution=hospital)  # 320 x 240, 30 s


@pytest.fixture
def case(hospital, loop, instructor):
    return CaseFactory(institution=hospital, loops=[loop], created_by=instructor)


@pytest.fixture
def outline(case, loop):
    """A polygon the case's author drew around the lesion."""
    return Annotation.objects.create(
        case=case, loop=loop, kind="polygon", geometry={"points": SQUARE}, label="lesion"
    )


def common(**extra) -> dict:
    data = {
        "title_en": "Phase of wash-out",
        "prompt_en": "When does the wash-out begin?",
        "explanation_en": "Late phase.",
        "points": "2",
        "tags": "liver, wash-out, liver",
        "visibility": Visibility.INSTITUTION,
        "status": PublicationStatus.PUBLISHED,
    }
    return data | extra


def options(rows: list[tuple[str, bool]], initial: int = 0, ids=()) -> dict:
    data = {
        "options-TOTAL_FORMS": str(len(rows)),
        "options-INITIAL_FORMS": str(initial),
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "20",
    }
    for i, (text, correct) in enumerate(rows):
        data[f"options-{i}-text_en"] = text
        data[f"options-{i}-feedback_en"] = f"because {i}"
        if correct:
            data[f"options-{i}-is_correct"] = "on"
        if i < len(ids):
            data[f"options-{i}-id"] = str(ids[i])
    return data


def create(client, kind: str, data: dict):
    return client.post(f"{reverse('quizzes:question_create')}?kind={kind}", data)


def only_question() -> Question:
    (question,) = Question.objects.all()
    return question


# --- Access ----------------------------------------------------------------------------------


def test_trainees_get_403_and_visitors_the_login_page(client, trainee):
    urls = [
        reverse("quizzes:bank"),
        f"{reverse('quizzes:question_create')}?kind=single",
        reverse("quizzes:create"),
        reverse("quizzes:grading"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(trainee)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert create(client, K.NUMERIC, common(value="3")).status_code == 403
    assert not Question.objects.exists()


@pytest.mark.parametrize("visibility", [Visibility.INSTITUTION, Visibility.NETWORK])
def test_another_institutions_instructor_cannot_edit(
    client, hospital, other_instructor, visibility
):
    question = make_question(K.NUMERIC, institution=hospital, visibility=visibility)
    quiz = QuizFactory(institution=hospital, visibility=visibility, questions=[question])
    client.force_login(other_instructor)
    assert client.get(reverse("quizzes:question_edit", args=[question.pk])).status_code == 404
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]), common(title_en="Hacked", value="1")
    )
    assert response.status_code == 404
    assert client.get(reverse("quizzes:edit", args=[quiz.pk])).status_code == 404
    response = client.post(
        reverse("quizzes:edit", args=[quiz.pk]), {"action": "remove_item", "target": "1"}
    )
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.title != "Hacked"
    assert quiz.items.count() == 1
    # Their bank lists only what they may edit.
    page = client.get(reverse("quizzes:bank"))
    assert list(page.context["page"].object_list) == []
    assert list(page.context["quizzes"]) == []


def test_bank_filters_by_kind_tag_case_status_and_title(author, hospital, case, other_hospital):
    numeric = make_question(K.NUMERIC, institution=hospital, title="Arterial time", tags=["t1"])
    single = make_question(K.SINGLE, institution=hospital, title="Which lesion", case=case)
    draft = make_question(K.FREE_TEXT, institution=hospital, title="Describe", status="draft")
    make_question(K.NUMERIC, institution=other_hospital, visibility=Visibility.NETWORK)

    def listed(**params):
        response = author.get(reverse("quizzes:bank"), params)
        assert response.status_code == 200
        return set(response.context["page"].object_list)

    assert listed() == {numeric, single, draft}
    assert listed(kind=K.NUMERIC) == {numeric}
    assert listed(tag="T1") == {numeric}
    assert listed(case=case.pk) == {single}
    assert listed(status="draft") == {draft}
    assert listed(q="lesion") == {single}
    page = author.get(reverse("quizzes:bank")).content.decode()
    assert f"{reverse('quizzes:question_create')}?kind=hotspot" in page


def test_bank_search_finds_a_title_in_either_language(author, hospital):
    english_only = make_question(K.NUMERIC, institution=hospital, title_en="Arterial time")
    chinese_only = make_question(
        K.NUMERIC, institution=hospital, title_en="", title_zh_hans="廓清开始时间"
    )

    def listed(query: str, language: str) -> set:
        page = author.get(reverse("quizzes:bank"), {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
        assert page.context["LANGUAGE_CODE"] == language
        return set(page.context["page"].object_list)

    # Each reader finds the other language's only title too.
    assert listed("arterial", "zh-hans") == {english_only}
    assert listed("廓清", "zh-hans") == {chinese_only}
    assert listed("廓清", "en") == {chinese_only}
    assert listed("arterial", "en") == {english_only}


# --- Creating each kind ----------------------------------------------------------------------


def test_unknown_kind_goes_back_to_the_bank(author):
    response = author.get(f"{reverse('quizzes:question_create')}?kind=essay")
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:bank")


@pytest.mark.parametrize(
    ("kind", "rows", "correct"),
    [
        (K.SINGLE, [("HCC", True), ("FNH", False), ("", False)], ["HCC"]),
        (K.MULTIPLE, [("APHE", True), ("Wash-out", True), ("Scar", False)], ["APHE", "Wash-out"]),
        (K.ORDERING, [("Arterial", False), ("Portal", False), ("Late", False)], []),
    ],
)
def test_instructor_creates_option_questions(author, instructor, kind, rows, correct):
    extra = {"partial_credit": "on"} if kind != K.SINGLE else {}
    response = create(author, kind, common(**extra) | options(rows))
    question = only_question()
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:question_edit", args=[question.pk])
    assert question.kind == kind
    assert question.institution_id == instructor.institution_id
    assert question.points == 2
    assert sorted(t.name for t in question.tags.all()) == ["liver", "wash-out"]
    saved = list(question.options.order_by("order"))
    assert [o.text for o in saved] == [text for text, _ in rows if text]
    assert [o.text for o in saved if o.is_correct] == correct
    assert saved[0].feedback == "because 0"
    if kind == K.ORDERING:
        assert [o.order for o in saved] == [0, 1, 2]
        assert question.partial_credit


def test_instructor_creates_true_false_numeric_category_and_free_text(author):
    create(author, K.TRUE_FALSE, common(title_en="tf", true_answer="false"))
    create(author, K.NUMERIC, common(title_en="num", value="12.5", tolerance="2", unit="s"))
    create(author, K.CATEGORY, common(title_en="cat", vocabulary="lirads", category="LR-4"))
    create(author, K.FREE_TEXT, common(title_en="free", rubric="Names the arterial phase."))
    questions = {q.title: q for q in Question.objects.all()}
    assert set(questions) == {"tf", "num", "cat", "free"}
    tf = questions["tf"]
    assert [(o.order, o.is_correct) for o in tf.options.order_by("order")] == [
        (0, False),
        (1, True),
    ]
    assert questions["num"].answer == {"value": 12.5}
    assert (questions["num"].tolerance, questions["num"].unit) == (2, "s")
    assert questions["cat"].answer == {"value": "LR-4"}
    assert questions["cat"].vocabulary == "lirads"
    assert questions["free"].rubric == "Names the arterial phase."


def test_category_must_come_from_the_chosen_list(author):
    response = create(author, K.CATEGORY, common(vocabulary="washout", category="LR-4"))
    assert response.status_code == 200
    assert "category" in response.context["form"].errors
    assert not Question.objects.exists()


def test_time_point_question_on_a_case_loop(author, case, loop):
    data = common(case=case.pk, loop=loop.pk, time_s="14.2", tolerance="1.5")
    response = create(author, K.TIME_POINT, data)
    assert response.status_code == 302
    question = only_question()
    assert (question.case, question.loop) == (case, loop)
    assert question.answer == {"time_s": 14.2}
    assert question.tolerance == 1.5


def test_hotspot_with_a_drawn_ellipse(author, case, loop):
    roi = json.dumps({"kind": "ellipse", "geometry": ELLIPSE})
    data = common(case=case.pk, loop=loop.pk, frame_time_s="12", roi=roi)
    response = create(author, K.HOTSPOT, data)
    assert response.status_code == 302, response.context["form"].errors
    question = only_question()
    assert question.answer == {"kind": "ellipse", "geometry": ELLIPSE}
    assert question.frame_time_s == 12
    # The edit page offers the loop to the drawing editor and keeps the region.
    page = author.get(reverse("quizzes:question_edit", args=[question.pk])).content.decode()
    assert "data-loop-editor" in page
    assert f'data-video="{loop.media_url("video")}"' in page
    assert "&quot;cx&quot;: 160.0" in page


def test_drawn_question_copies_an_annotation(author, case, loop, outline):
    data = common(
        case=case.pk,
        loop=loop.pk,
        frame_time_s="10",
        annotation=outline.pk,
        overlap_metric="dice",
        overlap_threshold="0.6",
    )
    response = create(author, K.DRAWN, data)
    assert response.status_code == 302, response.context["form"].errors
    question = only_question()
    assert question.answer == {"kind": "polygon", "geometry": {"points": SQUARE}}
    assert (question.overlap_metric, question.overlap_threshold) == ("dice", 0.6)


def test_loop_must_belong_to_the_case(author, case, hospital):
    other_case = CaseFactory(institution=hospital, loops=[ReadyLoopFactory(institution=hospital)])
    stray_loop = other_case.case_loops.get().loop
    data = common(case=case.pk, loop=stray_loop.pk, time_s="3", tolerance="1")
    response = create(author, K.TIME_POINT, data)
    assert response.status_code == 200
    assert "loop" in response.context["form"].errors
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "roi",
    [
        "not json",
        json.dumps({"kind": "ellipse", "geometry": {"cx": "<script>", "cy": 1, "rx": 1, "ry": 1}}),
        json.dumps({"kind": "ellipse", "geometry": ELLIPSE, "extra": "x"}),
        json.dumps({"kind": "arrow", "geometry": {"x1": 1, "y1": 1, "x2": 9, "y2": 9}}),
        json.dumps({"kind": "ellipse", "geometry": {**ELLIPSE, "rx": 1e308 * 10}}),
        json.dumps({"kind": "ellipse", "geometry": {**ELLIPSE, "cx": 310.0}}),  # off the image
        json.dumps({"kind": "polygon", "geometry": {"points": [[0, 0]] * 600}}),
        json.dumps([1, 2, 3]),
        "{" * 50_000,
    ],
)
def test_malicious_or_broken_region_is_refused_and_nothing_saved(author, case, loop, roi):
    data = common(case=case.pk, loop=loop.pk, frame_time_s="12", roi=roi)
    response = create(author, K.HOTSPOT, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "roi" in errors
    assert "region" in " ".join(errors["roi"])
    assert "errorlist" in response.content.decode()
    assert not Question.objects.exists()


def test_incomplete_key_is_refused_and_nothing_saved(author):
    # A single-choice question without a correct option: the service refuses its key.
    response = create(author, K.SINGLE, common() | options([("A", False), ("B", False)]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert not Question.objects.exists()
    assert not Option.objects.exists()
    # A region is required for a hotspot.
    response = create(author, K.HOTSPOT, common(frame_time_s="1"))
    assert response.status_code == 200
    assert {"case", "loop", "roi"} <= set(response.context["form"].errors)
    assert not Question.objects.exists()


def test_question_and_options_are_written_in_both_languages(author):
    page = author.get(f"{reverse('quizzes:question_create')}?kind={K.SINGLE}")
    assert page.context["form"].fields["prompt_zh_hans"].label == "Question (中文)"
    assert "options-0-text_zh_hans" in page.content.decode()
    # Neither language of the prompt: refused next to the English one.
    data = common(prompt_en="") | options([("HCC", True)])
    response = create(author, K.SINGLE, data)
    assert "prompt_en" in response.context["form"].errors
    data = common(title_en="", prompt_en="", explanation_en="") | {
        "title_zh_hans": "廓清时相",
        "prompt_zh_hans": "廓清从哪一期开始",
        "explanation_zh_hans": "延迟期。",
    }
    data |= options([("", True), ("", False)])
    data |= {"options-0-text_zh_hans": "肝细胞癌", "options-0-feedback_zh_hans": "动脉期高增强。"}
    data |= {"options-1-text_zh_hans": "血管瘤", "options-1-feedback_en": ""}
    response = create(author, K.SINGLE, data)
    assert response.status_code == 302, response.context["form"].errors
    question = only_question()
    assert (question.title_en, question.title_zh_hans) == ("", "廓清时相")
    assert question.prompt_zh_hans == "廓清从哪一期开始"
    saved = list(question.options.order_by("order"))
    assert [(o.text_en, o.text_zh_hans) for o in saved] == [("", "肝细胞癌"), ("", "血管瘤")]
    assert saved[0].feedback_zh_hans == "动脉期高增强。"
    # The edit page shows both languages of each option again.
    page = author.get(reverse("quizzes:question_edit", args=[question.pk]))
    assert page.context["formset"].initial[0]["text_zh_hans"] == "肝细胞癌"


def test_true_false_options_are_stored_in_both_languages(author):
    create(author, K.TRUE_FALSE, common(title_en="tf", true_answer="true"))
    options_ = only_question().options.order_by("order")
    assert [(o.text_en, o.text_zh_hans) for o in options_] == [("True", "正确"), ("False", "错误")]


def test_quiz_settings_take_both_languages(author):
    data = settings_data(title_en="", title_zh_hans="肝脏超声造影考试")
    data |= {"description_zh_hans": "动脉期与廓清。"}
    response = author.post(reverse("quizzes:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get()
    assert (quiz.title_en, quiz.title_zh_hans) == ("", "肝脏超声造影考试")
    assert quiz.description_zh_hans == "动脉期与廓清。"
    refused = author.post(reverse("quizzes:create"), settings_data(title_en=""))
    assert "title_en" in refused.context["form"].errors


def test_editing_keeps_option_rows_and_changes_the_key(author, hospital):
    question = make_question(K.SINGLE, institution=hospital)
    ids = list(question.options.order_by("order").values_list("pk", flat=True))
    page = author.get(reverse("quizzes:question_edit", args=[question.pk]))
    assert page.status_code == 200
    assert page.context["formset"].initial[1]["is_correct"] is True
    rows = [("Haemangioma", True), ("HCC", False), ("FNH", False)]
    data = common(title_en="Changed", tags="") | options(rows, initial=3, ids=ids)
    response = author.post(reverse("quizzes:question_edit", args=[question.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    question.refresh_from_db()
    assert question.title == "Changed"
    assert list(question.tags.all()) == []
    assert list(question.options.order_by("order").values_list("pk", flat=True)) == ids
    assert question.options.get(is_correct=True).text == "Haemangioma"


# --- Quiz builder ----------------------------------------------------------------------------


def settings_data(**extra) -> dict:
    data = {
        "action": "settings",
        "title_en": "Liver CEUS exam",
        "kind": "exam",
        "attachment": "",
        "pass_mark": "70",
        "max_attempts": "2",
        "grading_method": "highest",
        "time_limit_minutes": "30",
        "feedback_policy": "after_submit",
        "opens_at": "",
        "closes_at": "",
        "visibility": Visibility.INSTITUTION,
        "status": PublicationStatus.DRAFT,
        "description_en": "",
    }
    return data | extra


def test_publishing_an_empty_quiz_is_refused(author):
    response = author.post(reverse("quizzes:create"), settings_data(status="published"))
    assert response.status_code == 200
    assert "at least one question" in " ".join(response.context["form"].non_field_errors())
    assert not Quiz.objects.exists()


def test_quiz_builder_adds_items_and_draws_then_publishes(author, hospital, other_hospital):
    first = make_question(K.NUMERIC, institution=hospital, title="First")
    second = make_question(K.SINGLE, institution=hospital, title="Second")
    shared = make_question(K.SINGLE, institution=other_hospital, visibility=Visibility.NETWORK)
    private = make_question(K.SINGLE, institution=other_hospital)
    TagFactory(name="liver")
    for _ in range(2):
        make_question(K.SINGLE, institution=hospital, tags=["liver"])

    response = author.post(reverse("quizzes:create"), settings_data())
    quiz = Quiz.objects.get()
    assert response["Location"] == reverse("quizzes:edit", args=[quiz.pk]) + "#items"
    assert (quiz.kind, quiz.pass_mark, quiz.max_attempts, quiz.status) == ("exam", 70, 2, "draft")

    page = author.get(reverse("quizzes:edit", args=[quiz.pk]))
    choices = set(page.context["item_form"].fields["question"].queryset)
    assert {first, second, shared} <= choices
    assert private not in choices

    edit = reverse("quizzes:edit", args=[quiz.pk])
    for question in (first, second, shared):
        response = author.post(edit, {"action": "add_item", "question": question.pk})
        assert response.status_code == 302
    refused = author.post(edit, {"action": "add_item", "question": private.pk})
    assert refused.status_code == 200 and "question" in refused.context["item_form"].errors
    assert [i.question for i in quiz.items.order_by("order")] == [first, second, shared]

    item = quiz.items.get(question=shared)
    author.post(edit, {"action": "move_item", "target": item.pk, "direction": "up"})
    assert [i.question for i in quiz.items.order_by("order")] == [first, shared, second]
    author.post(edit, {"action": "remove_item", "target": quiz.items.get(question=first).pk})
    assert [i.question for i in quiz.items.order_by("order")] == [shared, second]

    tag = TagFactory(name="liver")
    author.post(edit, {"action": "add_draw", "tag": tag.pk, "count": "3"})
    draw = QuizDraw.objects.get(quiz=quiz)
    assert (draw.tag, draw.count) == (tag, 3)
    page = author.get(edit)
    assert page.context["draws"][0].available == 2
    assert "Fewer available than drawn" in page.content.decode()

    response = author.post(edit, settings_data(status="published", attachment=""))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.status == "published"

    author.post(edit, {"action": "remove_draw", "target": draw.pk})
    assert not QuizDraw.objects.filter(quiz=quiz).exists()


def test_quiz_attaches_to_a_module_of_the_authors_course(author, hospital, other_hospital):
    from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory

    module = ModuleFactory(course=CourseFactory(institution=hospital))
    lesson = LessonFactory(module=module)
    foreign = ModuleFactory(course=CourseFactory(institution=other_hospital))
    page = author.get(reverse("quizzes:create")).content.decode()
    assert f'value="module:{module.pk}"' in page
    assert f'value="lesson:{lesson.pk}"' in page
    assert f'value="module:{foreign.pk}"' not in page

    author.post(reverse("quizzes:create"), settings_data(attachment=f"lesson:{lesson.pk}"))
    quiz = Quiz.objects.get()
    assert (quiz.lesson, quiz.module) == (lesson, None)
    # Someone else's module is not a choice.
    response = author.post(
        reverse("quizzes:edit", args=[quiz.pk]), settings_data(attachment=f"module:{foreign.pk}")
    )
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    quiz.refresh_from_db()
    assert quiz.lesson == lesson


def test_closing_before_opening_is_refused(author):
    data = settings_data(opens_at="2030-05-02T10:00", closes_at="2030-05-01T10:00")
    response = author.post(reverse("quizzes:create"), data)
    assert "closes_at" in response.context["form"].errors
    assert not QuizItem.objects.exists() and not Quiz.objects.exists()
