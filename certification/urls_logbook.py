"""The scan logbook and its sign-off (full paths: included at the site's root)."""

from django.urls import path

from certification.views import logbook as views

urlpatterns = [
    path("certification/logbook/", views.logbook, name="logbook"),
    path("certification/logbook/new/", views.entry_new, name="logbook_new"),
    path("certification/logbook/<int:pk>/", views.entry_detail, name="logbook_entry"),
    path("certification/logbook/<int:pk>/edit/", views.entry_edit, name="logbook_edit"),
    path("certification/logbook/<int:pk>/correct/", views.entry_correct, name="logbook_correct"),
    path("certification/signoff/", views.signoff, name="signoff"),
    path("certification/signoff/<int:pk>/", views.signoff_entry, name="signoff_entry"),
]
