from rest_framework.routers import SimpleRouter

from certification.api.programmes import ProgrammeViewSet

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="api-programme")

urlpatterns = router.urls
