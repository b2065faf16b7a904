"""What every signed-in user sees: the library list, a case page, bookmarks.

Cases come through ``selectors`` (``Case.objects.for_user``): a case the user may not see is a
404, whatever its state; one they may not read now (``cases.access``: their exam in progress,
assessment only) a 403 page saying why.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Institution
from cases import access, conf, listing, payload, selectors, services
from cases import cache as case_cache
from cases.filters import filters_from
from cases.forms import library_filter_bar
from cases.models import Bookmark, Case, CaseWatch, Tag
from cases.next_action import case_next_action
from cases.reviewers import may_review
from cases.services.learning import required_seconds
from core.next_action import NextAction

_SLOT = re.compile("\x00([RB])([0-9]+)\x00")


def _grid(request: HttpRequest, filters) -> dict:
    """The rendered case grid of this query for everyone of the user's visibility scope and
    language, with slots for the user's own badges (see ``cases.cache``): ``html``, the ``ids``
    of its cases. Filters on the user's own bookmarks or reviews are never cached."""
    # A user with an exam in progress sees a grid without its cases: not the shared one.
    personal = (
        filters.bookmarked
        or filters.reviewed is not None
        or bool(access.locked_case_ids(request.user))
    )
    key = None if personal else case_cache.grid_key(request.user, request.GET.urlencode())
    grid = cache.get(key) if key else None
    if grid is None:
        cases = selectors.library_cases(request.user, filters)
        page = Paginator(cases, conf.library_page_size()).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        cards = listing.cards(page.object_list)
        context = {"page": page, "cards": cards, "query": query.urlencode()}
        grid = {
            "html": render_to_string("cases/_library_grid.html", context),
            "ids": [card.case.pk for card in cards],
        }
        if key:
            cache.set(key, grid, case_cache.TIMEOUT)
    return grid


def fill_slots(html: str, *, bookmarked: set[int], reviewed: set[int]) -> SafeString:
    """The user's badges in a cached grid: "Reviewed" and the state of the bookmark buttons."""
    reviewed_html = format_html('<span class="badge done">{}</span>', _("Reviewed"))
    on = format_html('aria-pressed="true">★ {}', _("Bookmarked"))
    off = format_html('aria-pressed="false">☆ {}', _("Bookmark"))

    def slot(match: re.Match) -> str:
        pk = int(match.group(2))
        if match.group(1) == "R":
            return reviewed_html if pk in reviewed else ""
        return on if pk in bookmarked else off

    return mark_safe(_SLOT.sub(slot, html))  # the grid was rendered (escaped) by a template


def _filter_lists() -> tuple[list, list]:
    key = f"cases:filter-lists:{case_cache.version()}"
    lists = cache.get(key)
    if lists is None:
        lists = (
            list(Institution.objects.values_list("pk", "name")),
            list(Tag.objects.values_list("name", flat=True)),
        )
        cache.set(key, lists, case_cache.TIMEOUT)
    return lists


@login_required
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request.GET)
    grid = _grid(request, filters)
    ids = grid["ids"]
    bookmarked = (
        set(
            Bookmark.objects.filter(user=request.user, case_id__in=ids).values_list(
                "case_id", flat=True
            )
        )
        if ids
        else set()
    )
    reviewed = (
        set(
            CaseWatch.objects.filter(
                user=request.user, case_id__in=ids, reviewed_at__isnull=False
            ).values_list("case_id", flat=True)
        )
        if ids
        else set()
    )
    institutions, tags = _filter_lists()
    context = {
        "grid": fill_slots(grid["html"], bookmarked=bookmarked, reviewed=reviewed),
        "has_cards": bool(ids),
        "filter_key": case_cache.filter_bar_key(request.user, request.GET.urlencode()),
        "filters": filters,
        **library_filter_bar(filters, institutions, editor=request.user.can_author),
        "tags": tags,
        "to_review": request.user.can_author,
    }
    return render(request, "cases/library.html", context)


def _next_action(pk: int, user) -> NextAction | None:
    """The bar for editors and reviewers; learners cost no query."""
    if not (user.can_author or may_review(user)):
        return None
    case = Case.objects.select_related("institution", "reviewed_by").get(pk=pk)
    return case_next_action(case, user)


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """A case the user may not read now (``cases.access``), with why."""
    return render(request, "cases/refused.html", {"message": message}, status=403)


@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The row alone says whether the user may see the case and which payload is current.
    case = get_object_or_404(
        Case.objects.open_to(request.user).only(
            "pk", "title", "updated_at", "institution_id", "status", "assessment_only"
        ),
        pk=pk,
    )
    refusal = access.case_refusal(request.user, case)
    if refusal:
        return _refused(request, refusal)
    key = case_cache.payload_key(case)
    data = cache.get(key)
    if data is None:
        full = selectors.detail_cases(request.user).get(pk=pk)
        data = payload.case_detail(full, can_edit=False)
        cache.set(key, data, case_cache.TIMEOUT)
    can_edit = case.is_editable_by(request.user)
    data = {**data, "can_edit": can_edit}
    durations = {loop["id"]: float(loop["duration_s"] or 0.0) for loop in data["loops"]}
    watch = CaseWatch.objects.filter(user=request.user, case=case).first()
    context = {
        "case": case,
        "next_action": _next_action(case.pk, request.user),
        "case_json": data,
        "fragment_key": key,
        "can_edit": can_edit,
        "test_mode": request.GET.get("mode") == "test",
        "is_bookmarked": Bookmark.objects.filter(user=request.user, case=case).exists(),
        "watch": services.WatchState(
            watch.watched_s if watch else 0.0,
            required_seconds(durations),
            bool(watch and watch.reviewed_at),
        ),
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
