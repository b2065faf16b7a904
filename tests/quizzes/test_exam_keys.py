"""Exam keys are never reachable during an attempt (issue 11, "Assessment integrity").

An exam with every question kind, each on its own case whose annotations, phase markers,
curve, category and diagnosis hold that question's key (the numbers of ``factories``). A
trainee with the attempt open tries every case and loop page, and every API operation of the
OpenAPI schema that takes a case or loop id (walked from the schema, so a new route is tried
without touching this file): none returns key material. After submission the cases open as
the feedback policy allows; another trainee is never affected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Annotation, PhaseMarker, RoiCurve, TicStatus
from quizzes.locks import exam_key_lock
from quizzes.models import FeedbackPolicy, QuizKind
from quizzes.payload import attempt_payload
from quizzes.services.attempts import answer_check, answer_save, attempt_start, attempt_submit
from tests.cases.factories import with_files
from tests.factories import TraineeFactory, api_for
from tests.quizzes.factories import (
    ALL_KINDS,
    CATEGORY_KEY,
    ELLIPSE_KEY,
    POLYGON_KEY,
    TIME_KEY,
    CaseFactory,
    QuizFactory,
    ReadyLoopFactory,
    make_question,
    wrong_response,
)
from tests.quizzes.key_walk import body, call, found_keys, html_routes, schema_operations

pytestmark = pytest.mark.django_db

DIAGNOSIS = "SECRET-DIAGNOSIS focal nodular hyperplasia"
KEY_NUMBERS = {
    *ELLIPSE_KEY.values(),
    TIME_KEY,
    *(value for point in POLYGON_KEY["points"] for value in point),
}
LOCKED_MESSAGE = "part of your exam in progress"
WAITING_MESSAGE = "opens again when the exam closes"


def _exam_case(hospital, instructor, n: int):
    """A case holding every kind of key: lesion ellipse (+ its curve), outline polygon,
    arterial-onset marker, category and diagnosis."""
    loop = with_files(ReadyLoopFactory(institution=hospital))
    case = CaseFactory(
        institution=hospital,
        loops=[loop],
        created_by=instructor,
        title=f"EXAM-CASE-{n}",
        category=CATEGORY_KEY,
        final_diagnosis=DIAGNOSIS,
    )
    lesion = Annotation.objects.create(
        case=case, loop=loop, kind="ellipse", geometry=dict(ELLIPSE_KEY), roi_role="lesion"
    )
    Annotation.objects.create(
        case=case, loop=loop, kind="polygon", geometry={"points": POLYGON_KEY["points"]}
    )
    PhaseMarker.objects.create(case=case, loop=loop, kind="arterial_onset", time_s=TIME_KEY)
    RoiCurve.objects.create(
        annotation=lesion,
        status=TicStatus.READY,
        signature="exam",
        dynamic_range_db=60.0,
        times_s=[0.0, 1.0],
        values=[1.0, 2.0],
        parameters={"ttp_s": TIME_KEY},  # a time-to-peak is a time-point key
    )
    return case, loop, lesion


@pytest.fixture
def exam(hospital, instructor):
    """An exam of ``hospital``: one question of every kind, each on its own case."""
    cases = [_exam_case(hospital, instructor, n) for n in range(len(ALL_KINDS))]
    questions = [
        make_question(kind, institution=hospital, case=case, loop=loop)
        for kind, (case, loop, _lesion) in zip(ALL_KINDS, cases, strict=True)
    ]
    quiz = QuizFactory(
        institution=hospital,
        questions=questions,
        kind=QuizKind.EXAM,
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
    )
    return quiz, cases


def leaks(text: str, *, category: bool = True) -> list[str]:
    """The key material found in a response body: geometry and marker numbers, the
    diagnosis, the category (not on library pages: their filter bar lists every category)."""
    phrases = [DIAGNOSIS, CATEGORY_KEY] if category else [DIAGNOSIS]
    return found_keys(text, phrases=phrases, numbers=KEY_NUMBERS)


def test_no_route_gives_an_exam_key_while_the_attempt_is_open(client, exam, trainee):
    quiz, cases = exam
    attempt_start(quiz=quiz, user=trainee)
    api = api_for(trainee)
    client.force_login(trainee)
    covered = set()
    for case, loop, lesion in cases:
        for method, path, url, query in schema_operations(case, loop, lesion):
            covered.add(f"{method} {path}")
            response = call(api, method, url, query)
            assert not leaks(body(response)), (method, url, response.status_code)
            if f"/cases/{case.pk}/" in url or "/tic/" in url:
                assert response.status_code == 403, (method, url, response.status_code)
                assert "exam" in response.json()["detail"], (method, url)
        for url in html_routes(case, loop):
            for response in (client.get(url), client.post(url)):
                assert not leaks(body(response)), (url, response.status_code)
        page = client.get(case.get_absolute_url())
        assert page.status_code == 403 and LOCKED_MESSAGE in page.content.decode()
    # The walk reached the routes that leaked (so it is not empty by mistake).
    assert {
        "GET /api/v1/cases/{id}/",
        "GET /api/v1/cases/{id}/annotations/",
        "GET /api/v1/cineloops/{id}/tic/",
        "GET /cineloops/{id}/media/{kind}/",
    } <= covered, covered


def test_the_library_lists_no_case_of_the_exam_in_progress(client, exam, trainee, hospital):
    quiz, cases = exam
    other = TraineeFactory(institution=hospital)
    client.force_login(other)
    shared = client.get("/cases/", {"q": "SECRET-DIAGNOSIS"})  # fills the shared grid cache
    assert all(case.title in shared.content.decode() for case, _, _ in cases)

    attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    api = api_for(trainee)
    for query in ({}, {"q": "SECRET-DIAGNOSIS"}, {"q": "focal"}, {"category": CATEGORY_KEY}):
        page = body(client.get("/cases/", query))
        listed = body(api.get("/api/v1/cases/", query))
        for case, _loop, _lesion in cases:
            assert case.title not in page and case.title not in listed, query
        assert not leaks(page, category=False) and not leaks(listed), query


def test_the_attempt_still_plays_its_loops(client, exam, trainee):
    quiz, _cases = exam
    attempt = attempt_start(quiz=quiz, user=trainee)
    client.force_login(trainee)
    shown = [q["loop"] for q in attempt_payload(attempt, user=trainee)["questions"] if q["loop"]]
    assert shown
    for loop in shown:
        assert client.get(loop["video_url"]).status_code == 200


def test_another_trainee_is_not_affected(exam, trainee, hospital):
    quiz, cases = exam
    attempt_start(quiz=quiz, user=trainee)
    api = api_for(TraineeFactory(institution=hospital))
    case, loop, lesion = cases[0]
    assert leaks(api.get(f"/api/v1/cases/{case.pk}/annotations/").content.decode())
    assert DIAGNOSIS in api.get(f"/api/v1/cases/{case.pk}/").content.decode()
    tic = api.get(f"/api/v1/cineloops/{loop.pk}/tic/", {"roi": lesion.pk})
    assert tic.status_code == 200


def test_after_submission_the_cases_open_as_the_feedback_shows_the_key(client, exam, trainee):
    quiz, cases = exam
    attempt = attempt_start(quiz=quiz, user=trainee)
    attempt_submit(attempt_id=attempt.pk, user=trainee)
    client.force_login(trainee)
    for case, _loop, _lesion in cases:
        page = client.get(case.get_absolute_url())
        assert page.status_code == 200 and DIAGNOSIS in page.content.decode()
        marks = api_for(trainee).get(f"/api/v1/cases/{case.pk}/annotations/")
        assert marks.status_code == 200 and leaks(marks.content.decode())


def test_feedback_after_close_keeps_the_cases_locked_until_the_quiz_closes(client, exam, trainee):
    quiz, cases = exam
    now = timezone.now()
    quiz.feedback_policy, quiz.closes_at = FeedbackPolicy.AFTER_CLOSE, now + timedelta(days=2)
    quiz.save()
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    client.force_login(trainee)
    case = cases[0][0]

    waiting = client.get(case.get_absolute_url())
    assert waiting.status_code == 403 and WAITING_MESSAGE in waiting.content.decode()
    assert not leaks(body(waiting))
    assert api_for(trainee).get(f"/api/v1/cases/{case.pk}/").status_code == 403

    quiz.closes_at = now - timedelta(minutes=1)
    quiz.save()
    assert client.get(case.get_absolute_url()).status_code == 200


def test_what_locks_when(exam, trainee):
    """Open attempts lock; past its deadline (answers refused) nothing more is protected
    under "after submission"; "never" locks only while open (see ``quizzes.locks``)."""
    quiz, cases = exam
    case_ids = {case.pk for case, _, _ in cases}
    now = timezone.now()
    attempt = attempt_start(quiz=quiz, user=trainee, now=now)
    lock = exam_key_lock(trainee, now=now)
    assert lock.cases == case_ids and lock.until_close == frozenset()
    questions = [item.question for item in quiz.items.select_related("question")]
    assert lock.loops == {q.loop_id for q in questions if q.loop_id}

    attempt.deadline = now + timedelta(minutes=5)
    attempt.save()
    assert exam_key_lock(trainee, now=now + timedelta(minutes=6)).cases == frozenset()

    attempt.deadline = None
    attempt.save()
    quiz.feedback_policy = FeedbackPolicy.NEVER
    quiz.save()
    attempt_submit(attempt_id=attempt.pk, user=trainee, now=now)
    assert exam_key_lock(trainee, now=now).cases == frozenset()


def test_an_editor_taking_their_own_exam_still_edits_its_cases(exam, instructor):
    quiz, cases = exam
    attempt_start(quiz=quiz, user=instructor)
    case = cases[0][0]
    assert api_for(instructor).get(f"/api/v1/cases/{case.pk}/annotations/").status_code == 200


def test_immediate_feedback_links_no_case_while_the_attempt_is_open(exam, trainee):
    quiz, _cases = exam
    quiz.feedback_policy = FeedbackPolicy.IMMEDIATE
    quiz.save()
    attempt = attempt_start(quiz=quiz, user=trainee)
    question = quiz.items.first().question
    answer_save(
        attempt=attempt, user=trainee, question_id=question.pk, response=wrong_response(question)
    )
    answer_check(attempt=attempt, user=trainee, question_id=question.pk)
    item = attempt_payload(attempt, user=trainee)["questions"][0]
    assert item["feedback"] is not None and item["feedback"]["case_url"] is None

    attempt_submit(attempt_id=attempt.pk, user=trainee)
    attempt.refresh_from_db()
    item = attempt_payload(attempt, user=trainee)["questions"][0]
    assert item["feedback"]["case_url"] == question.case.get_absolute_url()
