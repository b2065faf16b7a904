"""Staff pages on what trainees did: results per quiz and per trainee, the CSV export, item
analysis and the grading queue of free-text answers.

Who sees whose results is ``quizzes.results_access`` alone: instructors and directors open the
results of any quiz they can see (a quiz they cannot see is a 404, trainees get 403); names and
answers only of their own institution's trainees, everyone else's attempts in aggregate when
their institution owns the quiz. The services apply the rule; the grading service checks again.
"""

from __future__ import annotations

import csv
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.decorators import author_required
from quizzes import selectors
from quizzes.analysis import item_statistics
from quizzes.forms import GradeForm
from quizzes.models import OPTION_KINDS, Answer, Question, QuestionKind, Quiz
from quizzes.results_access import may_read_results, results_quizzes
from quizzes.services import grading, results
from quizzes.services.errors import NotAllowed, QuizError

# Spreadsheets run a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Names of the measurements scoring stores in ``Answer.detail``.
DETAIL_LABELS = {
    "distance_mm": _lazy("Distance to the region (mm)"),
    "distance_px": _lazy("Distance to the region (pixels)"),
    "overlap": _lazy("Overlap"),
    "metric": _lazy("Overlap measure"),
    "error_s": _lazy("Time error (s)"),
}


def staff_required(view):
    """Signed-in instructors and directors of an institution, and site admins; others 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_read_results(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _results_quiz(request: HttpRequest, pk: int) -> Quiz:
    return get_object_or_404(results_quizzes(request.user), pk=pk)


def _quiz_context(request: HttpRequest, quiz: Quiz) -> dict:
    return {"quiz": quiz, "can_edit": quiz.is_editable_by(request.user)}


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text: strings starting like a formula get a quote.
    Numbers stay numbers (a negative certainty-based score is not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _last_submitted(attempts) -> Any:
    times = [a.submitted_at for a in attempts if a.submitted_at]
    return max(times) if times else None


@staff_required
def quiz_results(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _results_quiz(request, pk)
    rows = [
        {"result": row, "last_submitted": _last_submitted(row.attempts)}
        for row in results.quiz_results(quiz, user=request.user)
    ]
    aggregate = results.quiz_aggregate(quiz, user=request.user)
    context = {
        **_quiz_context(request, quiz),
        "rows": rows,
        "aggregate": aggregate,
        "bands": [{"low": low, "count": count} for low, count in aggregate.distribution],
    }
    return render(request, "quizzes/results.html", context)


@staff_required
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _results_quiz(request, pk)
    name = slugify(quiz.title) or "quiz"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{quiz.pk}-attempts.csv"'
    # A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in results.attempts_csv_rows(quiz, user=request.user):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _response_text(question: Question, response: Any, options: dict[int, str]) -> str:
    """What the trainee answered, readable by an instructor."""
    if not isinstance(response, dict):
        return ""
    if question.kind in OPTION_KINDS:
        ids = response.get("order") or response.get("options") or [response.get("option")]
        texts = [options.get(i, "?") for i in ids if i is not None]
        separator = " → " if question.kind == QuestionKind.ORDERING else "; "
        return separator.join(texts)
    if "text" in response:
        return str(response["text"])
    if "points" in response:
        return _("Outline of %(count)s points") % {"count": len(response["points"] or [])}
    if "time_s" in response:
        return _("%(time)s s") % {"time": response["time_s"]}
    if "x" in response:
        return f"({response.get('x')}, {response.get('y')})"
    return str(response.get("value", ""))


@staff_required
def trainee_attempts(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    quiz = _results_quiz(request, pk)
    attempts = selectors.trainee_attempts(quiz, viewer=request.user, trainee_pk=user_pk)
    if not attempts:
        raise Http404
    trainee = attempts[0].user
    ids = {entry["question"] for a in attempts for entry in a.paper}
    questions = selectors.questions_with_options(ids)
    options = {o.pk: o.text for q in questions.values() for o in q.options.all()}
    answers = selectors.answers_of(attempts)
    shown = []
    for attempt in attempts:
        lines = []
        for position, entry in enumerate(attempt.paper, start=1):
            question = questions.get(entry["question"])
            if question is None:
                continue
            answer = answers.get((attempt.pk, question.pk))
            response = answer.response if answer else None
            detail = answer.detail if answer and isinstance(answer.detail, dict) else {}
            lines.append(
                {
                    "detail": [(DETAIL_LABELS.get(k, k), v) for k, v in detail.items()],
                    "position": position,
                    "question": question,
                    "points": entry["points"],
                    "answer": answer,
                    "response": _response_text(question, response, options),
                }
            )
        shown.append({"attempt": attempt, "lines": lines})
    context = {
        **_quiz_context(request, quiz),
        "trainee": trainee,
        "grade": results.quiz_grade(quiz, trainee),
        "attempts": shown,
    }
    return render(request, "quizzes/trainee_attempts.html", context)


@staff_required
def item_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _results_quiz(request, pk)
    rows = results.analysis_rows(quiz, user=request.user)
    stats = item_statistics(rows)
    questions = selectors.questions_with_options(s.question_id for s in stats)
    items = []
    for stat in stats:
        question = questions.get(stat.question_id)
        if question is None:
            continue
        choices = []
        if question.kind in OPTION_KINDS and question.kind != QuestionKind.ORDERING:
            for option in question.options.all():
                count = stat.option_counts.get(option.pk, 0)
                percent = 100 * count / stat.n if stat.n else 0
                choices.append({"option": option, "count": count, "percent": percent})
        items.append({"stats": stat, "question": question, "choices": choices})
    context = {**_quiz_context(request, quiz), "items": items, "attempt_count": len(rows)}
    return render(request, "quizzes/analysis.html", context)


@author_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    answers = grading.grading_queue(request.user)
    return render(request, "quizzes/grading_queue.html", {"answers": answers})


def _paper_points(answer: Answer) -> float:
    for entry in answer.attempt.paper:
        if entry["question"] == answer.question_id:
            return float(entry["points"])
    return float(answer.question.points)


@author_required
def grade_answer(request: HttpRequest, answer_pk: int) -> HttpResponse:
    # Already-graded answers stay reachable so an instructor can correct a mark.
    answer = get_object_or_404(grading.gradable_answers(request.user), pk=answer_pk)
    max_points = _paper_points(answer)
    initial = {"comment": answer.grader_comment}
    if answer.credit is not None:
        initial["points"] = round(answer.credit * max_points, 2)
    form = GradeForm(request.POST or None, initial=initial, max_points=max_points)
    if request.method == "POST" and form.is_valid():
        try:
            grading.answer_grade(
                answer=answer,
                by=request.user,
                credit=form.credit,
                comment=form.cleaned_data["comment"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except QuizError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The answer was graded."))
            return redirect("quizzes:grading")
    context = {
        "answer": answer,
        "attempt": answer.attempt,
        "quiz": answer.attempt.quiz,
        "question": answer.question,
        "form": form,
        "max_points": max_points,
    }
    return render(request, "quizzes/grade_answer.html", context)
