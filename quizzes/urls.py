from django.urls import path

from quizzes.views import authoring, results, sharing, taking

app_name = "quizzes"

urlpatterns = [
    # Trainees
    path("", taking.quiz_list, name="list"),
    path("<int:pk>/", taking.quiz_detail, name="detail"),
    path("<int:pk>/start/", taking.attempt_start, name="start"),
    path("attempts/<int:pk>/", taking.attempt_take, name="take"),
    path("attempts/<int:pk>/submit/", taking.attempt_submit, name="submit"),
    path("attempts/<int:pk>/review/", taking.attempt_review, name="review"),
    # Instructors
    path("bank/", authoring.question_list, name="bank"),
    path("bank/new/", authoring.question_create, name="question_create"),
    path("bank/<int:pk>/", authoring.question_edit, name="question_edit"),
    path("new/", authoring.quiz_create, name="create"),
    path("<int:pk>/edit/", authoring.quiz_edit, name="edit"),
    path("<int:pk>/publish/", sharing.quiz_publish, name="publish"),
    path("<int:pk>/share/", sharing.quiz_share, name="share"),
    path("bank/<int:pk>/share/", sharing.question_share, name="question_share"),
    path("<int:pk>/results/", results.quiz_results, name="results"),
    path("<int:pk>/results.csv", results.results_csv, name="results_csv"),
    path("<int:pk>/analysis/", results.item_analysis, name="analysis"),
    path("<int:pk>/trainees/<int:user_pk>/", results.trainee_attempts, name="trainee"),
    path("grading/", results.grading_queue, name="grading"),
    path("grading/<int:answer_pk>/", results.grade_answer, name="grade"),
]
