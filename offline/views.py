"""Pages of offline study: the list of what this device keeps, the page shown offline for what
it does not, the offline paper of a practice quiz, and what makes the site an installable web
app — its service worker, served from the site root so that it may answer for every page, and
its manifest.

Thin views: ``offline.rules`` and ``offline.papers`` decide; the device's own lists live in
its browser (``static/js/offline.js``).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import etag, require_safe

from offline.papers import paper_for, paper_payload
from offline.rules import quiz_refusal
from quizzes.models import Quiz
from quizzes.views.taking import _certainty_levels as certainty_levels  # the rules page's list

# Bump when the service worker's cache layout changes: the new worker deletes other versions.
CACHE_NAME = "ceus-offline-v1"
WORKBOX = "vendor/workbox-7.4.1"
# In the order they depend on each other (each module registers itself on ``workbox.*``).
WORKBOX_MODULES = (
    "workbox-core",
    "workbox-routing",
    "workbox-strategies",
    "workbox-range-requests",
)
SERVICE_WORKER = "js/offline-sw.js"


@login_required
@require_safe
def saved(request: HttpRequest) -> HttpResponse:
    return render(request, "offline/saved.html")


@require_safe
def unavailable(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page this device does not keep while offline."""
    return render(request, "offline/unavailable.html")


@login_required
@require_safe
def quiz_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A practice quiz's offline paper: answered on the device, sent and scored later."""
    quiz = get_object_or_404(Quiz.objects.for_user(request.user).published(), pk=pk)
    refusal = quiz_refusal(request.user, quiz)
    if refusal:
        return render(request, "offline/refused.html", {"message": refusal}, status=403)
    data = paper_payload(paper_for(user=request.user, quiz=quiz))
    context = {
        "quiz": quiz,
        "data": data,
        "questions": data["questions"],
        "certainty_levels": certainty_levels(),
    }
    return render(request, "offline/quiz_take.html", context)


@lru_cache(maxsize=1)
def _worker_source() -> str:
    path = finders.find(SERVICE_WORKER)
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as source:
        return source.read()


def media_address() -> dict[str, str]:
    """The media view's address around its two parts, for the worker to recognise (the loop's
    id and the file kind)."""
    sample = reverse("cineloops:media", kwargs={"pk": 987654321, "kind": "zzkindzz"})
    before, rest = sample.split("987654321", 1)
    between, after = rest.split("zzkindzz", 1)
    return {"before": before, "between": between, "after": after}


def _worker_body() -> str:
    """The worker's source (``static/js/offline-sw.js``) after its settings."""
    if settings.DEBUG:
        _worker_source.cache_clear()
    config = {
        "workbox": [static(f"{WORKBOX}/{name}.prod.js") for name in WORKBOX_MODULES],
        "cache": CACHE_NAME,
        "fallback": reverse("offline:unavailable"),
        "media": media_address(),
        "static": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else f"/{settings.STATIC_URL}",
    }
    return f"self.CEUS_OFFLINE = {json.dumps(config)};\n{_worker_source()}"


def _worker_etag(request: HttpRequest) -> str:
    return hashlib.sha256(_worker_body().encode()).hexdigest()[:32]


@require_safe
@etag(_worker_etag)
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/sw.js``. Browsers ask for it again to look for a new worker, as often as at every
    page they open: an unchanged one answers 304 to its ETag instead of its 5 KB."""
    response = HttpResponse(_worker_body(), content_type="text/javascript; charset=utf-8")
    # Browsers look for a new worker at least daily; never let a cache delay that further.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest, in the language asked for (``?lang=``, as the page linking it)."""
    codes = [code for code, _name in settings.LANGUAGES]
    code = request.GET.get("lang") if request.GET.get("lang") in codes else codes[0]
    with translation.override(code):
        data = {
            "id": "/",
            "name": str(settings.PLATFORM_NAME),
            "short_name": _("CEUS"),
            "description": _("Contrast-enhanced ultrasound education for the hospital network."),
            "lang": code,
            "start_url": reverse("courses:dashboard"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#f5f7f9",
            "theme_color": "#0b5d7a",
            "icons": [
                {"src": static("img/app-icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/app-icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("img/app-icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
