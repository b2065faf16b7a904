"""Logbook pages: a trainee's logbook, entry form, entry and correction; the supervisor's sign-off
queue and review form. Entries are fetched through ``entries_visible_to``: another
institution's entry is a 404. ``certification.services.logbook`` does the writing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from cases.models import Organ
from certification import selectors
from certification.forms.logbook import LogbookEntryForm, ReviewForm
from certification.models import EntryStatus, ExamType, LogbookEntry
from certification.services import logbook as services
from cineloops.uploads import install_upload_handler, too_large_message, upload_refused
from core.api import parse_id


@login_required
@require_safe
def logbook(request: HttpRequest) -> HttpResponse:
    entries = selectors.own_logbook(request.user)
    return render(
        request,
        "certification/logbook.html",
        {"entries": entries, "counts": services.counts_by_exam_type(entries)},
    )


def _entry_for(request: HttpRequest, pk: int) -> LogbookEntry:
    return get_object_or_404(services.entries_visible_to(request.user), pk=pk)


def _loops_shown(request: HttpRequest, entry: LogbookEntry) -> list[dict[str, object]]:
    """Each attached loop with its poster when the viewer may see it (a loop still processing
    or in review shows only its status to a trainee)."""
    loops = list(entry.loops.all())
    visible = selectors.visible_loop_ids(request.user, loops)
    return [
        {
            "loop": loop,
            "poster": loop.media_url("poster") if loop.pk in visible else None,
            "visible": loop.pk in visible,
        }
        for loop in loops
    ]


@login_required
@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    return render(request, "certification/logbook_entry.html", _entry_context(request, entry))


def _entry_context(request: HttpRequest, entry: LogbookEntry) -> dict[str, object]:
    return {
        "entry": entry,
        "organ_label": dict(Organ.choices).get(entry.organ, entry.organ),
        "loops": _loops_shown(request, entry),
        "warnings": services.warning_messages(entry.phi_warnings),
        "corrections": selectors.entry_corrections(entry),
        "can_edit": services.can_edit(request.user, entry),
        "can_correct": services.can_correct(request.user, entry),
        "can_review": services.can_review(request.user, entry)
        and entry.status == EntryStatus.PENDING,
    }


# --- The entry form: new, edit (pending) and correction ------------------------------------


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    return _entry_form(request, mode="new")


@csrf_exempt
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.own_entries(request.user), pk=pk)
    return _entry_form(request, mode="edit", entry=entry)


@csrf_exempt
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def entry_correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.own_entries(request.user), pk=pk)
    return _entry_form(request, mode="correct", entry=entry)


def _entry_form(
    request: HttpRequest, *, mode: str, entry: LogbookEntry | None = None
) -> HttpResponse:
    if request.method == "POST":
        install_upload_handler(request)
        return _entry_post(request, mode=mode, entry=entry)
    if mode == "edit" and not services.can_edit(request.user, entry):
        messages.error(request, _("This entry has been signed off and cannot be changed."))
        return redirect("certification:logbook_entry", pk=entry.pk)
    if mode == "correct" and not services.can_correct(request.user, entry):
        messages.error(request, _("This entry cannot be corrected now."))
        return redirect("certification:logbook_entry", pk=entry.pk)
    initial = LogbookEntryForm.initial_from(entry) if entry is not None else {}
    form = LogbookEntryForm(initial=initial, trainee=request.user, entry=entry)
    return _render_form(request, form, mode=mode, entry=entry)


@csrf_protect
def _entry_post(request: HttpRequest, *, mode: str, entry: LogbookEntry | None) -> HttpResponse:
    refused = upload_refused(request)
    if refused:
        messages.error(request, too_large_message(refused))
        return redirect(request.path)
    form = LogbookEntryForm(request.POST, request.FILES, trainee=request.user, entry=entry)
    warnings: list[str] = []
    if form.is_valid():
        kwargs = form.service_kwargs()
        try:
            if mode == "new":
                result = services.entry_create(trainee=request.user, **kwargs)
            elif mode == "edit":
                result = services.entry_update(entry=entry, by=request.user, **kwargs)
            else:
                result = services.entry_correct(entry=entry, by=request.user, **kwargs)
        except services.UnconfirmedIdentifiers as exc:
            warnings = services.warning_messages(exc.warnings)
            form.add_error("confirm_no_identifiers", exc.messages[0])
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("certification:logbook")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Logbook entry saved."))
            for message in result.rejected_uploads:
                messages.error(request, message)
            return redirect("certification:logbook_entry", pk=result.entry.pk)
    return _render_form(request, form, mode=mode, entry=entry, warnings=warnings)


def _render_form(
    request: HttpRequest,
    form: LogbookEntryForm,
    *,
    mode: str,
    entry: LogbookEntry | None,
    warnings: list[str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "certification/logbook_form.html",
        {
            "form": form,
            "mode": mode,
            "entry": entry,
            "warnings": warnings or [],
            "max_uploads": services.MAX_UPLOADS,
        },
    )


# --- Sign-off ------------------------------------------------------------------------------


@login_required
@require_safe
def signoff(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_site_admin or user.is_instructor or user.is_director):
        raise PermissionDenied
    chosen = {
        "trainee": request.GET.get("trainee", ""),
        "exam_type": request.GET.get("exam_type", ""),
    }
    queue = selectors.signoff_queue(
        user,
        trainee=parse_id(chosen["trainee"]),
        exam_type=chosen["exam_type"],
        supervised=bool(request.GET.get("mine")) and user.is_instructor,
    )
    return render(
        request,
        "certification/signoff.html",
        {
            "entries": queue,
            "trainees": selectors.signoff_trainees(user),
            "exam_types": ExamType.choices,
            "chosen": chosen,
            "mine": bool(request.GET.get("mine")),
            "can_review": user.is_site_admin or user.is_instructor,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def signoff_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for(request, pk)
    if not services.can_review(request.user, entry):
        raise PermissionDenied
    if entry.status != EntryStatus.PENDING:
        messages.info(request, _("This entry has already been signed off."))
        return redirect("certification:logbook_entry", pk=entry.pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_review(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Sign-off saved; the trainee will be told."))
            return redirect("certification:signoff")
    context = {**_entry_context(request, entry), "form": form}
    return render(request, "certification/signoff_entry.html", context)
