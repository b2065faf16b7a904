"""The revocation list a badge verifier fetches: public, no login, the same for everyone.

It is not rate-limited like ``/verify/``: that limit stops codes being enumerated, and the list
names no certificate — every verifier gets the same cached document. Verifiers revalidate on
each fetch (``no-cache``) and get 304 while nothing was revoked, so a revocation is seen at once.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from certification import status_list


@require_safe
def revocation_list(request: HttpRequest) -> HttpResponse:
    document, tag = status_list.signed_status_list()
    etag = f'"{tag}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(document)
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages too
    return response
