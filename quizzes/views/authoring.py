"""Instructor pages: the question bank, the question form per kind, and the quiz builder.

Questions and quizzes are fetched through ``editable_by(user)``: another institution's are a
404 here; the authoring services check again and validate every answer key.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import author_required
from core.scoping import PublicationStatus
from quizzes import selectors
from quizzes.forms import (
    AddDrawForm,
    AddItemForm,
    OptionFormSet,
    QuestionForm,
    QuizForm,
    option_initial,
)
from quizzes.models import OPTION_KINDS, Question, QuestionKind, Quiz
from quizzes.next_action import quiz_next_action
from quizzes.services import authoring
from quizzes.services.errors import QuizError
from quizzes.services.grading import grading_queue
from quizzes.sharing import question_hidden_dependencies, quiz_hidden_dependencies

MOVES = {"up": -1, "down": 1}
# Option rows the form shows: true/false makes its own two options.
FORMSET_KINDS = OPTION_KINDS - {QuestionKind.TRUE_FALSE}


def add_service_error(form: BaseForm, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: beside the field when the form has it,
    above the form otherwise (``form.add_error`` refuses unknown field names)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- The bank --------------------------------------------------------------------------------


@author_required
def question_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filters = selectors.bank_filters_from(request.GET)
    questions = selectors.bank_questions(user, filters)
    page = Paginator(questions, selectors.BANK_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "kinds": QuestionKind.choices,
        "statuses": PublicationStatus.choices,
        "tags": selectors.bank_tags(user),
        "cases": selectors.bank_cases(user),
        "quizzes": selectors.bank_quizzes(user),
        "to_grade": grading_queue(user).count(),
    }
    return render(request, "quizzes/bank.html", context)


# --- Questions -------------------------------------------------------------------------------


def _option_initial(question: Question | None) -> list[dict[str, Any]] | None:
    if question is None:
        return None
    return option_initial(selectors.question_options(question))


def _question_form(request: HttpRequest, kind: str, question: Question | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, instance=question, kind=kind, user=request.user)
    formset = None
    if kind in FORMSET_KINDS:
        formset = OptionFormSet(data, initial=_option_initial(question), prefix="options")
        if question is not None:
            formset.extra = 2
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        fields = form.service_fields()
        if formset is not None:
            fields["options"] = formset.specs()
        try:
            if question is None:
                saved = authoring.create_question(by=request.user, kind=kind, **fields)
            else:
                # A fresh row: the form changed ``question`` in memory while validating.
                fresh = selectors.fresh_question(question)
                saved = authoring.update_question(question=fresh, by=request.user, **fields)
        except ValidationError as exc:
            add_service_error(form, exc)
        except QuizError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Question saved."))
            return redirect("quizzes:question_edit", pk=saved.pk)
    hidden = []
    if question is not None:
        question.refresh_from_db()
        hidden = question_hidden_dependencies(question, user=request.user)
    context = {
        "form": form,
        "formset": formset,
        "question": question,
        "kind": kind,
        "kind_label": QuestionKind(kind).label,
        "draws_region": kind in (QuestionKind.HOTSPOT, QuestionKind.DRAWN),
        "shows_loop": "loop" in form.fields,
        "hidden": hidden,
        "share_url": reverse("quizzes:question_share", kwargs={"pk": question.pk})
        if any(dep.shareable for dep in hidden)
        else "",
    }
    return render(request, "quizzes/question_form.html", context)


@author_required
def question_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    if kind not in QuestionKind.values:
        messages.error(request, _("Choose the type of the new question."))
        return redirect("quizzes:bank")
    return _question_form(request, kind, None)


@author_required
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.editable_by(request.user), pk=pk)
    return _question_form(request, question.kind, question)


# --- Quizzes ---------------------------------------------------------------------------------


def _editable_quiz(request: HttpRequest, pk: int) -> Quiz:
    return get_object_or_404(Quiz.objects.editable_by(request.user), pk=pk)


def _edit_url(quiz: Quiz, anchor: str = "") -> str:
    url = reverse("quizzes:edit", kwargs={"pk": quiz.pk})
    return f"{url}#{anchor}" if anchor else url


@author_required
def quiz_create(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = authoring.create_quiz(by=request.user, **form.settings())
        except ValidationError as exc:
            add_service_error(form, exc)
        except QuizError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Quiz created. Now add its questions."))
            return redirect(_edit_url(quiz, "items"))
    return render(request, "quizzes/quiz_form.html", {"form": form, "quiz": None})


def _item_action(request: HttpRequest, quiz: Quiz, action: str) -> None:
    """Remove or move a listed question, or remove a draw (the service rewrites the lists)."""
    items = list(selectors.quiz_items(quiz))
    draws = list(selectors.quiz_draws(quiz))
    target = request.POST.get("target", "")
    if action == "remove_item":
        kept = [item.question for item in items if str(item.pk) != target]
        authoring.update_quiz(quiz=quiz, by=request.user, items=kept)
    elif action == "move_item":
        index = next((i for i, item in enumerate(items) if str(item.pk) == target), None)
        offset = MOVES.get(request.POST.get("direction", ""))
        if index is None or offset is None or not 0 <= index + offset < len(items):
            return
        items[index], items[index + offset] = items[index + offset], items[index]
        authoring.update_quiz(quiz=quiz, by=request.user, items=[i.question for i in items])
    elif action == "remove_draw":
        kept_draws = [(d.tag, d.count) for d in draws if str(d.pk) != target]
        authoring.update_quiz(quiz=quiz, by=request.user, draws=kept_draws)


def _quiz_post(request: HttpRequest, quiz: Quiz, forms: dict[str, BaseForm]) -> bool:
    """Handle one of the builder's forms; True when it succeeded."""
    action = request.POST.get("action", "settings")
    fresh = selectors.fresh_quiz(quiz)
    try:
        if action == "settings" and forms["settings"].is_valid():
            authoring.update_quiz(quiz=fresh, by=request.user, **forms["settings"].settings())
            messages.success(request, _("Quiz saved."))
            return True
        if action == "add_item" and forms["item"].is_valid():
            question = forms["item"].cleaned_data["question"]
            authoring.add_quiz_item(quiz=fresh, by=request.user, question=question)
            return True
        if action == "add_draw" and forms["draw"].is_valid():
            data = forms["draw"].cleaned_data
            authoring.add_quiz_draw(quiz=fresh, by=request.user, **data)
            return True
        if action in ("remove_item", "move_item", "remove_draw"):
            _item_action(request, fresh, action)
            return True
    except ValidationError as exc:
        form = forms.get({"add_item": "item", "add_draw": "draw"}.get(action, "settings"))
        if form is not None and action in ("settings", "add_item", "add_draw"):
            add_service_error(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
    except QuizError as exc:
        messages.error(request, exc.message)
    return False


@author_required
def quiz_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = _editable_quiz(request, pk)
    action = request.POST.get("action", "settings") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None
    forms: dict[str, BaseForm] = {
        "settings": QuizForm(
            post if action == "settings" else None, instance=quiz, user=request.user
        ),
        "item": AddItemForm(
            post if action == "add_item" else None, questions=selectors.bank_choices(quiz)
        ),
        "draw": AddDrawForm(post if action == "add_draw" else None),
    }
    if request.method == "POST":
        if _quiz_post(request, quiz, forms):
            anchor = "settings" if action == "settings" else "items"
            return redirect(_edit_url(quiz, anchor))
        if forms["settings"].is_bound and forms["settings"].errors:
            messages.error(request, _("The quiz was not saved: see the messages below."))
    quiz.refresh_from_db()
    items = selectors.quiz_items(quiz)
    draws = selectors.draw_rows(quiz, listed=[item.question_id for item in items])
    context = {
        "quiz": quiz,
        "form": forms["settings"],
        "item_form": forms["item"],
        "draw_form": forms["draw"],
        "items": items,
        "draws": draws,
        "attempt_count": selectors.attempt_count(quiz),
        "next_action": quiz_next_action(
            quiz, hidden=quiz_hidden_dependencies(quiz, user=request.user)
        ),
    }
    return render(request, "quizzes/quiz_form.html", context)
