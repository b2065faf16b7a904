from django.urls import path, re_path

from offline.api import BundleView, SubmissionView, SyncView

urlpatterns = [
    re_path(
        r"^offline/bundles/(?P<kind>case|module|quiz)/(?P<pk>[0-9]{1,18})/$",
        BundleView.as_view(),
        name="api-offline-bundle",
    ),
    path("offline/sync/", SyncView.as_view(), name="api-offline-sync"),
    path("offline/submissions/", SubmissionView.as_view(), name="api-offline-submissions"),
]
