"""What every signed-in user sees: the library list, a case page, bookmarks.

Cases come through ``selectors`` (``Case.objects.for_user``): a case the user may not see is a
404, whatever its state.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Institution
from cases import conf, listing, selectors, services
from cases.api.serializers import CaseDetailSerializer
from cases.filters import filters_from
from cases.forms import library_filter_bar
from cases.models import Bookmark, Case, Tag


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    cases = selectors.library_cases(request.user, filters)
    page = Paginator(cases, conf.library_page_size()).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "cards": listing.cards(page.object_list),
        "filters": filters,
        **library_filter_bar(
            filters,
            Institution.objects.values_list("pk", "name"),
            editor=request.user.can_author,
        ),
        "tags": Tag.objects.values_list("name", flat=True),
        "query": query.urlencode(),
        "to_review": request.user.can_author,
    }
    return render(request, "cases/library.html", context)


@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.detail_cases(request.user), pk=pk)
    data = CaseDetailSerializer(case, context={"request": request}).data
    context = {
        "case": case,
        "case_json": data,
        "can_edit": data["can_edit"],
        "test_mode": request.GET.get("mode") == "test",
        "is_bookmarked": Bookmark.objects.filter(user=request.user, case=case).exists(),
        "watch": services.watch_state(case=case, user=request.user),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def bookmark(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
    services.bookmark_toggle(case=case, user=request.user)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(case.get_absolute_url())
