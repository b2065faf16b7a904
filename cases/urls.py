from django.urls import path

from cases.views import authoring, library

app_name = "cases"

urlpatterns = [
    path("", library.library, name="library"),
    path("new/", authoring.case_create, name="create"),
    path("review/", authoring.to_review, name="to_review"),
    path("<int:pk>/", library.case_detail, name="detail"),
    path("<int:pk>/edit/", authoring.case_edit, name="edit"),
    path("<int:pk>/submit/", authoring.submit_review, name="submit_review"),
    path("<int:pk>/review/", authoring.review, name="review"),
    path("<int:pk>/unpublish/", authoring.unpublish, name="unpublish"),
    path("<int:pk>/bookmark/", library.bookmark, name="bookmark"),
    path("<int:pk>/history/", authoring.history, name="history"),
]
