"""Pages of consultations under /consults/. The consult page's address is fixed here for the
e-mails that link to it; its page is built on ``consults.selectors`` (see ``views``)."""

from django.urls import path

from consults import views

app_name = "consults"

urlpatterns = [
    path("<int:pk>/", views.consult_detail, name="detail"),
]
