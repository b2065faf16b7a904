"""A reader's own consultations: "my consultations" with each answer beside the reading, their
agreement with the experts, and the menu badge.

``my_consultations`` costs two queries whatever the number of consults (one for the consults
with their reading, answer and places, one for their loops); ``colleagues_requests`` one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, OuterRef, Q, Subquery

from consults import conf
from consults.models import Consultation, ConsultationQuerySet, ConsultSeen, ConsultStatus
from consults.selectors.access import visible_consults, with_details
from consults.selectors.agreement import AgreementReport, ReadingPair, agreement_report
from consults.selectors.comparison import FieldComparison, compare
from core.scoping import consult_expert_rule


@dataclass(frozen=True)
class MyConsultation:
    consult: Consultation  # with its details (``selectors.access.with_details``)
    comparison: list[FieldComparison] | None  # None until answered

    @property
    def category_agrees(self) -> bool | None:
        if self.comparison is None:
            return None
        return next(row.agrees for row in self.comparison if row.field == "category")


def requested_by(user) -> ConsultationQuerySet:
    """The consults ``user`` asked for, newest first."""
    return visible_consults(user).filter(requester_id=getattr(user, "pk", None))


def my_consultations(user) -> list[MyConsultation]:
    """``user``'s requests, newest first, each answer compared with their reading."""
    rows = with_details(requested_by(user)).order_by("-submitted_at", "-pk")
    return [
        MyConsultation(
            consult,
            compare(consult.reading, consult.answer) if _answered(consult) else None,
        )
        for consult in rows
    ]


def _answered(consult: Consultation) -> bool:
    return consult.is_answered and hasattr(consult, "answer") and hasattr(consult, "reading")


# The other requests of one's hospital listed on "my consultations": the latest ones.
COLLEAGUES_SHOWN = 50


def colleagues_requests(user) -> list[Consultation]:
    """The latest requests of ``user``'s institution by its other members (one query): every
    member of the requesting side reads them."""
    return list(
        visible_consults(user)
        .requested_by_side_of(user)
        .exclude(requester_id=getattr(user, "pk", None))
        .select_related("requester", "target")
        .order_by("-submitted_at", "-pk")[:COLLEAGUES_SHOWN]
    )


def reading_pairs(consults: ConsultationQuerySet) -> list[ReadingPair]:
    """The (requester, expert) categories of the answered ``consults``: one query. Declined
    and withdrawn consults have no answer and are left out."""
    rows = consults.answered().values_list(
        "organ", "reading__category", "answer__category", "answered_at"
    )
    return [
        ReadingPair(organ, mine or "", theirs or "", answered_at)
        for organ, mine, theirs, answered_at in rows
        if answered_at is not None
    ]


def answered_consults(
    user_ids: Iterable[int], since: datetime | None
) -> dict[int, list[tuple[datetime, str]]]:
    """Certification's evidence: per user, the (answer time, organ) of each consultation they
    asked that an expert answered — the expert's report beside their own reading — from
    ``since`` on (None: all). One query whatever the number of users."""
    rows = Consultation.objects.answered().filter(
        requester_id__in=list(user_ids), answered_at__isnull=False
    )
    if since is not None:
        rows = rows.filter(answered_at__gte=since)
    found: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for requester_id, answered_at, organ in rows.values_list(
        "requester_id", "answered_at", "organ"
    ):
        found[requester_id].append((answered_at, organ))
    return dict(found)


def my_agreement(user) -> AgreementReport:
    """How ``user``'s readings agree with the experts' answers, over time."""
    return agreement_report(
        reading_pairs(requested_by(user)), kappa_min_pairs=conf.kappa_min_pairs()
    )


def _concerning(user) -> Q:
    """Consults whose news is ``user``'s: their requests, their claims and second opinions,
    and the waiting requests addressed to them (or to their centre, naming nobody)."""
    waiting = (
        Q(status=ConsultStatus.SUBMITTED)
        & consult_expert_rule(user).q()
        & (Q(expert__isnull=True) | Q(expert_id=user.pk))
    )
    return (
        Q(requester_id=user.pk) | Q(claimed_by_id=user.pk) | Q(second_expert_id=user.pk) | waiting
    )


def unseen(user) -> ConsultationQuerySet:
    """The consults concerning ``user`` with activity since they last opened them."""
    if not getattr(user, "is_authenticated", False):
        return Consultation.objects.none()
    seen = ConsultSeen.objects.filter(consult=OuterRef("pk"), user_id=user.pk).values("seen_at")
    return (
        visible_consults(user)
        .filter(_concerning(user))
        .annotate(seen_at=Subquery(seen[:1]))
        .filter(Q(seen_at__isnull=True) | Q(activity_at__gt=F("seen_at")))
    )


def badge_count(user) -> int:
    """The menu badge: consults with news for ``user`` (one query)."""
    return unseen(user).count()
