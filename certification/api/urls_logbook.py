"""``/api/v1/logbook/``: the scan logbook and its sign-off."""

from rest_framework.routers import SimpleRouter

from certification.api.logbook import LogbookViewSet

router = SimpleRouter()
router.register("logbook", LogbookViewSet, basename="api-logbook")

urlpatterns = router.urls
