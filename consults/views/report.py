"""The directors' report: turnaround per centre and urgency, volumes per requesting
institution, the requesters' agreement with the experts — on the page and as CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from consults import rights, selectors
from consults.models import ConsultStatus
from consults.selectors.reports import report_csv_rows
from consults.views.pages import agreement_tables
from quizzes.views.results import csv_safe


def _report(request: HttpRequest) -> selectors.DirectorReport:
    if not rights.may_read_report(request.user):
        raise PermissionDenied
    return selectors.director_report(request.user)


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    figures = _report(request)
    statuses = ConsultStatus.choices
    volumes = [
        (institution, [counts.get(value, 0) for value, _label in statuses], sum(counts.values()))
        for institution, counts in figures.volumes.items()
    ]
    context = {
        "report": figures,
        "statuses": statuses,
        "volumes": volumes,
        "agreement_groups": agreement_tables(figures.agreement),
    }
    return render(request, "consults/report.html", context)


@login_required
@require_safe
def report_csv(request: HttpRequest) -> HttpResponse:
    figures = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="consultations-report.csv"'
    # A byte-order mark so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in report_csv_rows(figures):
        writer.writerow([csv_safe(cell) for cell in row])
    return response
