"""iCalendar: one session's file, the personal feed at its secret address (no sign-in: a
calendar program fetches it), and the page that shows, replaces or removes that address."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.mail import absolute_url
from live.models import CalendarFeed
from live.selectors.calendar import calendar_ics, feed_sessions
from live.services import calendar as feeds
from live.views.schedule import _session_or_404

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_safe
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    body = calendar_ics([session], language=get_language(), name=session.title)
    return _ics(body, f"live-session-{session.pk}.ics")


@never_cache
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    user = feeds.feed_owner(token)
    if user is None:
        raise Http404
    language = user.preferred_language or get_language()
    body = calendar_ics(feed_sessions(user), language=language, name=_("Live sessions"))
    return _ics(body, "live-sessions.ics")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    """The feed's address (made on the first visit); POST ``replace`` or ``remove``."""
    if request.method == "POST":
        if request.POST.get("do") == "remove":
            feeds.feed_token_remove(user=request.user)
            messages.success(request, _("Your calendar address is removed: it reads nothing now."))
        else:
            feeds.feed_token_replace(user=request.user)
            messages.success(request, _("Your calendar has a new address: the old one is dead."))
        return redirect("live:calendar")
    token = CalendarFeed.objects.filter(user=request.user).values_list("token", flat=True).first()
    url = absolute_url("live:feed", token=token) if token else ""
    webcal = url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1)
    context = {"feed_url": url, "webcal_url": webcal, "list_url": reverse("live:list")}
    return render(request, "live/calendar.html", context)
