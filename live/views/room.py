"""A session's page, its room and its replay. Thin: reads in ``live.selectors``, who may do
what in ``live.rights``; outside the audience every page is a 404, as consultations are."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from live import rights
from live.models import LiveSession, SessionStatus
from live.selectors import session_for
from live.selectors.pages import agenda_lines, replay_page, room_page


def _session(request: HttpRequest, pk: int) -> LiveSession:
    session = session_for(request.user, pk)
    if session is None:
        raise Http404
    return session


@login_required
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    context = {
        "session": session,
        "agenda": agenda_lines(session),
        "is_host": rights.is_host(request.user, session),
        "may_manage": rights.may_manage(request.user, session),
    }
    return render(request, "live/session.html", context)


@login_required
@require_safe
def room(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if session.status == SessionStatus.ENDED:
        return redirect("live:replay", pk=session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise Http404
    host = rights.is_host(request.user, session)
    context = {
        "session": session,
        "is_host": host,
        "may_manage": rights.may_manage(request.user, session),
        "data": room_page(session, request.user, host=host),
    }
    return render(request, "live/room.html", context)


@login_required
@require_safe
def replay(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if session.status != SessionStatus.ENDED:
        raise Http404
    context = {"session": session, "data": replay_page(session, request.user)}
    return render(request, "live/replay.html", context)
