"""Instructor pages for cine loops, and the one view that serves their de-identified files.

Loops are fetched through ``for_user`` / ``editable_by``: another institution's loop is a 404,
including its files. The original upload has no URL at all.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.decorators import author_required
from accounts.models import Institution
from accounts.selectors import all_institutions, institution_by_id
from cineloops import resumable, review, services, storage
from cineloops.media import serve_file
from cineloops.messages import region_rows
from cineloops.models import RENDITION_KINDS, CineLoop
from cineloops.selectors import loops_to_edit, thumbnail_strip
from cineloops.uploads import install_upload_handler, too_large_message, upload_refused

PAGE_SIZE = 50
CONTENT_TYPES = {
    "video": "video/mp4",
    **dict.fromkeys(RENDITION_KINDS, "video/mp4"),
    "poster": "image/jpeg",
    "thumbnails": "image/jpeg",
    "dicom": "application/dicom",
    "intensity": "application/octet-stream",
    "metadata": "application/json",
}
DOWNLOAD_NAMES = {"dicom": "loop-{pk}.dcm", "intensity": "loop-{pk}-intensity.npy"}


@author_required
@require_safe
def loop_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(loops_to_edit(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cineloops/list.html", {"page": page, "loops": page.object_list})


def _upload_context(request: HttpRequest) -> dict:
    return {
        "part_bytes": resumable.BROWSER_PART_BYTES,
        "partial_upload_hours": settings.CINE_PARTIAL_UPLOAD_HOURS,
        "max_upload_bytes": settings.CINE_MAX_UPLOAD_BYTES,
        "too_large_message": too_large_message(settings.CINE_MAX_UPLOAD_BYTES),
        "institutions": all_institutions() if request.user.is_site_admin else None,
    }


@csrf_exempt  # the upload handler must be in place before the CSRF check reads the body
@author_required
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        install_upload_handler(request)
        return _upload_post(request)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "cineloops/upload.html", _upload_context(request))


@csrf_protect
def _upload_post(request: HttpRequest) -> HttpResponse:
    """Without JavaScript: a plain form post of several files; the result as messages."""
    files = request.FILES.getlist("file")
    refused = upload_refused(request)
    if refused:
        messages.error(request, too_large_message(refused))
        return redirect("cineloops:upload")
    if not files:
        messages.error(request, _("Choose at least one file."))
        return redirect("cineloops:upload")
    institution = _chosen_institution(request, request.POST.get("institution"))
    try:
        batch = services.loops_create_from_files(
            files=files, by=request.user, institution=institution
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cineloops:upload")
    if batch.accepted:
        messages.success(
            request, _("%(count)s loops are being processed.") % {"count": len(batch.accepted)}
        )
    for item in batch.rejected:
        messages.error(request, rejection_text(item))
    return redirect("cineloops:list")


def rejection_text(item: services.Rejected) -> str:
    if item.entry is None:
        where = _("File %(file)s") % {"file": item.file + 1}
    else:
        where = _("File %(file)s, ZIP entry %(entry)s") % {
            "file": item.file + 1,
            "entry": item.entry,
        }
    return f"{where}: {item.message}"


def _chosen_institution(request: HttpRequest, value: str | None) -> Institution | None:
    if not value or not request.user.is_site_admin:
        return None
    return institution_by_id(value)


@login_required
@require_safe
def loop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(CineLoop.objects.for_user(request.user), pk=pk)
    can_edit = loop.is_editable_by(request.user)
    context = {
        "loop": loop,
        "can_edit": can_edit,
        "regions": region_rows(loop.regions),
        "strip": thumbnail_strip(loop) if can_edit and loop.status == "needs_review" else None,
    }
    return render(request, "cineloops/detail.html", context)


@author_required
@require_POST
def loop_delete(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(CineLoop.objects.editable_by(request.user), pk=pk)
    label = loop.display_label
    services.loop_delete(loop=loop, by=request.user)
    messages.success(request, _("%(label)s was deleted.") % {"label": label})
    return redirect("cineloops:list")


@author_required
@require_POST
def loop_reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(CineLoop.objects.editable_by(request.user), pk=pk)
    try:
        services.loop_reprocess(loop=loop, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(label)s will be processed again.") % {"label": loop.display_label}
        )
    return redirect(loop)


@author_required
@require_POST
def loop_confirm_no_text(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(CineLoop.objects.editable_by(request.user), pk=pk)
    try:
        review.loop_confirm_no_burned_in_text(loop=loop, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(label)s is ready.") % {"label": loop.display_label})
    return redirect(loop)


@author_required
@require_POST
def loop_keep_mask(request: HttpRequest, pk: int) -> HttpResponse:
    loop = get_object_or_404(CineLoop.objects.editable_by(request.user), pk=pk)
    try:
        rectangles = json.loads(request.POST.get("rectangles") or "[]")
        review.loop_apply_keep_mask(loop=loop, by=request.user, rectangles=rectangles)
    except ValueError:  # not JSON
        messages.error(request, _("Draw at least one rectangle to keep."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(label)s is being cleaned with your rectangles.") % {"label": loop.display_label},
        )
    return redirect(loop)


class AnyContent(BaseContentNegotiation):
    """Files are what they are: a browser's ``Accept: video/*`` must not turn into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class LoopMediaView(APIView):
    """A de-identified derived file of a loop the user may see; Range requests honoured (or,
    with object storage, a redirect to a signed address of the file, which honours them).

    A DRF view so that API clients authenticate with their token as they do for the JSON
    that links here; browsers use their session.
    """

    content_negotiation_class = AnyContent
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="A derived file of a cine loop (Range requests: 206 / 416)",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            (206, "application/octet-stream"): OpenApiTypes.BINARY,
            302: None,  # object storage: to a short-lived signed address of the file
            404: None,
            416: None,
        },
    )
    def get(self, request: Request, pk: int, kind: str) -> HttpResponse:
        loop = get_object_or_404(CineLoop.objects.for_user(request.user), pk=pk)
        name = loop.output_name(kind) if loop.has_outputs and kind in CONTENT_TYPES else None
        if name is None:
            raise Http404
        download = DOWNLOAD_NAMES.get(kind)
        try:
            return serve_file(
                request,
                storage.media(),
                name,
                content_type=CONTENT_TYPES[kind],
                download_name=download.format(pk=loop.pk) if download else None,
            )
        except FileNotFoundError:
            raise Http404 from None


loop_media = LoopMediaView.as_view()
