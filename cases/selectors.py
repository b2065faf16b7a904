"""Read-side queries for the library pages and the API: the same rows, the same rules.

Every function starts from ``Case.objects.for_user(user)``; what the user may not see does not
exist. Lists leave out what ``cases.access`` refuses (assessment-only cases, an exam's cases).
The library costs a fixed number of queries for any number of cases: the page itself, its
count, and one prefetch each for tags and loops; "bookmarked" and "reviewed" are subqueries of
the page query (plus the user's exam locks, ``cases.access``).

The library grid, its filter choices and the case payload are cached here (``cases.cache``:
keys and the content version), never in the views: what is cached is data shared by everyone
of a visibility scope and language; what is the reader's own (bookmarks, "reviewed", edit
rights, watch time) is read per request.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, QuerySet, Value
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Institution
from cases import access, conf, listing, payload
from cases import cache as case_cache
from cases.models import (
    Annotation,
    Bookmark,
    Case,
    CaseLoop,
    CaseRevision,
    CaseStatus,
    CaseWatch,
    PhaseMarker,
    RoiCurve,
    Tag,
)
from cases.search import apply_search, is_ranked
from cases.services.learning import WatchState, required_seconds
from cases.snapshot import changed_keys
from cineloops.models import CineLoop

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "title": ("title", "pk"),
    "difficulty": ("difficulty", "-created_at", "-pk"),
    "-difficulty": ("-difficulty", "-created_at", "-pk"),
}
RELEVANCE = "relevance"
# Long texts a list never shows.
LIST_DEFERRED = (
    "clinical_history",
    "teaching_points",
    "references",
    "review_comment",
    "search_text",
)


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    organ: str = ""
    modality: str = ""
    category: str = ""
    difficulty: int | None = None
    tag: str = ""
    institution: int | None = None
    status: str = ""
    bookmarked: bool = False
    reviewed: bool | None = None
    sort: str = ""


def _flag(user, model) -> Exists | Value:
    if not getattr(user, "is_authenticated", False):
        return Value(False, output_field=BooleanField())
    rows = model.objects.filter(user_id=user.pk, case=OuterRef("pk"))
    if model is CaseWatch:
        rows = rows.filter(reviewed_at__isnull=False)
    return Exists(rows)


def _loops_prefetch() -> Prefetch:
    return Prefetch("case_loops", CaseLoop.objects.select_related("loop").order_by("order", "pk"))


def library_cases(user, filters: LibraryFilters) -> QuerySet[Case]:
    """Cases for the library list, filtered and sorted, with ``is_bookmarked`` and
    ``is_reviewed``; add ``with_tags_and_loops`` for their tags and loops (the page reads
    those as plain values instead, see ``cases.listing``)."""
    cases = (
        Case.objects.for_user(user)
        .filter(access.listed_q(user))
        .select_related("institution")
        .defer(*LIST_DEFERRED)
        .annotate(is_bookmarked=_flag(user, Bookmark), is_reviewed=_flag(user, CaseWatch))
    )
    if filters.organ:
        cases = cases.filter(organ=filters.organ)
    if filters.modality:
        cases = cases.filter(modality=filters.modality)
    if filters.category:
        cases = cases.filter(category__iexact=filters.category)
    if filters.difficulty:
        cases = cases.filter(difficulty=filters.difficulty)
    if filters.institution:
        cases = cases.filter(institution_id=filters.institution)
    if filters.status in CaseStatus.values:
        cases = cases.filter(status=filters.status)
    if filters.tag:
        tagged = Case.tags.through.objects.filter(
            case=OuterRef("pk"), tag__name__iexact=filters.tag
        )
        cases = cases.filter(Exists(tagged))
    if filters.bookmarked:
        cases = cases.filter(is_bookmarked=True)
    if filters.reviewed is not None:
        cases = cases.filter(is_reviewed=filters.reviewed)
    # Never a case whose key the user may not read now (their exam in progress).
    locked = access.locked_case_ids(user)
    if locked:
        cases = cases.exclude(pk__in=locked)
    cases = apply_search(cases, filters.q)
    return cases.order_by(*sort_fields(filters, ranked=is_ranked(cases)))


def with_tags_and_loops(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.prefetch_related(Prefetch("tags", Tag.objects.order_by("name")), _loops_prefetch())


def sort_fields(filters: LibraryFilters, *, ranked: bool) -> tuple[str, ...]:
    """The chosen order; "relevance" (the default when searching) needs full-text ranks."""
    if filters.sort == RELEVANCE or (not filters.sort and filters.q):
        return ("-search_rank", "-created_at", "-pk") if ranked else SORTS["newest"]
    return SORTS.get(filters.sort, SORTS["newest"])


def detail_cases(user) -> QuerySet[Case]:
    """Cases with everything the case page and the detail API show, in five queries (cases
    in review included for those who may review them)."""
    return (
        Case.objects.open_to(user)
        .select_related("institution")
        .prefetch_related(
            Prefetch("tags", Tag.objects.order_by("name")),
            _loops_prefetch(),
            Prefetch(
                "annotations",
                # The curve's status only: its samples are served by the TIC endpoint.
                Annotation.objects.select_related("curve")
                .defer("curve__times_s", "curve__values", "curve__parameters")
                .order_by("order", "pk"),
            ),
            Prefetch("phase_markers", PhaseMarker.objects.order_by("loop_id", "time_s", "pk")),
        )
    )


def cases_to_review(user) -> QuerySet[Case]:
    """Cases waiting for ``user``'s review, the longest waiting first."""
    return (
        Case.objects.awaiting_review_by(user)
        .select_related("submitted_by", "institution")
        .order_by("submitted_at", "pk")
    )


