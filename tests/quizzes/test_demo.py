"""The demo assessment: loaded after the demo cases, through the real services, with every
question type, keys read from the cases, and past attempts whose scores are what scoring says.

The demo cases go through the cine pipeline (its outputs made once per session: see
tests/processed_outputs.py), so one test loads everything once and checks it all, like
tests/cases/test_demo.py.
"""

import pytest
from django.core.management import call_command

from accounts.models import User
from cases.models import Annotation, Case, PhaseMarker
from demo.courses import load_demo_data
from demo.loaders import LOADERS, run_demo_loaders
from demo.quizzes import load_demo_quizzes
from quizzes.analysis import item_statistics
from quizzes.models import (
    Answer,
    Attempt,
    AttemptStatus,
    FeedbackPolicy,
    Question,
    QuestionKind,
    Quiz,
    QuizKind,
)
from quizzes.scoring import attempt_percent, question_marks, score_response
from quizzes.services.grading import grading_queue
from quizzes.services.results import analysis_rows
from quizzes.validation import clean_answer_key

pytestmark = pytest.mark.django_db


def test_the_quizzes_loader_runs_after_the_cases_loader():
    names = [f"{loader.__module__}.{loader.__name__}" for loader in LOADERS]
    assert names.index("demo.loaders._load_demo_cases") < names.index(
        "demo.quizzes.load_demo_quizzes"
    )


def test_nothing_is_loaded_without_the_demo_cases():
    load_demo_data()  # courses and accounts, no cases

    assert "not loaded" in load_demo_quizzes()
    assert not Quiz.objects.exists() and not Question.objects.exists()


def test_demo_quizzes(reuse_processed_outputs):
    load_demo_data()
    lines = run_demo_loaders()  # in order: cases, quizzes, certification
    quiz_lines = [line for line in lines if line.startswith("Demo quizzes loaded")]
    assert len(quiz_lines) == 1, lines
    assert lines.index(quiz_lines[0]) > next(
        i for i, line in enumerate(lines) if line.startswith("Demo cases loaded")
    ), lines

    exam = Quiz.objects.get(kind=QuizKind.EXAM)
    practice = Quiz.objects.get(kind=QuizKind.PRACTICE)
    check_quiz_settings(exam, practice)
    check_every_kind_with_valid_keys(exam, practice)
    check_keys_come_from_the_cases(exam)
    check_past_attempts(exam, practice)
    check_item_analysis_has_real_numbers(exam)

    counts = (Question.objects.count(), Attempt.objects.count(), Answer.objects.count())
    cases = Case.objects.count()  # the teaching cases and the county hospital's case in review
    assert "already exist" in load_demo_quizzes()
    call_command("load_demo_data")  # the whole command: courses exist, nothing is added
    assert (Question.objects.count(), Attempt.objects.count(), Answer.objects.count()) == counts
    assert Quiz.objects.count() == 2 and Case.objects.count() == cases


def check_quiz_settings(exam: Quiz, practice: Quiz) -> None:
    assert exam.lesson is None and exam.module is None  # standalone
    assert exam.time_limit_minutes == 30 and exam.max_attempts == 3
    assert exam.grading_method == "highest"
    assert exam.feedback_policy == FeedbackPolicy.AFTER_SUBMIT
    assert [(d.tag.name, d.count) for d in exam.draws.all()] == [("phases", 1)]
    assert practice.module.title == "Vascular phases of the liver"
    assert practice.feedback_policy == FeedbackPolicy.IMMEDIATE and practice.max_attempts == 0
    for quiz in (exam, practice):
        assert quiz.status == "published" and quiz.visibility == "network"
    # Every exam paper holds the ten listed questions and one drawn, never a listed one.
    listed = set(exam.items.values_list("question_id", flat=True))
    for attempt in exam.attempts.all():
        drawn = {e["question"] for e in attempt.paper} - listed
        assert len(attempt.paper) == 11 and len(drawn) == 1
        assert Question.objects.get(pk=drawn.pop()).tags.filter(name="phases").exists()


def check_every_kind_with_valid_keys(exam: Quiz, practice: Quiz) -> None:
    kinds = set(exam.items.values_list("question__kind", flat=True))
    assert kinds == set(QuestionKind.values)
    assert practice.items.count() == 4
    for question in Question.objects.prefetch_related("options"):
        clean_answer_key(question)  # raises when a key is incomplete
        assert question.explanation and question.tags.exists()
        assert question.status == "published"
    tags = set(Question.objects.values_list("tags__name", flat=True))
    assert {"liver", "phases", "lesion detection", "LI-RADS", "kidney"} <= tags


