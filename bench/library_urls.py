"""The platform's URLs plus a minimal view, the yardstick of bench/library_bench.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def yardstick(request: HttpRequest) -> HttpResponse:
    # Through the whole middleware stack, like every page: session, user, language.
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/yardstick/", yardstick),
    path("", include("training.urls")),
]
