"""The sessions list, scheduling, editing and cancelling, a consultation's session and the
attendance export. Thin: the forms check shapes, ``live.services.scheduling`` the rules.

A session the reader may neither join nor manage nor read the attendance of is a 404, like
one that does not exist; one they see but may not change is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from consults.forms import add_service_errors
from consults.selectors import visible_consults
from live import rights, services
from live.forms import SessionForm
from live.models import LiveSession
from live.selectors import attendance_csv
from live.selectors.sessions import sessions_page, visible_session


def _session_or_404(request: HttpRequest, pk: int) -> LiveSession:
    session = visible_session(request.user, pk)
    if session is None:
        raise Http404
    return session


@login_required
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    page = sessions_page(request.user)
    context = {"page": page, "may_schedule": rights.may_host(request.user), "now": timezone.now()}
    return render(request, "live/list.html", context)


def _save(form: SessionForm, by, session: LiveSession | None) -> LiveSession:
    fields = form.service_fields()
    with transaction.atomic():
        if session is None:
            return services.session_create(by=by, agenda=form.agenda_items(), **fields)
        session = services.session_update(session=session, by=by, **fields)
        if "agenda" in form.changed_data:
            services.agenda_set(session=session, by=by, items=form.agenda_items())
        return session


def _form_page(request: HttpRequest, session: LiveSession | None) -> HttpResponse:
    """The scheduling form, new (``session`` None) or of ``session``; saved on a valid POST."""
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(form, request.user, session)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = _("The session is saved.") if session else _("The session is scheduled.")
            messages.success(request, done)
            return redirect("live:session", pk=saved.pk)
    context = {"form": form, "session": session}
    return render(request, "live/schedule_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest) -> HttpResponse:
    if not rights.may_host(request.user):
        raise PermissionDenied
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    if not rights.may_manage(request.user, session):
        raise PermissionDenied
    if not session.is_open:
        messages.error(request, _("This session is over: it can no longer change."))
        return redirect("live:session", pk=session.pk)
    return _form_page(request, session)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    try:
        services.session_cancel(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The session is cancelled."))
    return redirect("live:list")


@login_required
@require_POST
def for_consult(request: HttpRequest, pk: int) -> HttpResponse:
    """A consultation's expert opens a session on its loops, then adjusts it on the form."""
    consult = get_object_or_404(visible_consults(request.user), pk=pk)
    try:
        session = services.session_for_consult(consult=consult, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("consults:detail", pk=consult.pk)
    messages.success(request, _("A live session on this consultation is scheduled: adjust it."))
    return redirect("live:edit", pk=session.pk)


@login_required
@require_safe
def attendance_export(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    if not (rights.may_read_attendance(request.user, session) or request.user.is_director):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="live-session-{session.pk}.csv"'
    # A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    response.write(attendance_csv(session, request.user))
    return response
