"""Instructor pages: create and edit a case with its loops, send it for review, review it
(someone who did not write it, see ``cases.reviewers``), and read the history of a published
case.

Cases are fetched through ``editable_by(user)``: another institution's case is a 404 here;
the services check again.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import author_required
from cases import selectors, services
from cases.forms import CaseForm, LoopFormSet, ReviewForm
from cases.models import Case
from cases.next_action import case_next_action
from cases.reviewers import may_review
from cases.services.authoring import unpublishable_loops
from cases.services.workflow import is_independent_reviewer, missing_for_review


def _editable(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(Case.objects.editable_by(request.user), pk=pk)


def reviewer_required(view):
    """Signed-in people who may review some case (``cases.reviewers``); others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not may_review(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _warn(request: HttpRequest, result: services.CaseResult) -> None:
    for warning in result.warnings:
        messages.warning(request, warning.message)


def _case_form(request: HttpRequest, case: Case | None) -> HttpResponse:
    form = CaseForm(request.POST or None, instance=case, user=request.user)
    initial = None
    if case is not None and request.method != "POST":
        initial = [
            {
                "loop": link.loop_id,
                "caption": link.caption,
                "starts_after_injection_s": link.starts_after_injection_s,
            }
            for link in selectors.case_loop_links(case)
        ]
    formset = LoopFormSet(
        request.POST or None,
        initial=initial,
        prefix="loops",
        loops=selectors.loop_choices(request.user, case),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        tags = data.pop("tags")
        try:
            if case is None:
                result = services.case_create(
                    by=request.user, tags=tags, loops=formset.specs(), **data
                )
            else:
                result = services.case_update(
                    case=case, by=request.user, tags=tags, loops=formset.specs(), **data
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Case saved."))
            _warn(request, result)
            return redirect(result.case.get_absolute_url())
    context = {
        "form": form,
        "formset": formset,
        "case": case,
        "next_action": case_next_action(case, request.user) if case is not None else None,
    }
    return render(request, "cases/case_form.html", context)


@author_required
def case_create(request: HttpRequest) -> HttpResponse:
    return _case_form(request, None)


@author_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_form(request, _editable(request, pk))


@author_required
@require_POST
def submit_review(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    try:
        services.case_submit_for_review(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case was sent for review."))
    return redirect(case.get_absolute_url())


@reviewer_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    # Its editors, and reviewers outside them while it is in review.
    case = get_object_or_404(selectors.reviewable_cases(request.user), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.case_review(
                case=case, by=request.user, approve=approve, comment=form.cleaned_data["comment"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if approve:
                messages.success(request, _("The case is published."))
            else:
                messages.success(request, _("The case went back to its authors."))
            return redirect(case.get_absolute_url())
    context = {
        "case": case,
        "form": form,
        "blocking_loops": unpublishable_loops(case),
        "may_review": is_independent_reviewer(case, request.user),
        "missing": missing_for_review(case),
    }
    return render(request, "cases/review.html", context)


@author_required
@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    try:
        services.case_unpublish(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case was withdrawn and is a draft again."))
    return redirect(case.get_absolute_url())


@author_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    return render(
        request, "cases/history.html", {"case": case, "rows": selectors.case_history(case)}
    )


@reviewer_required
def to_review(request: HttpRequest) -> HttpResponse:
    cases = selectors.cases_to_review(request.user)
    return render(request, "cases/to_review.html", {"cases": cases})
