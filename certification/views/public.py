"""Public pages, no login: certificate verification (the QR code's target) and the documents a
badge verifier fetches (the issuer's profile and its public key).

The verification page shows the holder's name, the programme and version, the dates and the
status, and nothing else. Unknown codes answer 404 with the same page, so a near miss tells
nothing. Each client address may ask ``CERT_VERIFY_RATE_PER_MINUTE`` times a minute (a fixed
window counted in the cache all workers share; unknown codes count too), so codes cannot be
enumerated.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from certification import selectors, signing
from certification.models import Certificate, CertificateStatus
from certification.services.certificates import certificate_status
from core import ratelimit
from core.client_address import client_address

WINDOW_SECONDS = 60
TEMPLATE = "certification/verify.html"


def _seconds_until_allowed(request: HttpRequest) -> int:
    """0 if the client may look up another code now, else the seconds left in its window.

    Counted in the shared cache (every worker sees one count) per client address, taken from
    the trusted proxy header only when one is configured (core.client_address).
    """
    return ratelimit.hit(
        key=f"cert-verify:{client_address(request)}",
        limit=getattr(settings, "CERT_VERIFY_RATE_PER_MINUTE", 30),
        window_seconds=WINDOW_SECONDS,
    )


def public_view(certificate: Certificate) -> dict:
    """Exactly what the page may show: nothing about the holder but the printed name."""
    status = certificate_status(certificate)
    return {
        "holder_name": certificate.holder_name,
        "programme_title": certificate.programme.title,
        "version_number": certificate.version.number,
        "issued_at": certificate.issued_at,
        "expires_at": certificate.expires_at,
        "status": status,
        "status_label": CertificateStatus(status).label,
        "revoked_at": certificate.revoked_at if status == CertificateStatus.REVOKED else None,
    }


@never_cache
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    retry_after = _seconds_until_allowed(request)
    if retry_after:
        response = render(request, TEMPLATE, {"rate_limited": True}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(request, TEMPLATE, {"not_found": True}, status=404)
    return render(request, TEMPLATE, {"cert": public_view(certificate)})


def _issuer_name() -> str:
    with translation.override("en"):
        return str(settings.PLATFORM_NAME)


@require_safe
def issuer_key(request: HttpRequest) -> JsonResponse:
    """The Multikey that verifies the platform's badges (their proofs' verificationMethod)."""
    response = JsonResponse(signing.key_document())
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages too
    return response


@require_safe
def issuer_profile(request: HttpRequest) -> JsonResponse:
    """The issuer named in every badge: its Open Badges Profile, listing the key it signs
    with (``assertionMethod``) so a verifier can tie the key to the issuer."""
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": signing.issuer_url(),
        "type": ["Profile"],
        "name": _issuer_name(),
        "url": settings.PLATFORM_BASE_URL,
        "assertionMethod": [signing.key_id()],
    }
    response = JsonResponse(document)
    response["Access-Control-Allow-Origin"] = "*"
    return response
