"""Reader agreement: how often a requester's category matched the expert's (DOMAIN.md §8) —
percent agreement with the number of readings, and Cohen's kappa when the counts allow.

Pure functions over ``ReadingPair`` values (``consults.selectors.mine.reading_pairs`` makes
them from answered consults; declined and withdrawn ones have no answer and never appear).
A pair where either side gave no category is counted apart (``without_category``) and
compared nowhere. No pair: every figure is None, never a division by zero.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from consults.selectors.comparison import normalise_category


@dataclass(frozen=True)
class ReadingPair:
    organ: str
    requester_category: str
    expert_category: str
    answered_at: datetime

    @property
    def comparable(self) -> bool:
        return bool(
            normalise_category(self.requester_category) and normalise_category(self.expert_category)
        )

    @property
    def agrees(self) -> bool:
        return normalise_category(self.requester_category) == normalise_category(
            self.expert_category
        )


@dataclass(frozen=True)
class Agreement:
    pairs: int  # readings with a category on both sides
    agreed: int
    percent: float | None  # None without pairs
    kappa: float | None  # None below the minimum count, or where it is undefined


@dataclass(frozen=True)
class AgreementReport:
    overall: Agreement
    by_organ: dict[str, Agreement] = field(default_factory=dict)
    # Keyed by the expert's category (the reference), as normalised.
    by_category: dict[str, Agreement] = field(default_factory=dict)
    # (period, agreement), oldest first: the reader's learning curve.
    by_period: list[tuple[str, Agreement]] = field(default_factory=list)
    without_category: int = 0


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (first reader, second reader) categories: (po - pe) / (1 - pe).
    None without pairs, or when chance agreement is total (both always said the same one
    category: kappa is undefined there)."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(first == second for first, second in pairs) / n
    firsts = Counter(first for first, _ in pairs)
    seconds = Counter(second for _, second in pairs)
    expected = sum(firsts[c] * seconds[c] for c in firsts.keys() | seconds.keys()) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(pairs: Sequence[ReadingPair], *, kappa_min_pairs: int | None) -> Agreement:
    """Agreement over the comparable ``pairs`` (the others are ignored); kappa from
    ``kappa_min_pairs`` pairs on (never when None)."""
    comparable = [p for p in pairs if p.comparable]
    n = len(comparable)
    agreed = sum(p.agrees for p in comparable)
    kappa = None
    if n and kappa_min_pairs is not None and n >= kappa_min_pairs:
        kappa = cohen_kappa(
            (normalise_category(p.requester_category), normalise_category(p.expert_category))
            for p in comparable
        )
    return Agreement(pairs=n, agreed=agreed, percent=100.0 * agreed / n if n else None, kappa=kappa)


def month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def agreement_report(
    pairs: Sequence[ReadingPair],
    *,
    kappa_min_pairs: int,
    period: Callable[[datetime], str] = month,
) -> AgreementReport:
    """Overall, per organ, per (expert's) category and per period (``period`` names the
    bucket of an answer's time; by month unless told)."""
    comparable = [p for p in pairs if p.comparable]
    organs: dict[str, list[ReadingPair]] = defaultdict(list)
    categories: dict[str, list[ReadingPair]] = defaultdict(list)
    periods: dict[str, list[ReadingPair]] = defaultdict(list)
    for pair in comparable:
        organs[pair.organ].append(pair)
        categories[normalise_category(pair.expert_category)].append(pair)
        periods[period(pair.answered_at)].append(pair)

    def of(group: Sequence[ReadingPair], *, kappa: bool = True) -> Agreement:
        return agreement(group, kappa_min_pairs=kappa_min_pairs if kappa else None)

    return AgreementReport(
        overall=of(comparable),
        by_organ={organ: of(group) for organ, group in sorted(organs.items())},
        # Within one expert category kappa says nothing (the reference never varies).
        by_category={name: of(group, kappa=False) for name, group in sorted(categories.items())},
        by_period=[(name, of(periods[name])) for name in sorted(periods)],
        without_category=len(pairs) - len(comparable),
    )
