"""The exam-key lock on the real demo exam (issue 11, "Must show"): a demo trainee with an
attempt open on the demo exam tries every case and loop page, and every operation of the
OpenAPI schema that takes a case or loop id (the walk of ``test_exam_keys``), for every case
and loop the paper uses: none returns key material. The key material is read from the paper
itself — the answer ROI geometry of the image questions, the category and time-point keys,
the cases' diagnoses — so a change to the demo changes what is looked for. Once the attempt
is submitted, the routes answer as the exam's feedback policy allows.

The demo cases go through the cine pipeline (its outputs made once per session: see
tests/processed_outputs.py), so the whole demo is loaded once for this module inside a
transaction rolled back at the end (as ``tests/certification/test_demo.py``);
each test runs in a savepoint of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from accounts.models import User
from cases.models import Annotation, Case
from cineloops.models import CineLoop
from demo.courses import load_demo_data
from demo.loaders import run_demo_loaders
from quizzes.models import (
    Attempt,
    AttemptStatus,
    FeedbackPolicy,
    Question,
    QuestionKind,
    Quiz,
    QuizKind,
)
from quizzes.services.attempts import attempt_start, attempt_submit
from tests.factories import TraineeFactory, api_for
from tests.quizzes.key_walk import (
    body,
    call,
    found_keys,
    html_routes,
    numbers_together,
    schema_operations,
    seconds_in,
)

# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("exam-keys-demo")]

LOCKED_MESSAGE = "part of your exam in progress"
# Feedback policies under which a submitted attempt shows its keys (``quizzes.locks``).
OPEN_ONCE_SUBMITTED = {FeedbackPolicy.IMMEDIATE, FeedbackPolicy.AFTER_SUBMIT}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory, processed_outputs):
    """The whole demo, loaded once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("demo-keys-cine")
    private = override_settings(
        CINE_UPLOAD_DIR=media / "uploads",
        CINE_MEDIA_DIR=media / "cine",
        CINE_DEID_SECRET="test-de-identification-secret-0123456789",
        CINE_KEEP_ORIGINALS=False,
        CINE_MEDIA_ACCEL_PREFIX="",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with processed_outputs.reused(), private, django_db_blocker.unblock(), transaction.atomic():
        assert load_demo_data() is True
        run_demo_loaders()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _private_cine_dirs(demo):
    """The demo's cine folders for every test (not one per test: its loops' media are there)."""


@dataclass(frozen=True)
class Paper:
    exam: Quiz
    attempt: Attempt
    cases: list[Case]
    pairs: list[tuple[Case, CineLoop]]  # each case with each of its loops
    phrases: set[str]  # category keys and diagnoses
    rois: set[tuple[float, ...]]  # the numbers of each answer ROI geometry
    times: set[float]  # time-point keys (s on the loop's timeline)

    def keys(self) -> set[str]:
        """Every key, as ``keys_in`` names them."""
        rois = {f"ROI {roi}" for roi in self.rois}
        return self.phrases | rois | {f"{time:g} s" for time in self.times}

    def keys_in(self, response) -> list[str]:
        """The keys a response gives (its body read once: a stream reads once)."""
        text = body(response)
        found = found_keys(text, phrases=self.phrases, numbers=())
        found += [f"ROI {roi}" for roi in self.rois if numbers_together(roi, text)]
        return found + [f"{time:g} s" for time in self.times if seconds_in(time, text)]


def _geometry_numbers(value) -> list[float]:
    """Every number of an ROI geometry (ellipse fields, polygon points, …)."""
    if isinstance(value, dict):
        return [n for item in value.values() for n in _geometry_numbers(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in _geometry_numbers(item)]
    return [float(value)] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _paper(exam: Quiz, attempt: Attempt) -> Paper:
    """The cases and loops of ``attempt``'s paper, and the key material of its questions."""
    questions = Question.objects.filter(pk__in=[e["question"] for e in attempt.paper])
    cases: dict[int, Case] = {}
    pairs: dict[tuple[int, int], tuple[Case, CineLoop]] = {}
    phrases: set[str] = set()
    rois: set[tuple[float, ...]] = set()
    times: set[float] = set()
    for question in questions.select_related("case", "loop"):
        answer = question.answer or {}
        if question.kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN):
            rois.add(tuple(_geometry_numbers(answer["geometry"])))
        elif question.kind == QuestionKind.CATEGORY:
            phrases.add(answer["value"])
        elif question.kind == QuestionKind.TIME_POINT:
            times.add(float(answer["time_s"]))
        case = question.case
        if case is None:
            assert question.loop_id is None, question  # every loop shown comes with its case
            continue
        cases[case.pk] = case
        phrases.update({case.final_diagnosis_en, case.final_diagnosis_zh_hans} - {"", None})
        for case_loop in case.case_loops.select_related("loop").order_by("order", "pk"):
            pairs[case.pk, case_loop.loop_id] = (case, case_loop.loop)
        assert question.loop_id is None or (case.pk, question.loop_id) in pairs, question
    return Paper(exam, attempt, list(cases.values()), list(pairs.values()), phrases, rois, times)


@pytest.fixture
def paper() -> Paper:
    """The demo exam, started by a demo trainee with no open attempt and attempts left."""
    exam = Quiz.objects.get(kind=QuizKind.EXAM)
    busy = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS).values("user_id")
    candidates = User.objects.filter(
        username__startswith="demo-trainee-", role=User.Role.TRAINEE
    ).exclude(pk__in=busy)
    trainee = next(
        user
        for user in candidates.order_by("username")
        if exam.attempts.filter(user=user).count() < exam.max_attempts
    )
    paper = _paper(exam, attempt_start(quiz=exam, user=trainee))
    # Image questions take their keys from cases: there is something to look for.
    assert paper.pairs and paper.rois and paper.times and paper.phrases, paper
    return paper


