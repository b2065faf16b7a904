from django.urls import path
from rest_framework.routers import SimpleRouter

from cineloops.api.uploads import UploadCreateView, UploadView
from cineloops.api.views import CineLoopViewSet

router = SimpleRouter()
router.register("cineloops", CineLoopViewSet, basename="api-cineloop")

urlpatterns = [
    # Resumable uploads (tus 1.0): cineloops.api.uploads.
    path("cine-uploads/", UploadCreateView.as_view(), name="api-cine-upload-list"),
    path("cine-uploads/<uuid:pk>/", UploadView.as_view(), name="api-cine-upload-detail"),
    *router.urls,
]
