"""``/api/v1/consults/`` and ``/api/v1/inbox/``: remote consultations."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from consults.api.views import ConsultViewSet, InboxView

router = SimpleRouter()
router.register("consults", ConsultViewSet, basename="api-consults")

urlpatterns = [*router.urls, path("inbox/", InboxView.as_view(), name="api-inbox")]
