"""Library search over ``Case.search_text``: PostgreSQL full-text search, substring elsewhere.

``search_text`` holds the title, category, diagnosis, findings (as English and Chinese words)
and tags of a case, lower-cased, rebuilt by the services on every save. On PostgreSQL every
query word must match: a plain word as a word prefix (``to_tsquery('simple', 'word:*')``), a
word with punctuation ("LR-1", "wash-out") as the phrase PostgreSQL's parser makes of it; the
GIN index that migration 0002 creates serves both. The 'simple' configuration does not
split Chinese into words, so a query containing Chinese characters is matched as substrings
(ILIKE); SQLite, which has no full-text search, always matches substrings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation

from core.content_language import localized

SEARCH_CONFIG = "simple"
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _labels(case, field: str) -> list[str]:
    """The display label of a choice field in every language of the site."""
    value = getattr(case, field)
    if value in ("", None):
        return []
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.append(str(getattr(case, f"get_{field}_display")()))
    return labels


FINDING_FIELDS = (
    "organ",
    "modality",
    "arterial_enhancement",
    "arterial_pattern",
    "portal_venous_enhancement",
    "late_enhancement",
    "proof",
)


def search_document(case, tag_names: Iterable[str]) -> str:
    """The text a case is found by (lower-cased)."""
    # Both languages of the title and diagnosis: a case is found by either.
    texts = [getattr(case, name, "") for name in localized("title", "final_diagnosis")]
    parts = [*texts, case.category, *tag_names]
    for field in FINDING_FIELDS:
        parts.extend(_labels(case, field))
    # "No wash-out" is left out: searching for wash-out must not find the cases without it.
    if case.washout_degree in ("mild", "marked"):
        parts.extend(["wash-out washout 廓清", *_labels(case, "washout_degree")])
    return " ".join(part for part in parts if part).casefold()


def normalise_query(query: str) -> str:
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def apply_search(cases: QuerySet, query: str) -> QuerySet:
    """``cases`` narrowed to those matching every word of ``query`` (unchanged when empty).

    On the full-text path the rows carry ``search_rank`` for sorting by relevance.
    """
    query = normalise_query(query).casefold()
    if not query:
        return cases
    words = query.split()[:MAX_WORDS]
    if uses_full_text() and not _CJK.search(query):
        return _full_text(cases, words)
    for word in words:
        cases = cases.filter(search_text__contains=word)  # both sides are lower-cased
    return cases


def _word_query(word: str):
    from django.contrib.postgres.search import SearchQuery

    if _WORD.fullmatch(word):
        # A plain word is a prefix ("hepato" finds "hepatocellular"); \w+ cannot carry
        # tsquery operators.
        return SearchQuery(f"{word}:*", config=SEARCH_CONFIG, search_type="raw")
    # Hyphens, dots, signs: parsed by PostgreSQL as in the document ("LR-1" → 'lr' <-> '-1').
    return SearchQuery(word, config=SEARCH_CONFIG, search_type="phrase")


def _full_text(cases: QuerySet, words: list[str]) -> QuerySet:
    from django.contrib.postgres.search import SearchRank, SearchVector

    tsquery = _word_query(words[0])
    for word in words[1:]:
        tsquery &= _word_query(word)
    vector = SearchVector("search_text", config=SEARCH_CONFIG)
    return cases.annotate(search_vector=vector, search_rank=SearchRank(vector, tsquery)).filter(
        search_vector=tsquery
    )


def is_ranked(cases: QuerySet) -> bool:
    return "search_rank" in cases.query.annotations


def search_index():
    """The GIN index over the same expression the queries use (PostgreSQL only)."""
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("search_text", config=SEARCH_CONFIG), name="cases_case_search_gin")
