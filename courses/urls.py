# Placeholder until the courses app lands: the names the base template links to.
from django.http import HttpResponse
from django.urls import path

app_name = "courses"


def _todo(request):
    return HttpResponse("courses")


urlpatterns = [
    path("", _todo, name="catalogue"),
    path("dashboard/", _todo, name="dashboard"),
    path("authoring/", _todo, name="authoring"),
    path("cohorts/", _todo, name="cohorts"),
]
