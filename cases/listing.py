"""Presentation of a library page's cases, prepared once per page rather than per card: the
list is the platform's busiest page, and template lookups, ``reverse()`` and lazy translations
cost more than the queries behind it.

A ``Card`` is a case as plain values (no model instance): cheap to cache and to render. One
template renders a card (``cases/_library_card.html``), the reader's own flags included (the
"Reviewed" badge, the bookmark button's state): ``cases.selectors.library_grid`` caches each
card with its HTML for a reader without flags, and renders again, for each reader, only the
cards they bookmarked or reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, CaseLoop, Difficulty, Modality, Organ
from cineloops.models import CineLoop
from core.content_language import translated_html

_PK = 999_999_999  # stands for the case's pk in URLs reversed once per page


def _pattern(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"pk": _PK, **kwargs})


@dataclass(frozen=True)
class Card:
    """One case of the grid. The first fields are the same for everyone who sees the case in
    this language; ``is_bookmarked`` and ``is_reviewed`` are the reader's own."""

    pk: int
    title_html: SafeString  # the title, with its fallback marker (the ``tr`` filter)
    institution_html: SafeString
    status: str
    url: str
    bookmark_url: str
    poster_url: str | None
    poster_size: tuple[int, int] | None
    facts: str  # "Liver · CEUS · Beginner"
    tags: list[str]
    is_bookmarked: bool = False
    is_reviewed: bool = False


def _tags(ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    rows = Case.tags.through.objects.filter(case_id__in=ids).order_by("tag__name")
    for case_id, name in rows.values_list("case_id", "tag__name"):
        tags.setdefault(case_id, []).append(name)
    return tags


def _posters(ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """The first loop of each case, when it has a poster to show: (loop pk, columns, rows)."""
    first: dict[int, tuple[int, int, int]] = {}
    rows = (
        CaseLoop.objects.filter(case_id__in=ids)
        .order_by("case_id", "order", "pk")
        .values_list(
            "case_id", "loop_id", "loop__status", "loop__poster_file", "loop__columns", "loop__rows"
        )
    )
    seen: set[int] = set()
    for case_id, loop_id, status, poster, columns, rows_ in rows:
        if case_id in seen:
            continue
        seen.add(case_id)
        if status in (CineLoop.Status.READY, CineLoop.Status.NEEDS_REVIEW) and poster:
            first[case_id] = (loop_id, columns or 0, rows_ or 0)
    return first


def render(card: Card) -> SafeString:
    """The card's HTML, as its reader sees it (their flags on the card)."""
    # Escaped by the template; less the newline that ends the template's file.
    return mark_safe(get_template("cases/_library_card.html").render({"card": card}).rstrip("\n"))


def cards(cases: Iterable[Case], *, own_flags: bool = False) -> list[Card]:
    """One card per case: three queries (the cases, their tags, their first loops).
    ``own_flags``: take the reader's bookmark and "reviewed" flags from the cases'
    ``is_bookmarked`` / ``is_reviewed`` annotations (``selectors.library_cases``); without it
    they are left False, for a grid shared by many readers."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    tags, posters = (_tags(ids), _posters(ids)) if ids else ({}, {})
    detail, bookmark = _pattern("cases:detail"), _pattern("cases:bookmark")
    poster = _pattern("cineloops:media", kind="poster")
    labels = {
        "organ": {value: str(label) for value, label in Organ.choices},
        "modality": {value: str(label) for value, label in Modality.choices},
        "difficulty": {value: str(label) for value, label in Difficulty.choices},
    }
    made = []
    for case in cases:
        first = posters.get(case.pk)
        made.append(
            Card(
                pk=case.pk,
                title_html=translated_html(case, "title"),
                institution_html=translated_html(case.institution, "name"),
                status=case.status,
                url=detail.replace(str(_PK), str(case.pk)),
                bookmark_url=bookmark.replace(str(_PK), str(case.pk)),
                poster_url=poster.replace(str(_PK), str(first[0])) if first else None,
                poster_size=first[1:] if first else None,
                facts=" · ".join(
                    (
                        labels["organ"].get(case.organ, case.organ),
                        labels["modality"].get(case.modality, case.modality),
                        labels["difficulty"].get(case.difficulty, ""),
                    )
                ),
                tags=tags.get(case.pk, []),
                is_bookmarked=own_flags and bool(case.is_bookmarked),
                is_reviewed=own_flags and bool(case.is_reviewed),
            )
        )
    return made