def check_keys_come_from_the_cases(exam: Quiz) -> None:
    hcc = Case.objects.get(category="LR-5")
    kidney = Case.objects.get(organ="kidney")
    first = hcc.case_loops.order_by("order", "pk").first().loop
    lesion = Annotation.objects.get(case=hcc, loop=first, roi_role="lesion")
    by_kind = {q.kind: q for q in Question.objects.filter(quiz_items__quiz=exam)}
    for kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN):
        question = by_kind[kind]
        assert question.loop == first and question.case == hcc
        assert question.answer == {"kind": lesion.kind, "geometry": lesion.geometry}
        peak = PhaseMarker.objects.get(case=hcc, loop=first, kind="peak").time_s
        assert question.frame_time_s == peak
    assert by_kind[QuestionKind.DRAWN].overlap_threshold == 0.5
    onset = PhaseMarker.objects.get(case=hcc, kind="arterial_onset").time_s
    assert by_kind[QuestionKind.NUMERIC].answer == {"value": onset - hcc.injection_time_s}
    assert by_kind[QuestionKind.NUMERIC].tolerance == 2
    washout = PhaseMarker.objects.get(case=kidney, kind="washout_onset").time_s
    assert by_kind[QuestionKind.TIME_POINT].answer == {"time_s": washout}
    assert washout - kidney.injection_time_s == pytest.approx(kidney.washout_onset_s)
    assert by_kind[QuestionKind.CATEGORY].answer == {"value": hcc.category}
    ordering = by_kind[QuestionKind.ORDERING]
    assert [o.text.split(" (")[0] for o in ordering.options.all()] == [
        "Arterial phase",
        "Portal venous phase",
        "Late phase",
    ]
    assert by_kind[QuestionKind.MULTIPLE].partial_credit
    assert by_kind[QuestionKind.FREE_TEXT].rubric


def _rescored(attempt: Attempt) -> tuple[float, float, bool]:
    """(score, max, needs grading) recomputed from the stored answers with ``quizzes.scoring``."""
    answers = {a.question_id: a for a in attempt.answers.all()}
    score = maximum = 0.0
    waiting = False
    for entry in attempt.paper:
        question = Question.objects.select_related("loop").get(pk=entry["question"])
        answer = answers.get(question.pk)
        regions = question.loop.regions if question.loop_id else None
        if question.kind == QuestionKind.FREE_TEXT and answer and answer.graded_at:
            credit, correct = answer.credit, answer.is_correct
        else:
            scored = score_response(question, answer.response if answer else None, regions=regions)
            credit, correct = scored.credit, scored.correct
            if answer is not None:  # the stored per-answer marks agree too
                assert answer.credit == credit and answer.is_correct == correct, question.kind
        waiting |= credit is None
        marks = question_marks(
            credit, bool(correct), entry["points"], certainty="", certainty_based=False
        )
        score += marks[0]
        maximum += marks[1]
    return score, maximum, waiting


def check_past_attempts(exam: Quiz, practice: Quiz) -> None:
    trainees = User.objects.filter(username__startswith="demo-trainee-")
    assert trainees.count() == 8
    attempts = list(Attempt.objects.filter(quiz__in=[exam, practice]))
    assert {a.user.username for a in attempts} == set(trainees.values_list("username", flat=True))
    assert all(a.status == AttemptStatus.SUBMITTED for a in attempts)
    assert 1 <= max(exam.attempts.filter(user=u).count() for u in trainees) <= 3
    for attempt in attempts:
        score, maximum, waiting = _rescored(attempt)
        assert attempt.score == pytest.approx(score, abs=1e-9), attempt
        assert attempt.max_score == pytest.approx(maximum)
        assert attempt.percent == pytest.approx(attempt_percent(score, maximum))
        assert attempt.needs_grading is waiting
    percents = sorted(a.percent for a in exam.attempts.all())
    assert percents[0] < 50 < percents[-1]  # varying ability shows

    # The trainees' own hospital grades their free text; the exam's owner (the expert centre's
    # instructor) sees only aggregates of them, and nothing to grade.
    county = User.objects.get(username="trainee").institution
    grader = User.objects.filter(institution=county, role="instructor").order_by("pk").first()
    queue = list(grading_queue(grader))
    assert len(queue) == 1 and queue[0].question.kind == QuestionKind.FREE_TEXT
    assert not grading_queue(User.objects.get(username="instructor")).exists()
    graded = Answer.objects.filter(question__kind="free_text", graded_at__isnull=False)
    assert graded.count() >= 5 and len({a.credit for a in graded}) > 1

    hotspots = Answer.objects.filter(question__kind="hotspot")
    misses = [a for a in hotspots if not a.is_correct]
    assert any(a.is_correct for a in hotspots) and misses
    assert all(0 < a.detail["distance_mm"] < 15 for a in misses)  # near misses, in mm
    overlaps = [a.detail["overlap"] for a in Answer.objects.filter(question__kind="drawn")]
    assert min(overlaps) < 0.5 <= max(overlaps)
    assert Answer.objects.filter(attempt__quiz=practice, checked_at__isnull=False).exists()


def check_item_analysis_has_real_numbers(exam: Quiz) -> None:
    # The exam's own institution sees every attempt in aggregate.
    owner = User.objects.filter(institution=exam.institution, role="instructor").first()
    stats = item_statistics(analysis_rows(exam, user=owner))
    facilities = [s.facility for s in stats if s.facility is not None]
    assert len(stats) >= 11
    assert sum(0 < f < 1 for f in facilities) >= 8
    assert sum(s.discrimination is not None for s in stats) >= 8
    singles = [s for s in stats if Question.objects.get(pk=s.question_id).kind == "single"]
    # More than one option was chosen (on some single-choice question: not every question of
    # three attempts needs to split them).
    assert any(len(single.option_counts) >= 2 for single in singles)
