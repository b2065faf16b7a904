"""The trainee's pages: the quizzes they may take, a quiz's rules and past attempts, taking an
attempt and reviewing it.

Thin views: ``quizzes.services.attempts`` starts, submits and reads attempts (an overdue open
attempt is submitted whenever it is read), and ``quizzes.payload.attempt_payload`` alone
decides what an attempt shows. The helpers below only arrange that payload for the templates
(which option was chosen, where a time sits on the timeline); they add nothing to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from quizzes import selectors
from quizzes.models import Attempt, CertaintyLevel, QuestionKind, Quiz, QuizKind
from quizzes.payload import attempt_payload, feedback_allowed, quiz_summary
from quizzes.results_access import may_read_results
from quizzes.scoring import CBM_MARKS
from quizzes.services import attempts as attempt_services
from quizzes.services.errors import NotYourAttempt, QuizError

LOOP_FIGURE_KINDS = (QuestionKind.HOTSPOT, QuestionKind.DRAWN)


def _visible_quizzes(user):
    return Quiz.objects.for_user(user).published()


def _status(summary: dict) -> tuple[str, str]:
    """(code, label) of the user's standing on a quiz, for the list and the detail page."""
    grade = summary["grade"]
    if summary["open_attempt"]:
        return "in_progress", _("In progress")
    if not grade["attempts_used"]:
        return "not_started", _("Not started")
    if grade["pending"]:
        return "pending", _("Waiting for grading")
    if grade["passed"]:
        return "passed", _("Passed")
    return "failed", _("Not passed")


def _row(quiz: Quiz, user) -> dict:
    summary = quiz_summary(quiz, user)
    code, label = _status(summary)
    return {"quiz": quiz, "summary": summary, "status": code, "status_label": label}


@login_required
@require_safe
def quiz_list(request: HttpRequest) -> HttpResponse:
    quizzes = _visible_quizzes(request.user).select_related(
        "lesson__module__course", "module__course"
    )
    exams, course_quizzes, other = [], [], []
    for quiz in quizzes:
        row = _row(quiz, request.user)
        if quiz.kind == QuizKind.EXAM:
            exams.append(row)
        elif quiz.module_id or quiz.lesson_id:
            module = quiz.module or quiz.lesson.module
            row |= {"module": module, "course": module.course}
            course_quizzes.append(row)
        else:
            other.append(row)
    course_quizzes.sort(key=lambda r: (r["course"].title, r["module"].order, r["quiz"].title))
    context = {"exams": exams, "course_quizzes": course_quizzes, "other_quizzes": other}
    return render(request, "quizzes/quiz_list.html", context)


@login_required
@require_safe
def quiz_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(
        _visible_quizzes(request.user).select_related("lesson__module__course", "module__course"),
        pk=pk,
    )
    row = _row(quiz, request.user)
    past = [
        {"attempt": a, "feedback": feedback_allowed(a)}
        for a in selectors.submitted_attempts(quiz, request.user)
    ]
    context = {
        **row,
        "past_attempts": past,
        "certainty_levels": _certainty_levels(),
        # Staff read their trainees' results of any quiz they see (quizzes.results_access).
        "results_link": may_read_results(request.user),
    }
    return render(request, "quizzes/quiz_detail.html", context)


