from rest_framework.routers import SimpleRouter

from quizzes.api.views import AttemptViewSet, QuizViewSet

router = SimpleRouter()
router.register("quizzes", QuizViewSet, basename="api-quiz")
router.register("attempts", AttemptViewSet, basename="api-attempt")

urlpatterns = router.urls
