"""Library filters from a query string (pages and API share the parsing)."""

from __future__ import annotations

from collections.abc import Mapping

from cases.models import Difficulty, Modality, Organ
from cases.selectors import SORTS, LibraryFilters
from core.api import parse_id

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _int(value: str | None) -> int | None:
    return parse_id(value)


def _bool(value: str | None) -> bool | None:
    value = (value or "").strip().lower()
    return True if value in TRUE else False if value in FALSE else None


def filters_from(params: Mapping[str, str]) -> LibraryFilters:
    """Unknown values are ignored rather than refused: a stale link still lists cases."""
    organ = params.get("organ", "")
    modality = params.get("modality", "")
    difficulty = _int(params.get("difficulty"))
    sort = params.get("sort", "")
    return LibraryFilters(
        q=params.get("q", "").strip(),
        organ=organ if organ in Organ.values else "",
        modality=modality if modality in Modality.values else "",
        category=params.get("category", "").strip()[:50],
        difficulty=difficulty if difficulty in Difficulty.values else None,
        tag=params.get("tag", "").strip()[:50],
        institution=_int(params.get("institution")),
        status=params.get("status", ""),
        bookmarked=bool(_bool(params.get("bookmarked"))),
        reviewed=_bool(params.get("reviewed")),
        sort=sort if sort in SORTS or sort == "relevance" else "",
    )
