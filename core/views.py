from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health_report


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise, with what was checked."""
    report = health_report()
    healthy = all(report.values())
    body = {"status": "ok" if healthy else "unavailable", **report}
    return JsonResponse(body, status=200 if healthy else 503)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("courses:dashboard")
    return render(request, "core/home.html")
