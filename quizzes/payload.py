"""What an attempt shows — THE ONLY place that decides it, for the pages and the API alike.

Before the feedback policy allows it, nothing of a question's key leaves the server: no
``is_correct``, no option feedback, no answer ROI, time or value, no explanation, no question
title (authors often name the answer in it), nothing of the case (title, diagnosis); a case's
annotations are never included at all. Loops are given as media URLs and region calibration.
Options are named by per-attempt opaque tokens (``quizzes.option_tokens``), never by their
database ids, which sort into the key of an ordering question.

Public functions:
    feedback_allowed(attempt, now) -> bool
    attempt_payload(attempt, *, user, now=None) -> dict
    unanswered_paper_payload(quiz, paper, *, tokens) -> dict
    quiz_summary(quiz, user, now=None) -> dict
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from cases.measure import region_summary
from cineloops.playback import renditions_payload
from core.content_language import fallbacks
from quizzes.models import (
    Answer,
    Attempt,
    FeedbackPolicy,
    Question,
    QuestionKind,
    Quiz,
)
from quizzes.option_tokens import attempt_tokens, response_to_tokens
from quizzes.services.marking import question_max
from quizzes.validation import vocabulary_choices

# Where the API takes answers and submissions (quizzes.api_urls); "{question_id}" is filled in
# by the client.


def feedback_allowed(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the whole attempt's feedback may be shown now (per-question feedback of checked
    answers under "immediately" is decided in ``attempt_payload``)."""
    now = now or timezone.now()
    if attempt.is_open:
        return False
    policy = attempt.quiz.feedback_policy
    if policy in (FeedbackPolicy.IMMEDIATE, FeedbackPolicy.AFTER_SUBMIT):
        return True
    if policy == FeedbackPolicy.AFTER_CLOSE:
        closes_at = attempt.quiz.closes_at
        return closes_at is not None and now >= closes_at
    return False


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _loop(question: Question) -> dict | None:
    loop = question.loop
    if loop is None:
        return None
    return {
        "id": loop.pk,
        "video_url": loop.media_url("video"),
        "renditions": renditions_payload(loop),
        "poster_url": loop.media_url("poster"),
        "rows": loop.rows,
        "columns": loop.columns,
        "fps": loop.fps,
        "frames": loop.frames,
        "duration_s": loop.duration_s,
        "regions": [region_summary(r) for r in loop.regions or []],
    }


def _key(question: Question, options: list, tokens: dict[int, str]) -> dict:
    """The kind's correct answer, as feedback shows it (options named by their tokens)."""
    kind = question.kind
    key = question.answer or {}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE):
        return {"options": [tokens[o.pk] for o in options if o.is_correct]}
    if kind == QuestionKind.ORDERING:
        ordered = sorted(options, key=lambda o: (o.order, o.pk))
        return {"order": [tokens[o.pk] for o in ordered]}
    if kind == QuestionKind.NUMERIC:
        return {"value": key.get("value"), "tolerance": question.tolerance, "unit": question.unit}
    if kind == QuestionKind.TIME_POINT:
        return {"time_s": key.get("time_s"), "tolerance": question.tolerance}
    if kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN):
        shown = {"kind": key.get("kind"), "geometry": key.get("geometry")}
        if kind == QuestionKind.DRAWN:
            shown |= {"metric": question.overlap_metric, "threshold": question.overlap_threshold}
        return shown
    if kind == QuestionKind.CATEGORY:
        labels = dict(vocabulary_choices(question.vocabulary))
        return {"value": key.get("value"), "label": labels.get(key.get("value"), "")}
    if kind == QuestionKind.FREE_TEXT:
        return {"rubric": question.rubric}
    return {}


