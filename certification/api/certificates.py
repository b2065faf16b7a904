"""Certificate API (token or session):

- ``GET certificates/``: the user's certificates, and those of the programmes they manage
  (``?holder=<user id>`` narrows to one holder, ``?programme=<id>`` to one programme);
- ``GET certificates/{code}/``: one certificate;
- ``GET certificates/{code}/badge.json``: the signed Open Badges 3.0 credential;
- ``GET certificates/{code}/certificate.pdf``: the printable certificate.

Errors are ``{"detail": message}``: 404 for a code the user may not see (the same answer as
for one that does not exist), 410 for the files of a revoked certificate, 400 for a malformed
filter.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from certification import selectors
from certification.access import certificate_for, certificates_for, is_downloadable
from certification.badges import badge_for
from certification.models import Certificate
from certification.pdf import certificate_pdf, pdf_filename
from certification.qr import verification_url
from certification.services.certificates import certificate_status
from certification.views.certificates import badge_filename, revoked_message
from core.api import id_param


class Gone(APIException):
    status_code = 410
    default_code = "gone"


class CertificateErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ProgrammeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()


class CertificateSerializer(serializers.ModelSerializer):
    holder = serializers.IntegerField(source="holder_id", help_text="The holder's user id.")
    programme = ProgrammeRefSerializer()
    version = serializers.IntegerField(source="version.number", help_text="Programme version.")
    status = serializers.SerializerMethodField(
        help_text="issued, expired or revoked (an issued certificate past its expiry reads "
        "as expired)."
    )
    verify_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    badge_url = serializers.SerializerMethodField()
    manual = serializers.SerializerMethodField(help_text="Issued manually by a director.")

    class Meta:
        model = Certificate
        fields = [
            "code",
            "holder",
            "holder_name",
            "programme",
            "version",
            "issued_at",
            "expires_at",
            "status",
            "revoked_at",
            "manual",
            "verify_url",
            "pdf_url",
            "badge_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, certificate: Certificate) -> str:
        return str(certificate_status(certificate))

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, certificate: Certificate) -> str:
        return verification_url(certificate.code)

    def _own_url(self, certificate: Certificate, name: str) -> str | None:
        if not is_downloadable(certificate):
            return None
        path = reverse(name, kwargs={"code": certificate.code})
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, certificate: Certificate) -> str | None:
        return self._own_url(certificate, "api-certificate-pdf")

    @extend_schema_field(OpenApiTypes.URI)
    def get_badge_url(self, certificate: Certificate) -> str | None:
        return self._own_url(certificate, "api-certificate-badge")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_manual(self, certificate: Certificate) -> bool:
        return certificate.issued_by_id is not None


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(CertificateErrorSerializer, description=description)


NOT_FOUND = _error("No such certificate, or not the user's nor of a programme they manage.")
GONE = _error("The certificate was revoked: its files are no longer handed out.")
CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="The verification code."
)


def _visible_or_404(request: Request, code: str) -> Certificate:
    certificate = certificate_for(request.user, code)
    if certificate is None:
        raise NotFound(_("No certificate has this code."))
    return certificate


class CertificateList(generics.ListAPIView):
    serializer_class = CertificateSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        params = self.request.query_params
        return selectors.narrow_certificates(
            certificates_for(self.request.user),
            holder=id_param(params, "holder"),
            programme=id_param(params, "programme"),
        )

    @extend_schema(
        summary="The user's certificates, and those of the programmes they manage",
        parameters=[
            OpenApiParameter("holder", OpenApiTypes.INT, description="Only this holder's."),
            OpenApiParameter("programme", OpenApiTypes.INT, description="Only this programme's."),
        ],
        responses={200: CertificateSerializer(many=True), 400: _error("A malformed filter.")},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class CertificateDetail(APIView):
    @extend_schema(
        summary="One certificate",
        parameters=[CODE],
        responses={200: CertificateSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, code: str) -> Response:
        certificate = _visible_or_404(request, code)
        return Response(CertificateSerializer(certificate, context={"request": request}).data)


class CertificateBadge(APIView):
    @extend_schema(
        summary="The certificate as a signed Open Badges 3.0 credential",
        operation_id="api_v1_certificates_badge_retrieve",
        description=(
            "An OpenBadgeCredential (W3C Verifiable Credential 2.0) with an embedded "
            "DataIntegrityProof (cryptosuite eddsa-jcs-2022). The proof's verificationMethod "
            "is the issuer's public key, published at /issuer/key as a Multikey. The holder is "
            "identified by a salted SHA-256 hash of their e-mail address and by name."
        ),
        parameters=[CODE],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The signed credential."
            ),
            404: NOT_FOUND,
            410: GONE,
        },
    )
    def get(self, request: Request, code: str) -> Response:
        certificate = _visible_or_404(request, code)
        if not is_downloadable(certificate):
            raise Gone(revoked_message())
        response = Response(badge_for(certificate))
        response["Content-Disposition"] = f'attachment; filename="{badge_filename(certificate)}"'
        return response


class PDFRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; errors are still JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


class CertificatePDF(APIView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="The printable certificate (PDF, English and Chinese, with a QR code)",
        operation_id="api_v1_certificates_pdf_retrieve",
        parameters=[CODE],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The certificate."
            ),
            404: NOT_FOUND,
            410: GONE,
        },
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        certificate = _visible_or_404(request, code)
        if not is_downloadable(certificate):
            raise Gone(revoked_message())
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(certificate)}"'
        return response
