"""Agreement arithmetic between the requester's categories and the experts': pure functions,
then the selectors that feed them (declined and withdrawn consults left out)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consults import services
from consults.selectors import my_agreement, reading_pairs
from consults.selectors.agreement import (
    ReadingPair,
    agreement,
    agreement_report,
    cohen_kappa,
)
from consults.selectors.comparison import compare
from consults.selectors.reports import Timing, percentile, turnaround
from tests.consults.factories import ANSWER, answered, network, submit

MARCH = datetime(2025, 3, 10, tzinfo=UTC)
APRIL = datetime(2025, 4, 2, tzinfo=UTC)


def pair(mine: str, theirs: str, organ: str = "liver", at: datetime = MARCH) -> ReadingPair:
    return ReadingPair(organ, mine, theirs, at)


def test_no_answered_consult_gives_empty_figures_not_a_division_by_zero():
    report = agreement_report([], kappa_min_pairs=1)
    assert (report.overall.pairs, report.overall.agreed) == (0, 0)
    assert report.overall.percent is None and report.overall.kappa is None
    assert report.by_organ == {} and report.by_category == {} and report.by_period == []
    assert cohen_kappa([]) is None


def test_percent_agreement_and_counts():
    pairs = [
        pair("LR-5", "LR-5"),
        pair("LR-4", "LR-5"),
        pair("lr-3", "LR-3 "),
        pair("LR-M", "LR-5"),
    ]
    result = agreement(pairs, kappa_min_pairs=100)
    assert (result.pairs, result.agreed, result.percent) == (4, 2, 50.0)
    assert result.kappa is None  # too few pairs for kappa


def test_cohens_kappa_against_a_worked_example():
    # 2x2 table: both yes 20, first yes/second no 5, first no/second yes 10, both no 15 (n=50).
    # po = 35/50 = 0.7; pe = (25*30 + 25*20)/2500 = 0.5; kappa = 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a")] * 5 + [("b", "b")] * 5) == pytest.approx(1.0)


def test_kappa_is_undefined_when_everyone_said_one_category():
    assert cohen_kappa([("LR-5", "LR-5")] * 12) is None
    report = agreement_report([pair("LR-5", "LR-5")] * 12, kappa_min_pairs=10)
    assert report.overall.percent == 100.0 and report.overall.kappa is None


def test_kappa_only_from_the_minimum_count():
    pairs = [pair("LR-5", "LR-5")] * 5 + [pair("LR-4", "LR-4")] * 4 + [pair("LR-4", "LR-5")]
    assert agreement(pairs, kappa_min_pairs=11).kappa is None
    assert agreement(pairs, kappa_min_pairs=10).kappa == pytest.approx(
        cohen_kappa([(p.requester_category, p.expert_category) for p in pairs])
    )


def test_per_organ_per_category_and_over_time():
    pairs = [
        pair("LR-5", "LR-5", at=MARCH),
        pair("LR-4", "LR-5", at=MARCH),
        pair("LR-5", "LR-5", at=APRIL),
        pair("TR4", "TR5", organ="thyroid", at=APRIL),
        pair("", "LR-3"),  # no category given by the requester: counted apart
    ]
    report = agreement_report(pairs, kappa_min_pairs=100)
    assert report.without_category == 1
    assert {k: (v.pairs, v.agreed) for k, v in report.by_organ.items()} == {
        "liver": (3, 2),
        "thyroid": (1, 0),
    }
    assert {k: (v.pairs, v.agreed) for k, v in report.by_category.items()} == {
        "LR-5": (3, 2),
        "TR5": (1, 0),
    }
    assert [(period, a.pairs, a.agreed) for period, a in report.by_period] == [
        ("2025-03", 2, 1),
        ("2025-04", 2, 1),
    ]
    assert all(a.kappa is None for a in report.by_category.values())


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([4.0], 90) == 4.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == pytest.approx(9.1)


def test_turnaround_per_centre_and_urgency():
    t0 = MARCH
    hour = 3600

    def at(hours: float) -> datetime:
        return datetime.fromtimestamp(t0.timestamp() + hours * hour, UTC)

    rows = turnaround(
        [
            Timing("B", "urgent", t0, at(1), at(3)),
            Timing("B", "urgent", t0, at(3), None),  # claimed, not answered yet
            Timing("B", "routine", t0, None, None),
        ]
    )
    assert [(r.centre, r.urgency, r.count) for r in rows] == [
        ("B", "routine", 1),
        ("B", "urgent", 2),
    ]
    routine, urgent = rows
    assert routine.claim_median_h is None and routine.answer_p90_h is None
    assert urgent.claim_median_h == pytest.approx(2.0)
    assert urgent.answer_median_h == pytest.approx(3.0)


@pytest.mark.django_db
def test_the_selector_leaves_out_declined_and_withdrawn_consults():
    net = network()
    agreed = answered(net)
    differing = answered(net, reading={"category": "LR-3", "impression": "Unsure."})
    declined = submit(net)
    services.consult_decline(consult=declined, by=net["expert"], reason="Not diagnostic.")
    withdrawn = submit(net)
    services.consult_withdraw(consult=withdrawn, by=net["county_trainee"])
    # Another requester's answered consult is not this trainee's learning curve.
    answered(net, by="county_instructor")

    pairs = reading_pairs(agreed.__class__.objects.filter(requester=net["county_trainee"]))
    assert sorted((p.requester_category, p.expert_category) for p in pairs) == [
        ("LR-3", "LR-5"),
        ("LR-4", "LR-5"),
    ]
    report = my_agreement(net["county_trainee"])
    assert (report.overall.pairs, report.overall.agreed) == (2, 0)
    assert differing.answer.category == ANSWER["category"]


@pytest.mark.django_db
def test_my_agreement_with_nothing_answered_is_empty():
    net = network()
    submit(net)
    report = my_agreement(net["county_trainee"])
    assert report.overall.pairs == 0 and report.overall.percent is None


@pytest.mark.django_db
def test_the_comparison_marks_each_difference():
    net = network()
    consult = answered(net)
    rows = {row.field: row for row in compare(consult.reading, consult.answer)}
    assert rows["category"].agrees is False
    assert (rows["category"].requester, rows["category"].expert) == ("LR-4", "LR-5")
    assert rows["arterial_pattern"].agrees is True
    assert rows["washout_onset_s"].agrees is True  # 75 s and 80 s: within the tolerance
    assert next(iter(rows)) == "arterial_enhancement"
