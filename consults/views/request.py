"""The request form: "Ask an expert centre", with loops from the inbox (``?loop=<id>``, as the
inbox's buttons link) or uploaded, and the requester's own reading."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from cineloops.uploads import install_upload_handler, too_large_message, upload_refused
from consults import conf, rights, services
from consults.forms import ConsultRequestForm, add_service_errors
from consults.services.identifiers import warning_messages
from core.api import parse_id


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    if not rights.may_ask(request.user):
        raise PermissionDenied
    if request.method == "POST":
        install_upload_handler(request)
        return _post(request)
    picked = [pk for pk in map(parse_id, request.GET.getlist("loop")) if pk is not None]
    form = ConsultRequestForm(user=request.user, initial={"loops": picked})
    return _render(request, form)


def _render(
    request: HttpRequest, form: ConsultRequestForm, warnings: list[str] | None = None
) -> HttpResponse:
    context = {"form": form, "warnings": warnings or [], "max_uploads": conf.MAX_UPLOADS}
    return render(
        request, "consults/request_form.html", context, status=400 if form.errors else 200
    )


@csrf_protect
def _post(request: HttpRequest) -> HttpResponse:
    refused = upload_refused(request)
    if refused:
        messages.error(request, too_large_message(refused))
        return redirect(request.path)
    form = ConsultRequestForm(request.POST, request.FILES, user=request.user)
    warnings: list[str] = []
    if form.is_valid():
        try:
            result = services.consult_submit(by=request.user, **form.service_kwargs())
        except services.UnconfirmedIdentifiers as exc:
            warnings = warning_messages(exc.warnings)
            form.add_error("confirm_no_identifiers", exc.messages[0])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent to %(centre)s.") % {"centre": result.consult.target},
            )
            for message in result.rejected_uploads:
                messages.error(request, message)
            return redirect("consults:detail", pk=result.consult.pk)
    return _render(request, form, warnings)
