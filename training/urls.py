from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz
from offline import views as offline_views

api_v1 = [
    path("auth/", include("accounts.api_urls")),
    path("", include("courses.api_urls")),
    path("", include("cineloops.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("quizzes.api_urls")),
    path("", include("certification.api_urls")),
    path("", include("offline.api_urls")),
    path("", include("consults.api_urls")),
    path("", include("live.api_urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("courses/", include("courses.urls")),
    path("cineloops/", include("cineloops.urls")),
    path("cases/", include("cases.urls")),
    path("quizzes/", include("quizzes.urls")),
    # Public certificate verification (/verify/<code>) and the certification pages.
    path("", include("certification.urls")),
    path("offline/", include("offline.urls")),
    path("consults/", include("consults.urls")),
    path("live/", include("live.urls")),
    # The service worker answers for the whole site only when served from its root.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="web_manifest"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

# A path no route matches: JSON under /api/, the site page elsewhere.
handler404 = "core.errors.not_found"
