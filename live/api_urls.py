"""``/api/v1/live-sessions/``: live teaching sessions, their attendance and polls."""

from rest_framework.routers import SimpleRouter

from live.api.views import LiveSessionViewSet

router = SimpleRouter()
router.register("live-sessions", LiveSessionViewSet, basename="api-live-sessions")

urlpatterns = router.urls
