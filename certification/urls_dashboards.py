"""Dashboards, the director's cohort view and programme authoring (full paths: these routes
are included at the site's root, beside /verify/)."""

from django.urls import path

from certification.views import dashboards, programmes

P = "certification/programmes/<slug:slug>/"
V = P + "versions/<int:number>/"

urlpatterns = [
    path("certification/", dashboards.dashboard, name="dashboard"),
    path("certification/director/", dashboards.director, name="director"),
    path("certification/director/cohort.csv", dashboards.cohort_csv, name="cohort_csv"),
    path(
        "certification/certificates/<str:code>/revoke/",
        dashboards.certificate_revoke,
        name="certificate_revoke",
    ),
    # "new/" before the slug routes; the authoring service never gives a programme that slug.
    path("certification/programmes/new/", programmes.programme_create, name="programme_new"),
    path(P, dashboards.programme_detail, name="programme"),
    path(P + "issue/", dashboards.certificate_issue, name="certificate_issue"),
    path(P + "edit/", programmes.programme_edit, name="programme_edit"),
    path(P + "versions/new/", programmes.version_create, name="version_new"),
    path(V, programmes.version_detail, name="version"),
    path(V + "publish/", programmes.version_publish, name="version_publish"),
    path(V + "share/", programmes.version_share, name="version_share"),
    path(V + "requirements/<int:pk>/", programmes.requirement_edit, name="requirement_edit"),
    path(
        V + "requirements/<int:pk>/delete/",
        programmes.requirement_delete,
        name="requirement_delete",
    ),
]
