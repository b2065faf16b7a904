from django.urls import path

from courses.views import authoring, cohorts, learning

app_name = "courses"

urlpatterns = [
    # Learning
    path("", learning.catalogue, name="catalogue"),
    path("dashboard/", learning.dashboard, name="dashboard"),
    path("c/<slug:slug>/", learning.course_detail, name="course_detail"),
    path("c/<slug:slug>/enrol/", learning.course_enrol, name="course_enrol"),
    path("lessons/<int:pk>/", learning.lesson_detail, name="lesson_detail"),
    path("lessons/<int:pk>/complete/", learning.lesson_complete, name="lesson_complete"),
    # Authoring
    path("authoring/", authoring.authoring, name="authoring"),
    path("authoring/new/", authoring.course_create, name="course_create"),
    path("authoring/preview/", authoring.markdown_preview, name="markdown_preview"),
    path("authoring/<int:pk>/", authoring.course_edit, name="course_edit"),
    path("authoring/<int:pk>/status/", authoring.course_status, name="course_status"),
    path("authoring/<int:pk>/delete/", authoring.course_delete, name="course_delete"),
    path("authoring/<int:course_pk>/modules/new/", authoring.module_create, name="module_create"),
    path("authoring/modules/<int:pk>/", authoring.module_edit, name="module_edit"),
    path("authoring/modules/<int:pk>/move/", authoring.module_move, name="module_move"),
    path("authoring/modules/<int:pk>/status/", authoring.module_status, name="module_status"),
    path("authoring/modules/<int:pk>/delete/", authoring.module_delete, name="module_delete"),
    path(
        "authoring/modules/<int:module_pk>/lessons/new/",
        authoring.lesson_create,
        name="lesson_create",
    ),
    path("authoring/lessons/<int:pk>/", authoring.lesson_edit, name="lesson_edit"),
    path("authoring/lessons/<int:pk>/move/", authoring.lesson_move, name="lesson_move"),
    path("authoring/lessons/<int:pk>/status/", authoring.lesson_status, name="lesson_status"),
    path("authoring/lessons/<int:pk>/delete/", authoring.lesson_delete, name="lesson_delete"),
    # Cohorts
    path("cohorts/", cohorts.cohorts, name="cohorts"),
    path("cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/enrol/", cohorts.cohort_enrol, name="cohort_enrol"),
]
