"""Read-side queries for the library pages and the API: the same rows, the same rules.

Every function starts from ``Case.objects.for_user(user)``; what the user may not see does not
exist. Lists leave out what ``cases.access`` refuses (assessment-only cases, an exam's cases).
The library costs a fixed number of queries for any number of cases: the page itself, its
count, and one prefetch each for tags and loops; "bookmarked" and "reviewed" are subqueries of
the page query (plus the user's exam locks, ``cases.access``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, OuterRef, Prefetch, QuerySet, Value

from cases import access
from cases.models import (
    Annotation,
    Bookmark,
    Case,
    CaseLoop,
    CaseRevision,
    CaseStatus,
    CaseWatch,
    PhaseMarker,
    Tag,
)
from cases.search import apply_search, is_ranked
from cases.snapshot import changed_keys

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
    return Case.objects.awaiting_review_by(user).select_related("submitted_by", "institution")


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
