"""What every signed-in user sees: the library list, a case page, bookmarks.

Cases come through ``selectors`` (``Case.objects.for_user``): a case the user may not see is a
404, whatever its state; one they may not read now (``cases.access``: their exam in progress,
assessment only) a 403 page saying why.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from cases import access, selectors, services
from cases.filters import filters_from
from cases.forms import library_filter_bar
from cases.models import Case
from cases.next_action import case_next_action
from cases.reviewers import may_review
from core.next_action import NextAction


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    grid = selectors.library_grid(request.user, filters, request.GET)
    choices = selectors.library_filter_choices(request.user, request.GET)
    context = {
        "grid": grid,
        "has_cards": bool(grid.cards),
        "filter_key": choices.cache_key,
        "filters": filters,
        **library_filter_bar(filters, choices.institutions, editor=request.user.can_author),
        "tags": choices.tags,
        "to_review": request.user.can_author,
    }
    return render(request, "cases/library.html", context)


def _next_action(pk: int, user) -> NextAction | None:
    """The bar for editors and reviewers; learners cost no query."""
    if not (user.can_author or may_review(user)):
        return None
    return case_next_action(selectors.case_for_next_action(pk), user)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """A case the user may not read now (``cases.access``), with why."""
    return render(request, "cases/refused.html", {"message": message}, status=403)


@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.case_rows(request.user), pk=pk)
    refusal = access.case_refusal(request.user, case)
    if refusal:
        return _refused(request, refusal)
    shared = selectors.case_payload(request.user, case)
    can_edit = case.is_editable_by(request.user)
    data = {**shared.data, "can_edit": can_edit}
    own = selectors.reader_state(request.user, case, data["loops"])
    context = {
        "case": case,
        "next_action": _next_action(case.pk, request.user),
        "case_json": data,
        "fragment_key": shared.cache_key,
        "can_edit": can_edit,
        "test_mode": request.GET.get("mode") == "test",
        "is_bookmarked": own.is_bookmarked,
        "watch": own.watch,
        "consult_pk": selectors.consult_of(request.user, case),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.open_to(request.user), pk=pk)
    refusal = access.case_refusal(request.user, case)
    if refusal:
        return _refused(request, refusal)
    services.bookmark_toggle(case=case, user=request.user)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(case.get_absolute_url())
