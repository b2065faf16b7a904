"""What live sessions plug into other apps (registered in ``LiveConfig.ready``): the
cine-loop visibility rule and the dashboard's block of upcoming sessions."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string

# Sessions the dashboard block shows.
DASHBOARD_SESSIONS = 3


def loops_on_joinable_agendas(user) -> Q:
    """Loops on the agenda of a session ``user`` may join (not cancelled) — a single loop
    item, or the loops of a case item (cineloops adds: only ready ones). What may go on an
    agenda is checked when it is set (``live.services.scheduling.agenda_set``)."""
    from cases.models import CaseLoop
    from live.models import AgendaItem, LiveSession, SessionStatus

    # Ended sessions too: their replay shows the loops again.
    sessions = LiveSession.objects.for_audience(user).exclude(status=SessionStatus.CANCELLED)
    items = AgendaItem.objects.filter(session__in=sessions.values("pk"))
    cases = items.filter(case__isnull=False).values("case_id")
    return Q(pk__in=items.filter(loop__isnull=False).values("loop_id")) | Q(
        pk__in=CaseLoop.objects.filter(case_id__in=cases).values("loop_id")
    )


def upcoming_block(request: HttpRequest) -> str:
    """The next sessions of the user's audience, soonest first, "Join" on a running one
    (times in the user's zone: the middleware activated it); nothing when there are none."""
    from live.selectors import upcoming_for, with_people

    sessions = list(with_people(upcoming_for(request.user))[:DASHBOARD_SESSIONS])
    if not sessions:
        return ""
    return render_to_string("live/_dashboard.html", {"sessions": sessions}, request=request)
