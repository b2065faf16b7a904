"""Consultations, by concern: ``consultation`` (the request, its loops, its states, the
centres' turnaround targets), ``records`` (the requester's reading, the expert's answer),
``drawings`` (the expert's shapes on the loops) and ``thread`` (messages, events, last
visits)."""

from consults.models.consultation import (
    ANSWERED_STATUSES,
    OPEN_STATUSES,
    STATUS_TIMESTAMPS,
    TRANSITIONS,
    CentreTurnaround,
    Consultation,
    ConsultationQuerySet,
    ConsultLoop,
    ConsultStatus,
    Urgency,
)
from consults.models.drawings import ConsultAnnotation, ConsultPhaseMarker
from consults.models.records import ExpertAnswer, RequesterReading
from consults.models.thread import ConsultEvent, ConsultMessage, ConsultSeen, EventKind

__all__ = [
    "ANSWERED_STATUSES",
    "OPEN_STATUSES",
    "STATUS_TIMESTAMPS",
    "TRANSITIONS",
    "CentreTurnaround",
    "ConsultAnnotation",
    "ConsultEvent",
    "ConsultLoop",
    "ConsultMessage",
    "ConsultPhaseMarker",
    "ConsultSeen",
    "ConsultStatus",
    "Consultation",
    "ConsultationQuerySet",
    "EventKind",
    "ExpertAnswer",
    "RequesterReading",
    "Urgency",
]