def _feedback(
    question: Question,
    options: list,
    answer: Answer | None,
    *,
    points: float,
    quiz,
    cases: set,
    tokens: dict[int, str],
) -> dict:
    if answer is None:
        credit, correct, score, detail = 0.0, False, 0.0, {"unanswered": True}
    else:
        # credit None: free text waiting for an instructor.
        credit, correct, score = answer.credit, answer.is_correct, answer.score
        detail = answer.detail or {}
    # The annotated case only when the trainee may open it.
    case_url = question.case.get_absolute_url() if question.case_id in cases else None
    return {
        "credit": credit,
        "correct": correct,
        "score": score,
        "max": question_max(quiz, points),
        "detail": detail,
        "explanation_html": str(question.explanation_html) if question.explanation else "",
        "fallback": fallbacks(question, "explanation", names={"explanation": "explanation_html"}),
        "key": _key(question, options, tokens),
        "option_feedback": {tokens[o.pk]: o.feedback for o in options if o.feedback},
        "case_url": case_url,
        "grader_comment": answer.grader_comment if answer is not None else "",
    }


def _visible_cases(user, questions, now: datetime) -> set[int]:
    """The questions' cases ``user`` may open now: not while the attempt keeps them locked
    (``cases.access``), so feedback "immediately" links no case that would refuse them."""
    from cases.access import readable_cases

    ids = {q.case_id for q in questions if q.case_id}
    if not ids:
        return set()
    return set(readable_cases(user, now).filter(pk__in=ids).values_list("pk", flat=True))


def _paper_questions(paper: list[dict], questions: dict[int, Question]):
    """(position, paper entry, question, its listed options in paper order) of each question
    of ``paper`` that still exists."""
    for position, entry in enumerate(paper, start=1):
        question = questions.get(entry["question"])
        if question is None:
            continue
        options_by_id = {o.pk: o for o in question.options.all()}
        listed = [options_by_id[i] for i in entry["options"] if i in options_by_id]
        yield position, entry, question, listed


def _shown(
    question: Question, listed: list, *, position: int, points: float, tokens: dict[int, str]
) -> dict:
    """What a paper shows of a question before any answer: never anything of its key."""
    return {
        "id": question.pk,
        "position": position,
        "kind": question.kind,
        "prompt_html": str(question.prompt_html),
        "fallback": fallbacks(question, "prompt", names={"prompt": "prompt_html"}),
        "points": points,
        "unit": question.unit,
        "tolerance": (
            question.tolerance
            if question.kind in (QuestionKind.NUMERIC, QuestionKind.TIME_POINT)
            else None
        ),
        "options": [
            {"id": tokens[o.pk], "text": o.text, "fallback": fallbacks(o, "text")} for o in listed
        ],
        "choices": (
            [{"value": v, "label": label} for v, label in vocabulary_choices(question.vocabulary)]
            if question.kind == QuestionKind.CATEGORY
            else []
        ),
        "loop": _loop(question),
        "frame_time_s": question.frame_time_s,
    }


def _quiz_header(quiz: Quiz) -> dict:
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "fallback": fallbacks(quiz, "title"),
        "kind": quiz.kind,
        "certainty_based": quiz.certainty_based,
        "feedback_policy": quiz.feedback_policy,
        "time_limit_minutes": quiz.time_limit_minutes,
        "pass_mark": quiz.pass_mark,
    }


def _paper_rows(paper: list[dict]) -> dict[int, Question]:
    ids = [entry["question"] for entry in paper]
    return Question.objects.select_related("loop", "case").prefetch_related("options").in_bulk(ids)


