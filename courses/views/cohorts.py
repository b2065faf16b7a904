"""Pages for programme directors: cohorts of their institution and the cohort's progress."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from courses import selectors, services
from courses.forms import CohortForm, CohortMembershipForm
from courses.models import Cohort


def director_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_director or request.user.is_site_admin):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _managed_cohort(request: HttpRequest, pk: int) -> Cohort:
    cohorts = Cohort.objects.manageable_by(request.user).select_related("institution")
    return get_object_or_404(cohorts, pk=pk)


@director_required
def cohorts(request: HttpRequest) -> HttpResponse:
    context = {"cohorts": selectors.cohorts_for(request.user)}
    return render(request, "courses/cohorts/list.html", context)


@director_required
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cohort created. Now add members and courses."))
            return redirect(cohort)
    return render(request, "courses/cohorts/form.html", {"form": form})


@director_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Members and courses of the cohort (a form), the enrol button and the progress table."""
    cohort = _managed_cohort(request, pk)
    form = CohortMembershipForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Cohort saved."))
            return redirect(cohort)
    context = {"cohort": cohort, "form": form, "table": selectors.cohort_progress(cohort)}
    return render(request, "courses/cohorts/detail.html", context)


@director_required
@require_POST
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _managed_cohort(request, pk)
    created = services.assign_cohort(cohort=cohort, by=request.user)
    messages.success(
        request,
        ngettext("%(count)d new enrolment.", "%(count)d new enrolments.", created)
        % {"count": created},
    )
    return redirect(cohort)
