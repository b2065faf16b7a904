from rest_framework.routers import SimpleRouter

from cineloops.api.views import CineLoopViewSet

router = SimpleRouter()
router.register("cineloops", CineLoopViewSet, basename="api-cineloop")

urlpatterns = router.urls
