"""Certification dashboards: the trainee's progress and certificates, a programme's page, the
director's cohort view with its CSV export, and the director's manual issue and revocation.

Directors see only programmes they manage (``selectors.manageable_programmes``, the rule of
``certificates.can_manage``); other roles get 403 on the director's pages.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from certification import selectors
from certification.forms.programmes import CohortFilterForm, IssueForm, RevokeForm
from certification.models import Certificate, Programme
from certification.services.certificates import (
    can_manage,
    certificate_status,
    issue_manually,
    revoke,
)
from certification.services.evaluation import current_version, evaluate
from quizzes.views.results import csv_safe


def director_required(view: Callable) -> Callable:
    """Directors and site admins; trainees and instructors get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_director or request.user.is_site_admin):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _download_links(certificate: Certificate) -> list[tuple[str, str]]:
    """The holder's downloads: the PDF and the Open Badge."""
    return [
        (label, reverse(f"certification:{name}", kwargs={"code": certificate.code}))
        for name, label in (("certificate_pdf", _("PDF")), ("certificate_badge", _("Open Badge")))
    ]


# --- Trainee ---------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    entries = []
    for programme in selectors.published_programmes_for(request.user):
        progress = evaluate(request.user, programme, now=now)
        entries.append(
            {
                "programme": programme,
                "progress": progress,
                "steps": selectors.next_steps(progress),
            }
        )
    certificates = [
        {
            "certificate": cert,
            "status": certificate_status(cert, now=now),
            "downloads": _download_links(cert),
        }
        for cert in selectors.certificates_held(request.user)
    ]
    context = {
        "entries": entries,
        "certificates": certificates,
        "manages": selectors.manages_any_programme(request.user),
    }
    return render(request, "certification/dashboard.html", context)


@login_required
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    programme = get_object_or_404(selectors.programmes_open_to(user), slug=slug)
    version = current_version(programme)
    manager = can_manage(user, programme)
    context = {
        "programme": programme,
        "version": version,
        "requirements": selectors.version_requirements(version) if version else [],
        "progress": evaluate(user, programme) if version and not manager else None,
        "manager": manager,
        "versions": selectors.programme_versions(programme) if manager else [],
    }
    return render(request, "certification/programme_detail.html", context)


# --- Director --------------------------------------------------------------------------------


def _cohort_query(request: HttpRequest):
    """The programme and filters of the director's view; 404 for a programme not managed."""
    programmes = selectors.programmes_to_direct(request.user)
    wanted = request.GET.get("programme")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        programme = get_object_or_404(programmes, pk=wanted)
    else:
        programme = programmes.first()
    if programme is None:
        return None, None, None
    form = CohortFilterForm(
        {**request.GET.dict(), "programme": programme.pk},
        programmes=programmes,
        institutions=selectors.institution_choices(programme, request.user),
        cohorts=selectors.cohort_choices(programme, request.user),
    )
    # An unknown institution or cohort is reported on the form and not applied.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    trainees = selectors.cohort_trainees(
        programme,
        viewer=request.user,
        institution=data.get("institution"),
        cohort=data.get("cohort"),
    )
    return programme, form, trainees


def _csv_url(programme: Programme, form: CohortFilterForm) -> str:
    """The CSV of exactly the rows on the page: the same programme and valid filters."""
    data = getattr(form, "cleaned_data", {})
    query = {"programme": programme.pk}
    query.update({k: data[k].pk for k in ("institution", "cohort") if data.get(k)})
    return f"{reverse('certification:cohort_csv')}?{urlencode(query)}"


@director_required
def director(request: HttpRequest) -> HttpResponse:
    programme, form, trainees = _cohort_query(request)
    if programme is None:
        return render(request, "certification/director.html", {"programme": None})
    now = timezone.now()
    context = {
        "programme": programme,
        "form": form,
        "table": selectors.cohort_table(programme, trainees, now=now),
        "pending": selectors.pending_signoffs(trainees),
        "expiring": selectors.expiring_certificates(programme, now=now),
        "audit": selectors.recent_audit(programme),
        "csv_url": _csv_url(programme, form),
    }
    return render(request, "certification/director.html", context)


@director_required
def cohort_csv(request: HttpRequest) -> HttpResponse:
    programme, _form, trainees = _cohort_query(request)
    if programme is None:
        raise Http404
    table = selectors.cohort_table(programme, trainees)
    name = slugify(programme.slug) or "programme"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-cohort.csv"'
    # A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in selectors.cohort_csv_rows(table):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def _back_to_director(programme: Programme) -> HttpResponse:
    return redirect(f"{reverse('certification:director')}?programme={programme.pk}")


@director_required
def certificate_issue(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(selectors.manageable_programmes(request.user), slug=slug)
    trainees = selectors.cohort_trainees(programme, viewer=request.user)
    form = IssueForm(request.POST or None, trainees=trainees)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = issue_manually(
                user=form.cleaned_data["holder"],
                programme=programme,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(
                request,
                _("Certificate issued to %(name)s.") % {"name": certificate.holder_name},
            )
            return _back_to_director(programme)
    return render(request, "certification/issue.html", {"programme": programme, "form": form})


@director_required
def certificate_revoke(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(selectors.revocable_certificates(request.user), code=code)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Certificate revoked."))
            return _back_to_director(certificate.programme)
    context = {
        "certificate": certificate,
        "status": certificate_status(certificate),
        "form": form,
    }
    return render(request, "certification/revoke.html", context)
