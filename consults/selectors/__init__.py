"""Reads of consultations, by concern — ``access`` (who sees which, one with its details, the
local reference), ``inbox``, ``queue`` (the centre's), ``mine`` (a requester's consults,
agreement, the badge), ``comparison`` and ``agreement`` (pure), ``reports`` (directors)."""

from consults.selectors.access import (
    consult_for,
    drawings,
    events,
    local_reference_for,
    thread,
    visible_consults,
    with_details,
)
from consults.selectors.agreement import Agreement, AgreementReport, ReadingPair, agreement_report
from consults.selectors.comparison import FieldComparison, compare
from consults.selectors.inbox import inbox_loops, selectable_loops
from consults.selectors.mine import (
    MyConsultation,
    answered_consults,
    badge_count,
    colleagues_requests,
    my_agreement,
    my_consultations,
    reading_pairs,
    requested_by,
    unseen,
)
from consults.selectors.queue import (
    QueueItem,
    Targets,
    centre_answered,
    centre_queue,
    targets_for,
)
from consults.selectors.reports import DirectorReport, director_report

__all__ = [
    "Agreement",
    "AgreementReport",
    "DirectorReport",
    "FieldComparison",
    "MyConsultation",
    "QueueItem",
    "ReadingPair",
    "Targets",
    "agreement_report",
    "answered_consults",
    "badge_count",
    "centre_answered",
    "centre_queue",
    "colleagues_requests",
    "compare",
    "consult_for",
    "director_report",
    "drawings",
    "events",
    "inbox_loops",
    "local_reference_for",
    "my_agreement",
    "my_consultations",
    "reading_pairs",
    "requested_by",
    "selectable_loops",
    "targets_for",
    "thread",
    "unseen",
    "visible_consults",
    "with_details",
]