def reviewable_cases(user) -> QuerySet[Case]:
    """The review form's cases: the user's editable ones, and those in review awaiting them
    (a reviewer outside the case's editors)."""
    return Case.objects.editable_by(user) | Case.objects.awaiting_review_by(user)


def loop_choices(user, case: Case | None) -> QuerySet[CineLoop]:
    """Loops the case form offers: those ``user`` may edit, and the case's own (they stay
    choosable), newest first."""
    loops = CineLoop.objects.editable_by(user)
    if case is not None:
        loops = loops | CineLoop.objects.filter(case_links__case=case)
    return loops.distinct().order_by("-created_at", "-pk")


@dataclass(frozen=True)
class RevisionRow:
    revision: CaseRevision
    changed: list[str]


def case_history(case: Case) -> list[RevisionRow]:
    """Revisions newest first, each with the top-level fields it changed."""
    revisions = list(case.revisions.select_related("author").order_by("number"))
    rows, previous = [], None
    for revision in revisions:
        rows.append(RevisionRow(revision, changed_keys(previous, revision.snapshot)))
        previous = revision.snapshot
    return list(reversed(rows))


# --- The library page -------------------------------------------------------------------------


@dataclass(frozen=True)
class GridPage:
    """Where a page of the library is in its list (what the pagination links need)."""

    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class LibraryGrid:
    cards: list[listing.Card]
    cards_html: list[SafeString]  # each card rendered as its reader sees it
    page: GridPage
    query: str  # the query string without ``page``, for the pagination links

    @property
    def html(self) -> SafeString:
        """The cards one after another (indented as the grid's template lays them out): one
        string for the template, rather than a loop over the cards on every request."""
        return mark_safe("".join(f"\n  {card}\n  " for card in self.cards_html))


def _personal(user, filters: LibraryFilters) -> bool:
    """A grid that is the user's alone: filtered on their own bookmarks or reviews, or without
    the cases of their exam in progress."""
    return bool(filters.bookmarked or filters.reviewed is not None or access.locked_case_ids(user))


def _grid(user, filters: LibraryFilters, query: QueryDict, *, own_flags: bool) -> LibraryGrid:
    cases = library_cases(user, filters)
    page = Paginator(cases, conf.library_page_size()).get_page(query.get("page"))
    links = query.copy()
    links.pop("page", None)
    cards = listing.cards(page.object_list, own_flags=own_flags)
    return LibraryGrid(
        cards=cards,
        cards_html=[listing.render(card) for card in cards],
        page=GridPage(page.number, page.paginator.num_pages, page.paginator.count),
        query=links.urlencode(),
    )