def _lesion(case: Case, loop: CineLoop) -> Annotation | None:
    marks = Annotation.objects.filter(case=case, loop=loop).order_by("pk")
    return marks.filter(roi_role="lesion").first() or marks.first()


def _steps(paper: Paper) -> list[tuple[str, str, str, dict]]:
    """(what, method, url, query) of every schema operation ("API") and page ("page") for
    every case and loop of the paper, once each."""
    steps: dict[tuple, tuple[str, str, str, dict]] = {}
    for case, loop in paper.pairs:
        for method, path, url, query in schema_operations(case, loop, _lesion(case, loop)):
            steps.setdefault((method, url, str(query)), (f"{method} {path}", method, url, query))
        for url in html_routes(case, loop):
            steps.setdefault(("page", url), (f"page {url}", "page", url, {}))
    return list(steps.values())


def _send(api, client, method: str, url: str, query: dict) -> list:
    """The responses of one step: a page is asked for (GET) and posted to."""
    if method == "page":
        return [client.get(url), client.post(url)]
    return [call(api, method, url, query)]


def test_no_route_gives_a_key_of_the_demo_exam_while_the_attempt_is_open(client, paper):
    trainee = paper.attempt.user
    api = api_for(trainee)
    client.force_login(trainee)
    covered = set()
    for what, method, url, query in _steps(paper):
        covered.add(what)
        for response in _send(api, client, method, url, query):
            assert not paper.keys_in(response), (what, url, response.status_code)
            if url.startswith("/api/") and ("/cases/" in url or "/tic/" in url):
                assert response.status_code == 403, (what, url, response.status_code)
                assert "exam" in response.json()["detail"], (what, url)
    for case in paper.cases:
        page = client.get(case.get_absolute_url())
        assert page.status_code == 403 and LOCKED_MESSAGE in page.content.decode()
    # The walk reached the routes that leaked (so it is not empty by mistake).
    assert {
        "GET /api/v1/cases/{id}/",
        "GET /api/v1/cases/{id}/annotations/",
        "GET /api/v1/cineloops/{id}/tic/",
        "GET /cineloops/{id}/media/{kind}/",
    } <= covered, covered


def test_after_submission_the_routes_answer_as_the_feedback_policy_allows(client, paper):
    """The demo exam shows its keys once submitted: every route answers the trainee as it
    answers a trainee of the same hospital who never took it, and the keys are there again
    (which also shows the walk above would have found them)."""
    assert paper.exam.feedback_policy in OPEN_ONCE_SUBMITTED, paper.exam.feedback_policy
    trainee = paper.attempt.user
    attempt_submit(attempt_id=paper.attempt.pk, user=trainee)
    peer = TraineeFactory(institution=trainee.institution)
    peer_client = Client()
    peer_client.force_login(peer)
    client.force_login(trainee)
    found: set[str] = set()
    for what, method, url, query in _steps(paper):
        theirs = _send(api_for(trainee), client, method, url, query)
        expected = _send(api_for(peer), peer_client, method, url, query)
        for response, control in zip(theirs, expected, strict=True):
            assert response.status_code == control.status_code, (what, url)
            found.update(paper.keys_in(response))
    for case in paper.cases:
        assert client.get(case.get_absolute_url()).status_code == 200
    # All of them, but the Chinese diagnoses: these requests are in English.
    assert paper.keys() - found == {case.final_diagnosis_zh_hans for case in paper.cases}
