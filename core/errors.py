"""Error pages in the site layout, with a way back home, in development too.

Production (DEBUG off) uses Django's default handlers, which render templates/404.html,
403.html and 500.html. In development (DEBUG on, which `make run` is) Django would answer a 404
with its technical page: no header, no menu, no way back, which is what a new user trying the
demo met. There, ``SiteNotFoundMiddleware`` answers with the site's 404 page too and keeps the
technical reason in a folded "For developers" box. 403 already uses 403.html whatever DEBUG
says. A 500 keeps Django's traceback page in development: it is what one needs to fix it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.defaults import page_not_found

_MARK = "_site_error_page"


def not_found_page(request: HttpRequest, reason: str) -> HttpResponse:
    # debug_reason is shown only here (DEBUG): production's handler never passes it.
    response = render(request, "404.html", {"debug_reason": reason}, status=404)
    setattr(response, _MARK, True)
    return response


class SiteNotFoundMiddleware:
    """DEBUG only: a 404 in the site layout instead of Django's technical page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, _MARK, False)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # No URL pattern matched (raised before any view, so never seen by
            # process_exception): Django's technical page became this response.
            if request.path.startswith("/api/"):
                return not_found(request, Http404())
            return not_found_page(request, f"No URL pattern matches {request.path}")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return not_found_page(request, str(exception) or request.path)
        return None


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: under /api/ a JSON ``{"detail"}`` like the API's own 404s (a path no
    route matches, e.g. a non-numeric id); the site's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return page_not_found(request, exception)
