"""Presentation of a library page's cases, prepared once per request rather than per card:
the list is the platform's busiest page, and template lookups, ``reverse()`` and lazy
translations cost more than the queries behind it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from cases.models import Case, CaseLoop, Difficulty, Modality, Organ
from cineloops.models import CineLoop

_PK = 999_999_999  # stands for the case's pk in URLs reversed once per page


def _pattern(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"pk": _PK, **kwargs})


@dataclass(frozen=True)
class Card:
    case: Case
    url: str
    bookmark_url: str
    poster_url: str | None
    poster_size: tuple[int, int] | None
    facts: str  # "Liver · CEUS · Beginner"
    tags: list[str]

    # Where the user's own badges go in the cached grid (``cases.views.library.fill_slots``):
    # a NUL never comes from content (forms refuse it), so these cannot be forged by a title.
    @property
    def reviewed_slot(self) -> str:
        return f"\x00R{self.case.pk}\x00"

    @property
    def bookmark_slot(self) -> str:
        return f"\x00B{self.case.pk}\x00"


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


def cards(cases: Iterable[Case]) -> list[Card]:
    """One card per case: three queries (the cases, their tags, their first loops)."""
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
                case=case,
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
            )
        )
    return made
