from rest_framework.routers import SimpleRouter

from courses.api.views import CourseViewSet, EnrolmentViewSet, LessonViewSet, ModuleViewSet

router = SimpleRouter()
router.register("courses", CourseViewSet, basename="api-course")
router.register("modules", ModuleViewSet, basename="api-module")
router.register("lessons", LessonViewSet, basename="api-lesson")
router.register("enrolments", EnrolmentViewSet, basename="api-enrolment")

urlpatterns = router.urls
