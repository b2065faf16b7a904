"""Who may do what with one consultation: predicates over the ``core.scoping`` consult rules
(the only copy of who reads a consult, who is its requesting side, who answers it).

Sides: the *requesting side* is every member of the requesting institution; the *experts*
are the target centre's instructors; the centre's directors read (for their reports) but do
not answer. Site admins read everything and act on nothing clinical. ``actions`` tells a page
which buttons to show; the services check the same predicates again.
"""

from __future__ import annotations

from dataclasses import dataclass

from consults.models import ANSWERED_STATUSES, TRANSITIONS, Consultation, ConsultStatus
from core.scoping import (
    consult_centre_rule,
    consult_expert_rule,
    consult_requester_rule,
    consult_rule,
)

# No more messages, drawings or second opinions once a consult is over.
FINAL_STATUSES = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)


def may_see(user, consult: Consultation) -> bool:
    return consult_rule(user).holds(consult)


def is_requesting_side(user, consult: Consultation) -> bool:
    """A member of the requesting institution: the only readers of the local reference."""
    return consult_requester_rule(user).holds(consult)


def is_expert(user, consult: Consultation) -> bool:
    """An instructor of the centre the consult was sent to."""
    return consult_expert_rule(user).holds(consult)


def is_centre_staff(user, consult: Consultation) -> bool:
    """An instructor or director of the target centre."""
    return consult_centre_rule(user).holds(consult)


def manages_request(user, consult: Consultation) -> bool:
    """The requester, or an instructor or director of the requesting institution: who may
    withdraw or close the request."""
    if not is_requesting_side(user, consult):
        return False
    return user.pk == consult.requester_id or user.is_instructor or user.is_director


def is_claimer(user, consult: Consultation) -> bool:
    return bool(consult.claimed_by_id) and user.pk == consult.claimed_by_id


def may_post(user, consult: Consultation) -> bool:
    """The two sides talk in the thread while the consult is not over."""
    parties = is_requesting_side(user, consult) or is_centre_staff(user, consult)
    return parties and consult.status not in FINAL_STATUSES


def may_make_teaching_case(user, consult: Consultation) -> bool:
    """An expert of the centre, or an instructor of the requesting institution (both author
    cases), once the consult is answered and the patient's consent recorded."""
    authors = is_expert(user, consult) or (is_requesting_side(user, consult) and user.is_instructor)
    return (
        authors
        and consult.status in ANSWERED_STATUSES
        and consult.has_teaching_consent
        and consult.teaching_case_id is None
    )


@dataclass(frozen=True)
class Actions:
    """What ``user`` may do now with a consult (the buttons of its page)."""

    claim: bool
    release: bool
    answer: bool
    draw: bool
    decline: bool
    ask_second_opinion: bool
    give_second_opinion: bool
    withdraw: bool
    close: bool
    record_consent: bool
    make_teaching_case: bool
    post_message: bool
    read_local_reference: bool


def actions(user, consult: Consultation) -> Actions:
    status = consult.status
    expert = is_expert(user, consult)
    claimer = is_claimer(user, consult) and status == ConsultStatus.CLAIMED
    requesting = is_requesting_side(user, consult)
    return Actions(
        claim=expert and status == ConsultStatus.SUBMITTED,
        release=claimer,
        answer=claimer,
        draw=claimer,
        decline=expert and (status == ConsultStatus.SUBMITTED or claimer),
        ask_second_opinion=claimer,
        give_second_opinion=(
            expert
            and user.pk == consult.second_expert_id
            and status in (ConsultStatus.CLAIMED, ConsultStatus.ANSWERED)
        ),
        withdraw=manages_request(user, consult) and ConsultStatus.WITHDRAWN in TRANSITIONS[status],
        close=(manages_request(user, consult) or is_claimer(user, consult))
        and status == ConsultStatus.ANSWERED,
        record_consent=requesting
        and not consult.has_teaching_consent
        and status not in (ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED),
        make_teaching_case=may_make_teaching_case(user, consult),
        post_message=may_post(user, consult),
        read_local_reference=requesting,
    )


# --- The pages: who reaches which list (the menu shows the same) ----------------------------


def may_ask(user) -> bool:
    """Any member of an institution asks an expert centre, and has an inbox."""
    return bool(getattr(user, "is_authenticated", False) and user.institution_id)


def may_see_queue(user) -> bool:
    """The instructors and directors of an expert centre (and site admins: every centre's)."""
    from accounts.models import Institution

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_site_admin:
        return True
    return (
        (user.is_instructor or user.is_director)
        and user.institution_id is not None
        and user.institution.level == Institution.Level.EXPERT_CENTRE
    )


def may_read_report(user) -> bool:
    """Programme directors (over the consults they may read) and site admins."""
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_director or user.is_site_admin)
    )
