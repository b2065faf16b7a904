"""What consultations plug into other apps (registered in ``ConsultsConfig.ready``): the
cine-loop visibility rules."""

from __future__ import annotations

from django.db.models import Q


def loops_in_visible_consults(user) -> Q:
    """Loops of a consultation ``user`` may read: the centre's experts see the requesting
    hospital's loops through it (cineloops adds: only ready ones)."""
    from consults.models import Consultation, ConsultLoop

    consults = Consultation.objects.for_user(user).values("pk")
    return Q(pk__in=ConsultLoop.objects.filter(consult__in=consults).values("loop_id"))


def loops_in_inbox(user) -> Q:
    """Loops in ``user``'s inbox (``consults.selectors.inbox``)."""
    from consults.selectors.inbox import inbox_q

    return inbox_q(user)
