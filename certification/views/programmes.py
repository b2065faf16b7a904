"""Programme authoring for directors: the programme, its versions, and a draft version's
requirements. ``services.programmes`` does the writing and refuses changes to a published
version; these views only route and show."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification import selectors
from certification.forms.programmes import ProgrammeForm, RequirementForm, VersionPublishForm
from certification.models import Programme, ProgrammeVersion, Requirement
from certification.services import programmes as authoring
from certification.sharing import version_hidden_dependencies, version_next_action
from certification.views.dashboards import director_required
from core.sharing import report_sharing


def _managed(request: HttpRequest, slug: str) -> Programme:
    programmes = selectors.manageable_programmes(request.user).select_related("institution")
    return get_object_or_404(programmes, slug=slug)


def _version(programme: Programme, number: int) -> ProgrammeVersion:
    return get_object_or_404(programme.versions, number=number)


def _version_url(version: ProgrammeVersion) -> str:
    return reverse(
        "certification:version",
        kwargs={"slug": version.programme.slug, "number": version.number},
    )


def _add_errors(form, exc: ValidationError) -> None:
    """Attach a service's errors to the form: per field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@director_required
def programme_create(request: HttpRequest) -> HttpResponse:
    if not authoring.may_create_programme(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            programme = authoring.programme_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Programme created. Now add its requirements."))
            return redirect(_version_url(programme.versions.get()))
    return render(request, "certification/programme_form.html", {"form": form})


@director_required
def programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _managed(request, slug)
    form = ProgrammeForm(request.POST or None, instance=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.programme_update(programme=programme, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("certification:programme_edit", slug=programme.slug)
    context = {
        "programme": programme,
        "form": form,
        "versions": selectors.programme_versions(programme),
        "draft": authoring.draft_version(programme),
    }
    return render(request, "certification/programme_form.html", context)


@director_required
@require_POST
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _managed(request, slug)
    try:
        version = authoring.version_create(programme=programme, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("certification:programme_edit", slug=programme.slug)
    messages.success(
        request, _("Version %(number)s created as a copy.") % {"number": version.number}
    )
    return redirect(_version_url(version))


@director_required
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A version's requirements; a draft also gets the form to add one, and to publish."""
    programme = _managed(request, slug)
    version = _version(programme, number)
    form = None
    if not version.is_frozen:
        form = RequirementForm(request.POST or None, user=request.user, programme=programme)
        if request.method == "POST" and form.is_valid():
            try:
                authoring.requirement_add(version=version, by=request.user, **form.service_fields())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Requirement added."))
                return redirect(_version_url(version))
    context = {
        "programme": programme,
        "version": version,
        "requirements": selectors.version_requirements(version),
        "form": form,
        "publish_form": None if version.is_frozen else VersionPublishForm(instance=version),
        "next_action": version_next_action(
            version,
            user=request.user,
            hidden=version_hidden_dependencies(version, user=request.user),
        ),
    }
    return render(request, "certification/programme_version.html", context)


@director_required
@require_POST
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    programme = _managed(request, slug)
    version = _version(programme, number)
    form = VersionPublishForm(request.POST, instance=ProgrammeVersion(programme=programme))
    if not form.is_valid():
        messages.error(request, _("Check the publication details."))
        return redirect(_version_url(version))
    try:
        authoring.version_publish(
            version=version,
            by=request.user,
            counts_from=form.cleaned_data["counts_from"],
            notes=form.cleaned_data["notes"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(number)s is in force.") % {"number": number})
    return redirect(_version_url(version))


@director_required
@require_POST
def version_share(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The next-action bar's "share those too": what could be shared is, the rest is listed."""
    programme = _managed(request, slug)
    version = _version(programme, number)
    report_sharing(request, authoring.share_version_dependencies(version=version, by=request.user))
    return redirect(_version_url(version))


def _requirement(request: HttpRequest, slug: str, number: int, pk: int) -> Requirement:
    programme = _managed(request, slug)
    return get_object_or_404(
        selectors.version_requirements_to_edit(_version(programme, number)), pk=pk
    )


@director_required
def requirement_edit(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    requirement = _requirement(request, slug, number, pk)
    version = requirement.version
    if version.is_frozen:
        messages.error(request, _("This version is published and cannot change."))
        return redirect(_version_url(version))
    form = RequirementForm(
        request.POST or None,
        instance=requirement,
        user=request.user,
        programme=version.programme,
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.requirement_update(
                requirement=requirement, by=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Requirement saved."))
            return redirect(_version_url(version))
    context = {"programme": version.programme, "version": version, "form": form}
    return render(request, "certification/programme_requirement.html", context)


@director_required
@require_POST
def requirement_delete(request: HttpRequest, slug: str, number: int, pk: int) -> HttpResponse:
    requirement = _requirement(request, slug, number, pk)
    version = requirement.version
    try:
        authoring.requirement_remove(requirement=requirement, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Requirement removed."))
    return redirect(_version_url(version))
