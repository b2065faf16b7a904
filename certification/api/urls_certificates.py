from django.urls import path

from certification.api import certificates

# Codes are URL-safe base64 (letters, digits, "-" and "_"), so <str:code> never holds a "/".
urlpatterns = [
    path("certificates/", certificates.CertificateList.as_view(), name="api-certificate-list"),
    path(
        "certificates/<str:code>/",
        certificates.CertificateDetail.as_view(),
        name="api-certificate-detail",
    ),
    path(
        "certificates/<str:code>/badge.json",
        certificates.CertificateBadge.as_view(),
        name="api-certificate-badge",
    ),
    path(
        "certificates/<str:code>/certificate.pdf",
        certificates.CertificatePDF.as_view(),
        name="api-certificate-pdf",
    ),
]
