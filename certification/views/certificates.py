"""The holder's certificate page and its downloads (PDF, Open Badge), through the session.

The holder and those who manage the programme may open them; for anyone else a certificate
does not exist (404). A revoked certificate's files are gone (410); its page says so.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from certification.access import certificate_for, is_downloadable
from certification.badges import badge_for
from certification.models import Certificate
from certification.pdf import certificate_pdf, pdf_filename
from certification.qr import verification_url
from certification.services.certificates import can_manage, certificate_status
from certification.views.public import public_view

BADGE_MEDIA_TYPE = "application/json"


def _certificate_or_404(request: HttpRequest, code: str) -> Certificate:
    certificate = certificate_for(request.user, code)
    if certificate is None:
        raise Http404(_("No certificate has this code."))
    return certificate


def gone(message: str) -> HttpResponse:
    return HttpResponse(message, status=410, content_type="text/plain; charset=utf-8")


def revoked_message() -> str:
    return _("This certificate has been revoked: its files are no longer available.")


def badge_filename(certificate: Certificate) -> str:
    return f"badge-{certificate.programme.slug}-{certificate.code}.json"


@login_required
@require_safe
def certificate_detail(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate_or_404(request, code)
    context = {
        "certificate": certificate,
        "cert": public_view(certificate),
        "status": certificate_status(certificate),
        "downloadable": is_downloadable(certificate),
        "verify_url": verification_url(certificate.code),
        "is_holder": certificate.holder_id == request.user.pk,
        "manager": can_manage(request.user, certificate.programme),
    }
    return render(request, "certification/certificate_detail.html", context)


@login_required
@require_safe
def certificate_pdf_download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate_or_404(request, code)
    if not is_downloadable(certificate):
        return gone(revoked_message())
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(certificate)}"'
    return response


@login_required
@require_safe
def certificate_badge_download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = _certificate_or_404(request, code)
    if not is_downloadable(certificate):
        return gone(revoked_message())
    body = json.dumps(badge_for(certificate), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=f"{BADGE_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{badge_filename(certificate)}"'
    return response
