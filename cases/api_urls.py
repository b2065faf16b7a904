from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api.tic import LoopTicView
from cases.api.views import CaseViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")

urlpatterns = [
    *router.urls,
    path("cineloops/<int:pk>/tic/", LoopTicView.as_view(), name="api-cineloop-tic"),
]
