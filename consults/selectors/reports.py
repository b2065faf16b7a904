"""Figures for programme directors: turnaround per centre and urgency (median and 90th
percentile, in hours, to claim and to answer), volumes per requesting institution, and the
requesters' agreement with the experts — over the consults the director may read.

``turnaround``, ``percentile`` and ``report_csv_rows`` are pure; ``director_report`` reads the
rows in two queries.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min, Q

from consults import conf
from consults.models import ConsultStatus, EventKind
from consults.selectors.access import visible_consults
from consults.selectors.agreement import Agreement, AgreementReport, agreement_report
from consults.selectors.mine import reading_pairs


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0 to 100) by linear interpolation between closest ranks; None
    for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timing:
    """One consult's times: submitted, first claimed, answered (None when not yet)."""

    centre: str
    urgency: str
    submitted_at: datetime
    claimed_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Turnaround:
    centre: str
    urgency: str
    count: int
    claim_median_h: float | None
    claim_p90_h: float | None
    answer_median_h: float | None
    answer_p90_h: float | None


def _hours(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 3600


def turnaround(timings: Sequence[Timing]) -> list[Turnaround]:
    """Per (centre, urgency), sorted: how many, and the median and 90th percentile of the
    hours to the first claim and to the answer (over those that got there)."""
    groups: dict[tuple[str, str], list[Timing]] = defaultdict(list)
    for timing in timings:
        groups[(timing.centre, timing.urgency)].append(timing)
    rows = []
    for (centre, urgency), group in sorted(groups.items()):
        claims = [h for t in group if (h := _hours(t.submitted_at, t.claimed_at)) is not None]
        answers = [h for t in group if (h := _hours(t.submitted_at, t.answered_at)) is not None]
        rows.append(
            Turnaround(
                centre=centre,
                urgency=urgency,
                count=len(group),
                claim_median_h=percentile(claims, 50),
                claim_p90_h=percentile(claims, 90),
                answer_median_h=percentile(answers, 50),
                answer_p90_h=percentile(answers, 90),
            )
        )
    return rows


@dataclass(frozen=True)
class DirectorReport:
    turnaround: list[Turnaround]
    # Requesting institution → {status: count}.
    volumes: dict[str, dict[str, int]] = field(default_factory=dict)
    agreement: AgreementReport | None = None


def director_report(user) -> DirectorReport:
    """The report over the consults ``user`` may read (their centre's, their hospital's; all
    for site admins)."""
    consults = visible_consults(user)
    rows = consults.values_list(
        "target__name",
        "requesting_institution__name",
        "urgency",
        "status",
        "submitted_at",
        "answered_at",
    ).annotate(
        first_claim=Min(
            "events__created_at",
            filter=Q(events__kind=EventKind.STATUS, events__to_status=ConsultStatus.CLAIMED),
        )
    )
    timings: list[Timing] = []
    volumes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for centre, institution, urgency, status, submitted, answered, claimed in rows:
        timings.append(Timing(centre, urgency, submitted, claimed, answered))
        volumes[institution][status] += 1
    return DirectorReport(
        turnaround=turnaround(timings),
        volumes={name: dict(counts) for name, counts in sorted(volumes.items())},
        agreement=agreement_report(reading_pairs(consults), kappa_min_pairs=conf.kappa_min_pairs()),
    )


def _rounded(hours: float | None) -> float | str:
    return "" if hours is None else round(hours, 1)


def _percent(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def report_csv_rows(report: DirectorReport) -> list[list[object]]:
    """The report as CSV rows: three tables one after the other, each with its header.
    Figures only: no consult's text, and never a local reference."""
    statuses = [value for value, _label in ConsultStatus.choices]
    rows: list[list[object]] = [
        [
            "centre",
            "urgency",
            "consultations",
            "hours_to_claim_median",
            "hours_to_claim_p90",
            "hours_to_answer_median",
            "hours_to_answer_p90",
        ]
    ]
    rows += [
        [
            row.centre,
            row.urgency,
            row.count,
            _rounded(row.claim_median_h),
            _rounded(row.claim_p90_h),
            _rounded(row.answer_median_h),
            _rounded(row.answer_p90_h),
        ]
        for row in report.turnaround
    ]
    rows += [[], ["requesting_institution", *statuses, "total"]]
    rows += [
        [name, *[counts.get(status, 0) for status in statuses], sum(counts.values())]
        for name, counts in report.volumes.items()
    ]
    rows += [[], ["agreement", "group", "readings", "agreed", "percent", "kappa"]]
    agreement = report.agreement
    if agreement is not None:
        groups: list[tuple[str, str, Agreement]] = [("overall", "", agreement.overall)]
        groups += [("organ", name, value) for name, value in agreement.by_organ.items()]
        groups += [("category", name, value) for name, value in agreement.by_category.items()]
        groups += [("month", name, value) for name, value in agreement.by_period]
        rows += [
            [
                kind,
                name,
                value.pairs,
                value.agreed,
                _percent(value.percent),
                "" if value.kappa is None else round(value.kappa, 2),
            ]
            for kind, name, value in groups
        ]
    return rows
