"""The expert centre's queue: waiting and claimed requests, urgent first and then the longest
waiting, each with its centre's turnaround target and whether it is overdue; and below it the
centre's latest answered consults, with news since the reader's last visit marked (where the
experts follow their answers' threads).

Two queries whatever the queue holds: the consults (with the people and places a row shows,
and their number of loops), and the targets of their centres; one for the answered ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from consults import conf
from consults.models import CentreTurnaround, Consultation, ConsultSeen, Urgency
from consults.selectors.access import visible_consults


@dataclass(frozen=True)
class Targets:
    routine_hours: int
    urgent_hours: int

    def hours_for(self, urgency: str) -> int:
        return self.urgent_hours if urgency == Urgency.URGENT else self.routine_hours


def targets_for(centre_ids: Iterable[int]) -> dict[int, Targets]:
    """Each centre's targets (the defaults of ``consults.conf`` where it set none): one
    query."""
    ids = set(centre_ids)
    defaults = conf.default_target_hours()
    found = {
        row.institution_id: Targets(row.routine_hours, row.urgent_hours)
        for row in CentreTurnaround.objects.filter(institution_id__in=ids)
    }
    default = Targets(defaults["routine"], defaults["urgent"])
    return {pk: found.get(pk, default) for pk in ids}


@dataclass(frozen=True)
class QueueItem:
    consult: Consultation  # with requester, institutions, named expert, claimer; ``loop_count``
    waiting: timedelta  # since it was submitted
    target_hours: int
    due_at: datetime
    overdue: bool


def _ordered(consults):
    urgent_first = Case(
        When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return consults.order_by(urgent_first, "submitted_at", "pk")


def centre_queue(user, *, now: datetime | None = None) -> list[QueueItem]:
    """The open requests sent to ``user``'s centre (every centre's, for a site admin), in the
    order to answer them. Empty for anyone not on a centre's staff."""
    now = now or timezone.now()
    consults = visible_consults(user).open()
    if not user.is_site_admin:
        consults = consults.filter(target_id=user.institution_id)
    rows = list(
        _ordered(consults)
        .select_related("requester", "requesting_institution", "target", "expert", "claimed_by")
        .annotate(loop_count=Count("consult_loops"))
    )
    targets = targets_for(row.target_id for row in rows)
    items = []
    for consult in rows:
        hours = targets[consult.target_id].hours_for(consult.urgency)
        due = consult.submitted_at + timedelta(hours=hours)
        items.append(
            QueueItem(
                consult=consult,
                waiting=now - consult.submitted_at,
                target_hours=hours,
                due_at=due,
                overdue=now > due,
            )
        )
    return items


# The centre's answered consults listed under its queue: the latest ones.
ANSWERED_SHOWN = 50


def centre_answered(user) -> list[Consultation]:
    """The latest answered (or closed) consults of ``user``'s centre (every centre's, for a
    site admin), newest answer first, each with ``has_news``: activity since the reader last
    opened it (a message in its thread). One query."""
    consults = visible_consults(user).answered()
    if not user.is_site_admin:
        consults = consults.filter(target_id=user.institution_id)
    seen = ConsultSeen.objects.filter(consult=OuterRef("pk"), user_id=user.pk).values("seen_at")
    return list(
        consults.select_related("requester", "requesting_institution", "target", "claimed_by")
        .annotate(seen_at=Subquery(seen[:1]))
        .annotate(
            has_news=ExpressionWrapper(
                Q(seen_at__isnull=True) | Q(activity_at__gt=F("seen_at")),
                output_field=BooleanField(),
            )
        )
        .order_by("-answered_at", "-pk")[:ANSWERED_SHOWN]
    )
