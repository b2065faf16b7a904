"""Demo assessment: a CEUS exam on the three demo cases using every question type, a practice
quiz on the "Vascular phases of the liver" module, and past attempts of eight generated
trainees of varying ability, so that results and item analysis show real numbers.

Run by ``manage.py load_demo_data`` after the demo cases (the order of ``demo.loaders``),
through the real services — authoring validates every key, attempts are started, answered and
submitted as a trainee would, free text is graded by an instructor of the trainees' own hospital
(the demo ``supervisor``) except one answer left waiting in their grading queue. Keys that come
from a case (lesion outline, phase markers, category) are read from the case. Never in production:
refused unless ``settings.DEMO_DATA_ALLOWED``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from cases.models import Annotation, Case, PhaseMarker
from core.content_language import in_both_languages
from core.scoping import PublicationStatus, Visibility
from courses.models import Cohort, Module
from courses.services import assign_cohort, cohort_update
from demo import cases_content as case_text
from demo import quizzes_content as text
from demo.accounts import DEMO_PASSWORD
from demo.allowed import ensure_allowed
from demo.certification import county_supervisor
from demo.quizzes_content_zh import ZH
from quizzes.models import Answer, Attempt, FeedbackPolicy, GradingMethod, Question, Quiz, QuizKind
from quizzes.services.attempts import answer_check, answer_save, attempt_start, attempt_submit
from quizzes.services.authoring import create_question, create_quiz
from quizzes.services.grading import answer_grade

PUBLISHED = PublicationStatus.PUBLISHED
CASES = {"hcc": case_text.HCC, "haemangioma": case_text.HAEMANGIOMA, "kidney": case_text.KIDNEY}
# (first name, last name, ability 0-1): the chance of answering a question right.
TRAINEES = [
    ("Lei", "Zhang", 0.92),
    ("Xiu", "Li", 0.82),
    ("Hao", "Liu", 0.74),
    ("Ying", "Chen", 0.66),
    ("Jun", "Yang", 0.57),
    ("Mei", "Huang", 0.48),
    ("Qiang", "Zhao", 0.38),
    ("Ting", "Wu", 0.28),
]
COURSE = "Liver CEUS fundamentals"  # demo.courses
SEED = 20261126  # the same answers every time (papers are shuffled and drawn by the service)


@dataclass(frozen=True)
class CaseFacts:
    case: Case
    loop: object  # the case's first CineLoop
    lesion: dict  # {"kind", "geometry"} of the lesion ROI on that loop
    markers: dict[str, float]  # phase marker kind -> loop time (s)


def _facts(case: Case) -> CaseFacts:
    loop = case.case_loops.order_by("order", "pk").first().loop
    lesion = Annotation.objects.get(case=case, loop=loop, roi_role="lesion")
    markers = dict(PhaseMarker.objects.filter(case=case, loop=loop).values_list("kind", "time_s"))
    return CaseFacts(case, loop, {"kind": lesion.kind, "geometry": lesion.geometry}, markers)


def _demo_cases() -> dict[str, CaseFacts] | None:
    found = {}
    for slug, content in CASES.items():
        case = Case.objects.filter(title_en=content["title"], status=PUBLISHED).first()
        if case is None:
            return None
        found[slug] = _facts(case)
    return found


def _case_fields(spec: dict, cases: dict[str, CaseFacts]) -> dict:
    """The case-derived part of a question: its loop, and the key read from the case."""
    if spec["case"] is None:
        return {}
    facts = cases[spec["case"]]
    fields = {"case": facts.case, "loop": facts.loop}
    kind, case = spec["kind"], facts.case
    if kind == "numeric":  # loop time of the marker minus the injection: s after injection
        onset = facts.markers["arterial_onset"] - (case.injection_time_s or 0.0)
        fields["answer"] = {"value": round(onset, 1)}
    elif kind in ("hotspot", "drawn"):
        fields["answer"] = facts.lesion
        fields["frame_time_s"] = facts.markers["peak"]  # the arterial-phase peak
    elif kind == "time_point":  # on the loop's own timeline, where the trainee pauses
        washout = facts.markers.get("washout_onset")
        if washout is None:
            washout = case.washout_onset_s + (case.injection_time_s or 0.0)
        fields["answer"] = {"time_s": washout}
    elif kind == "category":
        fields["answer"] = {"value": case.category}
    return fields


def _create_questions(author: User, cases: dict[str, CaseFacts]) -> dict[str, Question]:
    made = {}
    for name, spec in text.QUESTIONS.items():
        extra = {
            key: spec[key]
            for key in ("tolerance", "unit", "partial_credit", "overlap_threshold",
                        "vocabulary", "rubric", "points")
            if key in spec
        }  # fmt: skip
        options = [
            {"is_correct": right, **in_both_languages(ZH, text=option_text, feedback=feedback)}
            for option_text, right, feedback in spec.get("options", ())
        ]
        made[name] = create_question(
            by=author,
            kind=spec["kind"],
            **in_both_languages(
                ZH, title=spec["title"], prompt=spec["prompt"], explanation=spec["explanation"]
            ),
            options=options,
            tags=spec["tags"],
            true_is_correct=spec.get("correct"),
            status=PUBLISHED,
            visibility=Visibility.NETWORK,
            **_case_fields(spec, cases),
            **extra,
        )
    return made


def _create_quizzes(author: User, questions: dict[str, Question]) -> tuple[Quiz, Quiz]:
    shared = {"by": author, "status": PUBLISHED, "visibility": Visibility.NETWORK}
    exam = create_quiz(
        **in_both_languages(ZH, title=text.EXAM["title"], description=text.EXAM["description"]),
        kind=QuizKind.EXAM,
        items=[questions[name] for name in text.EXAM_ITEMS],
        draws=[(text.EXAM_DRAW_TAG, 1)],
        pass_mark=60,
        max_attempts=3,
        grading_method=GradingMethod.HIGHEST,
        time_limit_minutes=30,
        shuffle_questions=True,
        shuffle_options=True,
        feedback_policy=FeedbackPolicy.AFTER_SUBMIT,
        **shared,
    )
    module = Module.objects.get(title_en=text.MODULE_TITLE, course__title_en=COURSE)
    practice = create_quiz(
        **in_both_languages(
            ZH, title=text.MODULE_QUIZ["title"], description=text.MODULE_QUIZ["description"]
        ),
        kind=QuizKind.PRACTICE,
        module=module,
        items=[questions[name] for name in text.MODULE_QUIZ_ITEMS],
        pass_mark=75,
        max_attempts=0,
        shuffle_options=True,
        feedback_policy=FeedbackPolicy.IMMEDIATE,
        **shared,
    )
    return exam, practice


def _trainees() -> list[User]:
    county = User.objects.get(username="trainee").institution
    made = []
    for n, (first, last, _ability) in enumerate(TRAINEES, start=1):
        user, created = User.objects.get_or_create(
            username=f"demo-trainee-{n}",
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"demo-trainee-{n}@example.org",
                "role": User.Role.TRAINEE,
                "institution": county,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        made.append(user)
    # Into the demo cohort, so the director's pages show them with the course.
    cohort = Cohort.objects.filter(institution=county).order_by("pk").first()
    director = User.objects.filter(username="director").first()
    if cohort is not None and director is not None:
        members = list(cohort.members.all()) + made
        cohort_update(cohort=cohort, by=director, members=members)
        assign_cohort(cohort=cohort, by=director)
    return made


# --- Answers of varying quality -------------------------------------------------------------


def _ellipse_of(key: dict) -> tuple[float, float, float, float]:
    g = key["geometry"]
    if key["kind"] == "ellipse":
        return g["cx"], g["cy"], g["rx"], g["ry"]
    xs, ys = [p[0] for p in g["points"]], [p[1] for p in g["points"]]
    return (
        (min(xs) + max(xs)) / 2,
        (min(ys) + max(ys)) / 2,
        (max(xs) - min(xs)) / 2,
        (max(ys) - min(ys)) / 2,
    )


def _outline(key: dict, good: bool, rng: random.Random) -> list[list[float]]:
    """A hand-drawn outline: close to the lesion (IoU ~0.6-0.85), or a near miss off to one
    side or far too generous (IoU below 0.5)."""
    cx, cy, rx, ry = _ellipse_of(key)
    if good:
        shift, scale = rng.uniform(0.0, 0.2), rng.uniform(0.9, 1.15)
    elif rng.random() < 0.5:
        shift, scale = rng.uniform(0.7, 1.0), rng.uniform(0.9, 1.1)
    else:
        shift, scale = rng.uniform(0.0, 0.2), rng.uniform(1.6, 1.9)
    angle = rng.uniform(0, 2 * math.pi)
    ox, oy = cx + shift * rx * math.cos(angle), cy + shift * ry * math.sin(angle)
    points = []
    for k in range(14):
        a = 2 * math.pi * k / 14
        wobble = scale * rng.uniform(0.94, 1.06)
        points.append(
            [round(ox + rx * wobble * math.cos(a), 1), round(oy + ry * wobble * math.sin(a), 1)]
        )
    return points


def _response(question: Question, option_ids: list[int], good: bool, rng: random.Random):
    """A response a trainee might give: right when ``good``, else a realistic mistake."""
    kind, key = question.kind, question.answer
    options = {o.pk: o for o in question.options.all()}
    right = sorted(pk for pk in option_ids if options[pk].is_correct)  # not in shuffled order
    wrong = sorted(pk for pk in option_ids if not options[pk].is_correct)
    if kind in ("single", "true_false"):
        return {"option": right[0] if good else rng.choice(wrong)}
    if kind == "multiple":
        chosen = set(right)
        if not good:  # one right feature missed, perhaps a wrong one ticked
            chosen.discard(rng.choice(right))
            if rng.random() < 0.6:
                chosen.add(rng.choice(wrong))
        return {"options": sorted(chosen)}
    if kind == "ordering":
        order = sorted(option_ids, key=lambda pk: (options[pk].order, pk))
        if not good:
            i = rng.randrange(len(order) - 1)
            order[i], order[i + 1] = order[i + 1], order[i]
        return {"order": order}
    if kind == "numeric":
        miss = rng.uniform(0, 0.9) if good else rng.uniform(1.5, 4)
        return {"value": round(key["value"] + rng.choice((-1, 1)) * miss * question.tolerance)}
    if kind == "time_point":
        miss = rng.uniform(0, 0.8) if good else rng.uniform(1.5, 3.5)
        time_s = key["time_s"] + rng.choice((-1, 1)) * miss * question.tolerance
        return {"time_s": round(min(max(time_s, 0.0), question.loop.duration_s or time_s), 2)}
    if kind == "hotspot":
        cx, cy, rx, ry = _ellipse_of(key)
        radius = rng.uniform(0, 0.8) if good else rng.uniform(1.15, 1.8)  # near misses
        angle = rng.uniform(0, 2 * math.pi)
        return {
            "x": round(cx + radius * rx * math.cos(angle), 1),
            "y": round(cy + radius * ry * math.sin(angle), 1),
        }
    if kind == "drawn":
        return {"points": _outline(key, good, rng)}
    if kind == "category":
        return {"value": key["value"] if good else rng.choice(["LR-4", "LR-M", "LR-3"])}
    if kind == "free_text":
        index = 0 if good else rng.randrange(1, len(text.FREE_TEXT_ANSWERS))
        return {"text": text.FREE_TEXT_ANSWERS[index][0]}
    raise ValueError(kind)


def _take(quiz: Quiz, user: User, ability: float) -> Attempt:
    """One attempt through the services: start, answer (a few left out), check some answers
    where feedback is immediate, submit."""
    attempt = attempt_start(quiz=quiz, user=user)
    questions = Question.objects.prefetch_related("options").select_related("loop")
    by_id = questions.in_bulk([entry["question"] for entry in attempt.paper])
    for entry in attempt.paper:
        question = by_id[entry["question"]]
        # One generator per answer: the same answers whatever order the shuffled paper has.
        rng = random.Random(f"{SEED}:{user.username}:{quiz.kind}:{attempt.number}:{question.title}")
        if rng.random() < 0.04:
            continue  # ran out of time or skipped it
        good = rng.random() < ability
        response = _response(question, entry["options"], good, rng)
        answer_save(attempt=attempt, user=user, question_id=question.pk, response=response)
        if quiz.feedback_policy == FeedbackPolicy.IMMEDIATE and rng.random() < 0.5:
            answer_check(attempt=attempt, user=user, question_id=question.pk)
    return attempt_submit(attempt_id=attempt.pk, user=user)


def _grade_free_text() -> None:
    """The trainees' own institution's instructor grades every free-text answer but the
    latest, left in their queue (the exam's owner, at the expert centre, sees aggregates)."""
    county = User.objects.get(username="trainee").institution
    director = User.objects.filter(institution=county, role=User.Role.DIRECTOR).first()
    if director is None:
        return
    # The county's supervising instructor, the one account the logbook demo signs off with.
    grader = county_supervisor(director)
    waiting = list(
        Answer.objects.filter(question__kind="free_text", credit__isnull=True)
        .exclude(response__isnull=True)
        .order_by("attempt__submitted_at", "pk")
    )
    grades = {answer_text: (credit, note) for answer_text, credit, note in text.FREE_TEXT_ANSWERS}
    for answer in waiting[:-1]:
        credit, note = grades.get(answer.response["text"], (0.0, ""))
        answer_grade(answer=answer, by=grader, credit=credit, comment=note)


def _past_attempts(exam: Quiz, practice: Quiz) -> None:
    for user, (_first, _last, ability) in zip(_trainees(), TRAINEES, strict=True):
        # Weaker trainees use more of their three exam attempts, improving each time.
        tries = 1 if ability > 0.8 else (2 if ability > 0.5 else 3)
        for n in range(tries):
            _take(exam, user, min(0.97, ability + 0.08 * n))
        for n in range(1 if ability > 0.6 else 2):
            _take(practice, user, min(0.97, ability + 0.1 * n))
    _grade_free_text()


def load_demo_quizzes() -> str:
    """Create the demo quizzes and their past attempts; returns a line for the console.

    Adds nothing when any quiz exists or the demo cases, course or instructor are missing."""
    ensure_allowed()
    if Quiz.objects.exists():
        return "Quizzes already exist: demo quizzes not loaded."
    instructor = User.objects.filter(username="instructor").first()
    cases = _demo_cases()
    course_ready = Module.objects.filter(
        title_en=text.MODULE_TITLE, course__title_en=COURSE
    ).exists()
    trainee_ready = User.objects.filter(username="trainee", institution__isnull=False).exists()
    if instructor is None or cases is None or not (course_ready and trainee_ready):
        return "Demo cases or course missing: demo quizzes not loaded."
    with transaction.atomic():  # all or nothing: a second run then starts cleanly
        questions = _create_questions(instructor, cases)
        exam, practice = _create_quizzes(instructor, questions)
        _past_attempts(exam, practice)
    submitted = Attempt.objects.filter(quiz__in=[exam, practice]).count()
    return f"Demo quizzes loaded: an exam, a module quiz and {submitted} past attempts."
