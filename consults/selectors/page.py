"""What the consultation page shows, read in one place so that its view stays thin: the
consult with its details, what the reader may do (``consults.rights.actions``), the local
reference (the requesting side only), the requester's reading beside the answer, the thread
with every event, the loops and drawings for the case viewer, and the turnaround target.

A fixed number of queries whatever the consult holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from cases.models import Case
from cases.payload import TICS_URL_TEMPLATE, annotation_dict, loop_entry, marker_dict
from consults import rights
from consults.models import OPEN_STATUSES, Consultation, ConsultEvent, ConsultMessage, EventKind
from consults.selectors.access import events, local_reference_for, thread
from consults.selectors.comparison import FieldComparison, compare, finding_lines
from consults.selectors.queue import targets_for


@dataclass(frozen=True)
class ThreadItem:
    """A message, or an event that is not a message (a state change, consent …)."""

    at: datetime
    message: ConsultMessage | None = None
    event: ConsultEvent | None = None

    @property
    def actor(self) -> User | None:
        return self.message.author if self.message is not None else self.event.actor  # type: ignore[union-attr]


@dataclass(frozen=True)
class ConsultPage:
    consult: Consultation
    actions: rights.Actions
    local_reference: str | None  # None: not the reader's to see
    reading: list[tuple[str, str]]  # (label, value) of the requester's reading
    comparison: list[FieldComparison] | None  # once answered
    thread: list[ThreadItem]
    viewer: dict[str, Any]  # the case viewer's data (``static/js/viewer.js``)
    due_at: datetime | None  # while it waits for the centre
    overdue: bool
    centre_staff: bool
    experts: list[User]  # whom the claimer may ask for a second opinion
    teaching_case: Case | None  # when the reader may open it


def timeline(consult: Consultation) -> list[ThreadItem]:
    """Messages and the other events, oldest first (two queries)."""
    items = [ThreadItem(message.created_at, message=message) for message in thread(consult)]
    items += [
        ThreadItem(event.created_at, event=event)
        for event in events(consult).exclude(kind=EventKind.MESSAGE)
    ]
    # An event and the message of the same moment: the event first (it is what happened).
    return sorted(items, key=lambda item: (item.at, item.message is not None))


def viewer_data(consult: Consultation) -> dict[str, Any]:
    """The consult's loops and the expert's drawings in the case viewer's shape. The injection
    time is on the first loop's timeline, as in a case. Curves are computed on demand (the
    drawings have no stored curve until they become a case's)."""
    annotations = list(consult.annotations.all())
    markers = list(consult.phase_markers.all())
    by_loop: dict[int, dict[str, float]] = {}
    for marker in markers:
        by_loop.setdefault(marker.loop_id, {})[marker.kind] = marker.time_s
    loops = [
        loop_entry(
            link.loop,
            order=index,
            caption="",
            injection_s=consult.injection_time_s if index == 0 else None,
            starts_after_injection_s=None,
            markers=by_loop.get(link.loop_id, {}),
        )
        for index, link in enumerate(consult.consult_loops.all())
    ]
    return {
        "id": consult.pk,
        "injection_time_s": consult.injection_time_s,
        "loops": loops,
        "annotations": [annotation_dict(a) for a in annotations],
        "phase_markers": [marker_dict(m) for m in markers],
        "phase_bands": loops[0]["phase_bands"] if loops else [],
        "tics_url_template": TICS_URL_TEMPLATE,
    }


def _reading_lines(consult: Consultation) -> list[tuple[str, str]]:
    reading = getattr(consult, "reading", None)
    if reading is None:
        return []
    return finding_lines(reading)


def second_opinion_experts(consult: Consultation) -> list[User]:
    """The centre's active instructors but the claimer: whom a second opinion may be asked."""
    experts = User.objects.filter(
        institution_id=consult.target_id, role=User.Role.INSTRUCTOR, is_active=True
    )
    if consult.claimed_by_id is not None:
        experts = experts.exclude(pk=consult.claimed_by_id)
    return list(experts.order_by("last_name", "first_name", "username"))


def consult_page(consult: Consultation, user, *, now: datetime) -> ConsultPage:
    """The page of ``consult`` (from ``selectors.consult_for``) for ``user``."""
    actions = rights.actions(user, consult)
    answered = consult.is_answered and hasattr(consult, "answer") and hasattr(consult, "reading")
    due_at = None
    if consult.status in OPEN_STATUSES:
        hours = targets_for([consult.target_id])[consult.target_id].hours_for(consult.urgency)
        due_at = consult.submitted_at + timedelta(hours=hours)
    teaching_case = None
    if consult.teaching_case_id:
        teaching_case = Case.objects.open_to(user).filter(pk=consult.teaching_case_id).first()
    return ConsultPage(
        consult=consult,
        actions=actions,
        local_reference=local_reference_for(user, consult),
        reading=_reading_lines(consult),
        comparison=compare(consult.reading, consult.answer) if answered else None,
        thread=timeline(consult),
        viewer=viewer_data(consult),
        due_at=due_at,
        overdue=due_at is not None and now > due_at,
        centre_staff=rights.is_centre_staff(user, consult),
        experts=second_opinion_experts(consult) if actions.ask_second_opinion else [],
        teaching_case=teaching_case,
    )
