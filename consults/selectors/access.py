"""Reading consultations: which ones a user sees, one with what its page shows, and the
local reference — the requesting institution's alone.

Every read of consults goes through ``visible_consults`` (the ``core.scoping`` consult rule
in SQL): another hospital's consult does not exist for the user (a 404, not a 403).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from consults import rights
from consults.models import Consultation, ConsultationQuerySet, ConsultLoop, ConsultMessage

# The people and places a consult's page and payload name.
RELATED = (
    "requester",
    "requesting_institution",
    "target",
    "expert",
    "claimed_by",
    "second_expert",
    "teaching_consent_by",
    "reading",
    "answer",
    "answer__answered_by",
)


def visible_consults(user) -> ConsultationQuerySet:
    """The consults ``user`` may read (none for another hospital, all for site admins)."""
    return Consultation.objects.for_user(user)


def with_details(consults: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """``consults`` with everything a payload or page reads, in a fixed number of queries:
    people, institutions, reading, answer, loops in order."""
    return consults.select_related(*RELATED).prefetch_related(
        Prefetch(
            "consult_loops",
            queryset=ConsultLoop.objects.select_related("loop").order_by("order", "pk"),
        )
    )


def consult_for(user, pk: int) -> Consultation | None:
    """One consult with its details, or None when ``user`` may not read it."""
    return with_details(visible_consults(user)).filter(pk=pk).first()


def local_reference_for(user, consult: Consultation) -> str | None:
    """The local reference for the requesting side; None for everyone else (the centre, site
    admins): pages, payloads and exports show it only through this function."""
    return consult.local_reference if rights.is_requesting_side(user, consult) else None


def thread(consult: Consultation) -> QuerySet[ConsultMessage]:
    """The consult's messages, oldest first, with their authors."""
    return consult.messages.select_related("author", "author__institution").order_by(
        "created_at", "pk"
    )


def events(consult: Consultation):
    """Everything that happened to the consult, oldest first, with who did it."""
    return consult.events.select_related("actor").order_by("created_at", "pk")


def drawings(consult: Consultation) -> tuple[list, list]:
    """The expert's annotations and phase markers on the consult's loops."""
    return list(consult.annotations.all()), list(consult.phase_markers.all())
