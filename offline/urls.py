from django.urls import path

from offline import views

app_name = "offline"

urlpatterns = [
    path("", views.saved, name="saved"),
    path("unavailable/", views.unavailable, name="unavailable"),
    path("quizzes/<int:pk>/take/", views.quiz_take, name="quiz_take"),
]