def attempt_payload(attempt: Attempt, *, user, now: datetime | None = None) -> dict:
    """The attempt as the trainee sees it now (see the module docstring for what is hidden)."""
    now = now or timezone.now()
    quiz = attempt.quiz
    whole_feedback = feedback_allowed(attempt, now)
    immediate_open = attempt.is_open and quiz.feedback_policy == FeedbackPolicy.IMMEDIATE
    questions = _paper_rows(attempt.paper)
    answers = {a.question_id: a for a in attempt.answers.all()}
    # Options are named by per-attempt tokens, never by their ids (``quizzes.option_tokens``).
    tokens = attempt_tokens(attempt)
    shows_cases = whole_feedback or immediate_open
    cases = _visible_cases(user, questions.values(), now) if shows_cases else set()
    items = []
    for position, entry, question, listed in _paper_questions(attempt.paper, questions):
        answer = answers.get(question.pk)
        points = float(entry["points"])
        shows_feedback = whole_feedback or (
            immediate_open and answer is not None and answer.checked_at is not None
        )
        item = {
            **_shown(question, listed, position=position, points=points, tokens=tokens),
            "answer": None
            if answer is None
            else {
                "response": response_to_tokens(answer.response, tokens),
                "certainty": answer.certainty,
                "saved_at": _iso(answer.saved_at),
                "checked": answer.checked_at is not None,
            },
            "feedback": _feedback(
                question, listed, answer, points=points, quiz=quiz, cases=cases, tokens=tokens
            )
            if shows_feedback
            else None,
        }
        items.append(item)
    seconds_left = None
    if attempt.is_open and attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    return {
        "id": attempt.pk,
        "quiz": _quiz_header(quiz),
        "number": attempt.number,
        "status": attempt.status,
        "started_at": _iso(attempt.started_at),
        "deadline": _iso(attempt.deadline),
        "seconds_left": seconds_left,
        "submitted_at": _iso(attempt.submitted_at),
        "urls": {
            "answer": _answer_url_template(attempt.pk),
            "submit": reverse("api-attempt-submit", kwargs={"pk": attempt.pk}),
        },
        "questions": items,
        "result": None
        if attempt.is_open
        else {
            "score": attempt.score,
            "max_score": attempt.max_score,
            "percent": attempt.percent,
            "passed": attempt.passed,
            "needs_grading": attempt.needs_grading,
        },
    }


def unanswered_paper_payload(quiz: Quiz, paper: list[dict], *, tokens: dict[int, str]) -> dict:
    """A paper no attempt holds yet (an offline paper, ``offline.papers``): its quiz and its
    questions as ``attempt_payload`` shows those of an open attempt with no answer (options
    named by ``tokens``, which the caller keys to the paper)."""
    questions = [
        {
            **_shown(
                question, listed, position=position, points=float(entry["points"]), tokens=tokens
            ),
            "answer": None,
            "feedback": None,
        }
        for position, entry, question, listed in _paper_questions(paper, _paper_rows(paper))
    ]
    return {"quiz": _quiz_header(quiz), "questions": questions}


def quiz_summary(quiz: Quiz, user, now: datetime | None = None) -> dict:
    """A quiz as its detail page and ``GET /api/v1/quizzes/{id}/`` show it to ``user``: its
    rules, the user's grade and open attempt, and whether (or why not) they may start one."""
    from quizzes.services.attempts import quiz_startable
    from quizzes.services.errors import QuizUnavailable
    from quizzes.services.results import grade_from_attempts

    now = now or timezone.now()
    attempts = list(quiz.attempts.filter(user_id=getattr(user, "pk", None)))
    grade = grade_from_attempts(quiz, attempts)
    open_attempt = next((a for a in attempts if a.is_open), None)
    reason = ""
    if open_attempt is None:
        try:
            quiz_startable(quiz, user, now)
        except QuizUnavailable as exc:
            reason = exc.message
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "description_html": str(quiz.description_html),
        "kind": quiz.kind,
        "pass_mark": quiz.pass_mark,
        "max_attempts": quiz.max_attempts,
        "grading_method": quiz.grading_method,
        "time_limit_minutes": quiz.time_limit_minutes,
        "feedback_policy": quiz.feedback_policy,
        "certainty_based": quiz.certainty_based,
        "opens_at": _iso(quiz.opens_at),
        "closes_at": _iso(quiz.closes_at),
        "question_count": quiz.items.count() + sum(d.count for d in quiz.draws.all()),
        "lesson_id": quiz.lesson_id,
        "module_id": quiz.module_id,
        "grade": {
            "percent": grade.percent,
            "passed": grade.passed,
            "pending": grade.pending,
            "attempts_used": grade.attempts_used,
            "attempts_left": grade.attempts_left,
        },
        "open_attempt": open_attempt.pk if open_attempt else None,
        "can_start": open_attempt is not None or not reason,
        "unavailable_reason": reason,
    }


def _answer_url_template(attempt_id: int) -> str:
    """``/api/v1/attempts/{id}/answers/{question_id}/`` from the router, not spelled out here."""
    url = reverse("api-attempt-answer", kwargs={"pk": attempt_id, "question_id": 0})
    return url.replace("/answers/0/", "/answers/{question_id}/")