@login_required
@require_POST
def attempt_start(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(_visible_quizzes(request.user), pk=pk)
    try:
        attempt = attempt_services.attempt_start(quiz=quiz, user=request.user)
    except QuizError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:detail", pk=quiz.pk)
    return redirect("quizzes:take", pk=attempt.pk)


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The user's attempt, else 404 (an overdue open attempt is submitted on the way)."""
    try:
        return attempt_services.attempt_for_user(pk, request.user)
    except NotYourAttempt as exc:
        raise Http404(exc.message) from exc


@login_required
@require_safe
def attempt_take(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if not attempt.is_open:
        messages.info(request, _submitted_message(attempt))
        return redirect("quizzes:review", pk=attempt.pk)
    data = attempt_payload(attempt, user=request.user)
    context = {
        "data": data,
        # Checked answers ("immediately") show their feedback in place.
        "questions": [{**q, "view": present(q)} for q in data["questions"]],
        "certainty_levels": _certainty_levels(),
    }
    return render(request, "quizzes/attempt_take.html", context)


@login_required
@require_POST
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        attempt = attempt_services.attempt_submit(attempt_id=pk, user=request.user)
    except NotYourAttempt as exc:
        raise Http404(exc.message) from exc
    except QuizError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:take", pk=pk)
    return redirect("quizzes:review", pk=attempt.pk)


@login_required
@require_safe
def attempt_review(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.is_open:
        return redirect("quizzes:take", pk=attempt.pk)
    data = attempt_payload(attempt, user=request.user)
    questions = [{**q, "view": present(q)} for q in data["questions"]]
    context = {
        "data": data,
        "attempt": attempt,
        "questions": questions,
        "feedback_shown": any(q["feedback"] for q in questions),
    }
    return render(request, "quizzes/attempt_review.html", context)


def _submitted_message(attempt: Attempt) -> str:
    if attempt.submitted_by == "deadline":
        return _("The time limit has passed: the attempt was submitted with the saved answers.")
    return _("This attempt has been submitted.")


def _certainty_levels() -> list[dict]:
    levels = []
    for value, label in CertaintyLevel.choices:
        right, wrong = CBM_MARKS[value]
        marks = _("right +%(right)s, wrong %(wrong)s") % {
            "right": right,
            "wrong": f"\u2212{abs(wrong)}" if wrong else "0",  # a true minus sign
        }
        levels.append({"value": value, "label": label, "marks": marks})
    return levels


# --- Arranging the payload for the templates (nothing added that the payload does not hold) ----


def _percent(t: float | None, duration: float) -> float | None:
    if t is None or not duration:
        return None
    return round(min(100.0, max(0.0, 100.0 * float(t) / duration)), 2)


def _timeline(question: dict) -> dict | None:
    """Positions (percent of the loop) of the trainee's mark and, with feedback, of the key and
    its tolerance band."""
    loop = question["loop"] or {}
    duration = loop.get("duration_s") or (
        loop["frames"] / loop["fps"] if loop.get("frames") and loop.get("fps") else 0
    )
    if not duration:
        return None
    response = (question["answer"] or {}).get("response") or {}
    key = (question["feedback"] or {}).get("key") or {}
    tolerance = key.get("tolerance") or 0
    key_t = key.get("time_s")
    band = None
    if key_t is not None:
        start = _percent(key_t - tolerance, duration)
        band = {"left": start, "width": round(_percent(key_t + tolerance, duration) - start, 2)}
    return {
        "duration": duration,
        "mine": _percent(response.get("time_s"), duration),
        "key": _percent(key_t, duration),
        "band": band,
    }


def present(question: dict) -> dict:
    """What the templates need beyond the payload's own fields (review, and checked answers on
    the take page): which options were chosen and which are right, orders as texts, timeline
    positions. Everything is derived from ``question`` (one entry of ``attempt_payload``)."""
    response = (question["answer"] or {}).get("response") or {}
    feedback = question["feedback"]
    key = (feedback or {}).get("key") or {}
    option_feedback = {
        str(k): v for k, v in ((feedback or {}).get("option_feedback") or {}).items()
    }
    chosen = set(response.get("options") or [])
    if response.get("option") is not None:
        chosen.add(response["option"])
    right = set(key.get("options") or [])
    options = [
        {
            **o,
            "chosen": o["id"] in chosen,
            "correct": (o["id"] in right) if feedback else None,
            "feedback": option_feedback.get(str(o["id"]), ""),
        }
        for o in question["options"]
    ]
    texts = {o["id"]: o["text"] for o in question["options"]}
    view = {
        "options": options,
        "your_order": [texts.get(i, "?") for i in response.get("order") or []],
        "key_order": [texts.get(i, "?") for i in key.get("order") or []],
        "choice_label": "",
        "figure": question["kind"] in LOOP_FIGURE_KINDS and question["loop"] is not None,
        "timeline": _timeline(question) if question["kind"] == QuestionKind.TIME_POINT else None,
        "marker_r": round((question["loop"] or {}).get("columns", 300) / 80, 1),
    }
    for choice in question["choices"]:
        if choice["value"] == response.get("value"):
            view["choice_label"] = choice["label"]
    return view