def _with_own_flags(grid: LibraryGrid, user) -> LibraryGrid:
    """The shared grid (every card as a reader without flags sees it) as ``user`` sees it:
    their bookmarked or reviewed cards rendered again with their flags. Two small queries
    (cheaper than one with two subqueries)."""
    ids = [card.pk for card in grid.cards]
    if not ids:
        return grid
    bookmarked = set(
        Bookmark.objects.filter(user=user, case_id__in=ids).values_list("case_id", flat=True)
    )
    reviewed = set(
        CaseWatch.objects.filter(user=user, case_id__in=ids, reviewed_at__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    if not (bookmarked or reviewed):
        return grid
    cards, cards_html = [], []
    for card, html in zip(grid.cards, grid.cards_html, strict=True):
        if card.pk in bookmarked or card.pk in reviewed:
            card = replace(
                card, is_bookmarked=card.pk in bookmarked, is_reviewed=card.pk in reviewed
            )
            html = listing.render(card)
        cards.append(card)
        cards_html.append(html)
    return replace(grid, cards=cards, cards_html=cards_html)


def library_grid(user, filters: LibraryFilters, query: QueryDict) -> LibraryGrid:
    """The page of the library that ``query`` asks for (filters, search, sort, ``page``): its
    cards, each rendered as the user sees it (``cases.listing``: their own bookmark and
    "reviewed" flags on it).

    The grid as a reader without flags sees it is cached per query string, language,
    visibility scope and content version (``cases.cache.grid_key``) and shared by everyone of
    that scope; the user's flags are read per request and only their flagged cards rendered
    again. A grid that is the user's alone (``_personal``) is never cached.
    """
    if _personal(user, filters):
        return _grid(user, filters, query, own_flags=True)
    key = case_cache.grid_key(user, query.urlencode())
    grid = cache.get(key)
    if grid is None:
        grid = _grid(user, filters, query, own_flags=False)
        cache.set(key, grid, case_cache.TIMEOUT)
    return _with_own_flags(grid, user)


@dataclass(frozen=True)
class FilterChoices:
    institutions: list[tuple[int, str]]  # (pk, name)
    tags: list[str]
    cache_key: str  # under which the rendered filter bar of this user and query is cached


def library_filter_choices(user, query: QueryDict) -> FilterChoices:
    """What the library's filter bar offers (cached per content version), and the key that
    its rendering for this user and query is cached under (``cases.cache.filter_bar_key``)."""
    key = f"cases:filter-lists:{case_cache.version()}"
    lists = cache.get(key)
    if lists is None:
        lists = (
            list(Institution.objects.values_list("pk", "name")),
            list(Tag.objects.values_list("name", flat=True)),
        )
        cache.set(key, lists, case_cache.TIMEOUT)
    institutions, tags = lists
    return FilterChoices(institutions, tags, case_cache.filter_bar_key(user, query.urlencode()))


# --- The case page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CasePayload:
    data: dict[str, Any]  # ``cases.payload.case_detail`` with ``can_edit`` False
    cache_key: str  # case, its ``updated_at``, content version, language: also the viewer's


def case_payload(user, case: Case) -> CasePayload:
    """THE case payload of ``case`` (a case ``user`` may open), the same for every reader:
    cached per case version, content version and language (``cases.cache.payload_key``).
    ``can_edit`` is the reader's own: the caller sets it."""
    key = case_cache.payload_key(case)
    data = cache.get(key)
    if data is None:
        data = payload.case_detail(detail_cases(user).get(pk=case.pk), can_edit=False)
        cache.set(key, data, case_cache.TIMEOUT)
    return CasePayload(data, key)


def case_rows(user) -> QuerySet[Case]:
    """Cases ``user`` may open, as the columns that say whether they may read it now and which
    payload is current (the page's cheap first read; the payload is cached)."""
    return Case.objects.open_to(user).only(
        "pk", "title", "updated_at", "institution_id", "status", "assessment_only"
    )


def case_for_next_action(pk: int) -> Case:
    """The case with what its next-action bar reads (institution, reviewer)."""
    return Case.objects.select_related("institution", "reviewed_by").get(pk=pk)


@dataclass(frozen=True)
class ReaderState:
    is_bookmarked: bool
    watch: WatchState


def reader_state(user, case: Case, loops: list[dict[str, Any]]) -> ReaderState:
    """The user's own bookmark and watch time on ``case``; ``loops`` are the payload's (their
    durations set the watch time required)."""
    durations = {loop["id"]: float(loop["duration_s"] or 0.0) for loop in loops}
    watch = CaseWatch.objects.filter(user=user, case=case).first()
    return ReaderState(
        is_bookmarked=Bookmark.objects.filter(user=user, case=case).exists(),
        watch=WatchState(
            watch.watched_s if watch else 0.0,
            required_seconds(durations),
            bool(watch and watch.reviewed_at),
        ),
    )


# --- Time-intensity curves ----------------------------------------------------------------------


def readable_annotations(user, loop) -> QuerySet[Annotation]:
    """Annotations on ``loop`` of the cases ``user`` may read now (``access.readable_cases``)."""
    visible = access.readable_cases(user).values("pk")
    return Annotation.objects.filter(case__in=visible, loop=loop)


def roi_curve(annotation: Annotation) -> RoiCurve | None:
    """The annotation's stored time-intensity curve, if it has one."""
    return RoiCurve.objects.filter(annotation=annotation).first()


def readable_cases_showing(user, loop) -> QuerySet[Case]:
    """Cases ``user`` may read now that show ``loop``."""
    return access.readable_cases(user).filter(case_loops__loop=loop)


def case_loop_links(case: Case) -> list[CaseLoop]:
    """The case's loops in order (their links: order, offset after injection)."""
    return list(case.case_loops.order_by("order", "pk"))


def consult_of(user, case: Case) -> int | None:
    """The consultation ``case`` was made from, when ``user`` may read it (its two hospitals,
    site admins): the case page links back to it (one query)."""
    from core.scoping import consult_rule

    return case.consultations.filter(consult_rule(user).q()).values_list("pk", flat=True).first()
