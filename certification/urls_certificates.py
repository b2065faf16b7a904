"""Certificates: the public verification page and issuer documents, and the holder's pages."""

from django.urls import path

from certification.views import certificates, public, status

urlpatterns = [
    path("verify/<str:code>/", public.verify, name="verify"),
    path("issuer", public.issuer_profile, name="issuer"),
    path("issuer/key", public.issuer_key, name="issuer_key"),
    path("issuer/status/revocation", status.revocation_list, name="status_list"),
    path(
        "certification/certificates/<str:code>/",
        certificates.certificate_detail,
        name="certificate",
    ),
    path(
        "certification/certificates/<str:code>/certificate.pdf",
        certificates.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path(
        "certification/certificates/<str:code>/badge.json",
        certificates.certificate_badge_download,
        name="certificate_badge",
    ),
]
