"""Resumable uploads over HTTP: the tus 1.0 protocol (core, creation, expiration, checksum,
termination), for the upload page and any tus client. ``cineloops.resumable`` says why tus
and does the work; these views read the headers and map refusals to statuses.

* ``POST /api/v1/cine-uploads/`` with ``Upload-Length`` (and ``Upload-Metadata``:
  ``institution`` for site administrators; a ``filename`` is ignored, never stored) → 201,
  ``Location``: the upload's address. A length over the limit → 413.
* ``HEAD <address>`` → ``Upload-Offset``, ``Upload-Length``, ``Upload-Expires``: where to
  resume after a break.
* ``PATCH <address>`` with ``Content-Type: application/offset+octet-stream``,
  ``Upload-Offset`` and, optionally, ``Upload-Checksum: sha1|sha256|md5 <base64>`` → 204 and
  the new ``Upload-Offset``. Wrong offset → 409 with the right one; bad checksum → 460,
  nothing appended; past the declared length → 413; after completion → 409
  (``upload_complete``); after expiry → 410; a file whose first part is neither DICOM nor a
  ZIP → 422.
* ``GET <address>`` → the upload as JSON, with the loops made once it is complete.
* ``DELETE <address>`` → 204: the upload and its parts are deleted.
* ``OPTIONS`` → the versions, extensions, maximum size and checksum algorithms.

Every request but OPTIONS and GET carries ``Tus-Resumable: 1.0.0`` (else 412). Only the user
who created an upload may use its address; to anyone else it does not exist (404).
"""

from __future__ import annotations

import base64
import binascii
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Institution
from cineloops import resumable
from cineloops.api.serializers import ResumableUploadSerializer, UploadErrorSerializer
from cineloops.models import ResumableUpload
from core.api import parse_id

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,expiration,checksum,termination"
OFFSET_TYPE = "application/offset+octet-stream"
# How each refusal of ``cineloops.resumable`` is answered; any other code is a refusal of
# the file's start (not_dicom, empty_file …): 422.
STATUSES = {
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "beyond_length": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "empty_file": status.HTTP_400_BAD_REQUEST,
    "too_many_uploads": status.HTTP_429_TOO_MANY_REQUESTS,
    "offset_mismatch": status.HTTP_409_CONFLICT,
    "upload_complete": status.HTTP_409_CONFLICT,
    "expired": status.HTTP_410_GONE,
    "not_found": status.HTTP_404_NOT_FOUND,
    "checksum_mismatch": 460,  # tus checksum extension: Checksum Mismatch
}
_NUMBER = re.compile(r"[0-9]{1,19}")

TUS_HEADER = OpenApiParameter(
    "Tus-Resumable",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    enum=[TUS_VERSION],
    description="The tus protocol version: 1.0.0 (else 412).",
)


def _error(code: str, message: str, status_code: int, **headers: str) -> Response:
    return Response({"detail": message, "code": code}, status=status_code, headers=headers)


def _refused(exc: resumable.UploadRefused) -> Response:
    body: dict = {"detail": exc.message, "code": exc.code}
    headers = {"Cache-Control": "no-store"}
    if exc.offset is not None:
        body["offset"] = exc.offset
        headers["Upload-Offset"] = str(exc.offset)
    return Response(body, status=STATUSES.get(exc.code, 422), headers=headers)


def _number(request: Request, header: str) -> int | None:
    value = request.headers.get(header, "").strip()
    return int(value) if _NUMBER.fullmatch(value) else None


def _bad_header(header: str) -> Response:
    return _error(
        "bad_header",
        _("The %(header)s header is missing or not a whole number.") % {"header": header},
        status.HTTP_400_BAD_REQUEST,
    )


def _metadata(value: str) -> dict[str, str] | None:
    """``Upload-Metadata``: ``key base64value`` pairs, comma-separated; None if malformed."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key, _sep, encoded = item.partition(" ")
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
    return pairs


def _checksum(value: str) -> tuple[str, bytes] | Response | None:
    """``Upload-Checksum``: (algorithm, digest), None when absent, or the refusal."""
    if not value:
        return None
    algorithm, _sep, encoded = value.strip().partition(" ")
    if algorithm not in resumable.CHECKSUMS:
        return _error(
            "unsupported_checksum",
            _("Unsupported checksum algorithm: use one of %(names)s.")
            % {"names": ", ".join(resumable.CHECKSUMS)},
            status.HTTP_400_BAD_REQUEST,
        )
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        return _bad_header("Upload-Checksum")


class TusVersionMismatch(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED

    def __init__(self) -> None:
        message = _("This server speaks tus %(version)s: send Tus-Resumable: %(version)s.") % {
            "version": TUS_VERSION
        }
        super().__init__({"detail": message, "code": "tus_version"})


class TusView(APIView):
    """What every tus endpoint shares: the version check and headers, and OPTIONS."""

    tus_methods = ("POST", "HEAD", "PATCH", "DELETE")

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # signed in first: 403 before 412
        wrong = request.headers.get("Tus-Resumable") != TUS_VERSION
        if request.method in self.tus_methods and wrong:
            raise TusVersionMismatch

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = TUS_VERSION
        if response.status_code == status.HTTP_412_PRECONDITION_FAILED:
            response["Tus-Version"] = TUS_VERSION
        response.setdefault("Cache-Control", "no-store")
        return response

    def options(self, request: Request, *args, **kwargs) -> Response:
        return Response(
            status=status.HTTP_204_NO_CONTENT,
            headers={
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(settings.CINE_MAX_UPLOAD_BYTES),
                "Tus-Checksum-Algorithm": ",".join(resumable.CHECKSUMS),
            },
        )


def _expires(upload: ResumableUpload) -> dict[str, str]:
    return {"Upload-Expires": http_date(upload.expires_at.timestamp())}


class UploadCreateView(TusView):
    @extend_schema(
        operation_id="cine_uploads_create",
        summary="Open a resumable upload of one DICOM file or ZIP (tus 1.0 creation; instructors)",
        description=(
            "The tus 1.0 protocol (tus.io; any tus client works). Declare the file's length in "
            "Upload-Length (no larger than the upload limit: else 413); for site "
            "administrators, Upload-Metadata may name the owning institution "
            "(`institution <base64 id>`). A file name in the metadata is ignored. Then, at the "
            "address in Location: HEAD gives Upload-Offset (where to resume after a break); "
            "PATCH with Content-Type application/offset+octet-stream and Upload-Offset appends "
            "a part (optionally with Upload-Checksum: sha1|sha256|md5 <base64 digest>) and "
            "answers 204 with the new Upload-Offset; GET shows the upload and, once complete, "
            "the loops made from it; DELETE cancels it. OPTIONS lists Tus-Version, "
            "Tus-Extension (creation, expiration, checksum, termination), Tus-Max-Size and "
            "Tus-Checksum-Algorithm. An upload that receives nothing for "
            "CINE_PARTIAL_UPLOAD_HOURS (24 by default; see Upload-Expires) is deleted."
        ),
        parameters=[
            TUS_HEADER,
            OpenApiParameter(
                "Upload-Length",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                required=True,
                description="The file's length in bytes.",
            ),
            OpenApiParameter(
                "Upload-Metadata",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="tus metadata: `institution <base64 id>` (site administrators).",
            ),
        ],
        request=None,
        responses={
            201: OpenApiResponse(
                ResumableUploadSerializer, description="Created; its address in Location."
            ),
            400: OpenApiResponse(UploadErrorSerializer, description="A bad header, or empty."),
            412: OpenApiResponse(UploadErrorSerializer, description="Not tus 1.0.0."),
            413: OpenApiResponse(UploadErrorSerializer, description="Over the upload limit."),
            429: OpenApiResponse(UploadErrorSerializer, description="Too many unfinished."),
        },
    )
    def post(self, request: Request) -> Response:
        if "Upload-Defer-Length" in request.headers:
            return _error(
                "bad_header",
                _("Declare the file's length: a deferred length is not supported."),
                status.HTTP_400_BAD_REQUEST,
            )
        length = _number(request, "Upload-Length")
        if length is None:
            return _bad_header("Upload-Length")
        metadata = _metadata(request.headers.get("Upload-Metadata", ""))
        if metadata is None:
            return _error("bad_header", _("The Upload-Metadata header is malformed."), 400)
        institution = None
        if metadata.get("institution"):
            institution = Institution.objects.filter(pk=parse_id(metadata["institution"])).first()
            if institution is None:
                return _error("bad_header", _("Unknown institution."), 400)
        try:
            upload = resumable.upload_create(
                by=request.user, length=length, institution=institution
            )
        except resumable.UploadRefused as exc:
            return _refused(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            return _error("bad_header", " ".join(exc.messages), 400)
        location = request.build_absolute_uri(
            reverse("api-cine-upload-detail", kwargs={"pk": upload.pk})
        )
        return Response(
            ResumableUploadSerializer(upload, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location, "Upload-Offset": "0", **_expires(upload)},
        )


class UploadView(TusView):
    def _upload(self, request: Request, pk) -> ResumableUpload:
        if getattr(self, "swagger_fake_view", False):
            raise Http404
        return get_object_or_404(ResumableUpload, pk=pk, created_by=request.user)

    def head(self, request: Request, pk) -> Response:
        """Where the upload stands: Upload-Offset and Upload-Length (tus core)."""
        upload = self._upload(request, pk)
        if upload.status == ResumableUpload.Status.RECEIVING:
            try:
                resumable.upload_check_open(upload)
            except resumable.UploadRefused as exc:
                return _refused(exc)
        return Response(
            headers={
                "Upload-Offset": str(upload.offset),
                "Upload-Length": str(upload.length),
                **_expires(upload),
            }
        )

    @extend_schema(
        operation_id="cine_uploads_retrieve",
        summary="A resumable upload: how far it got, and the loops made once complete",
        description="Poll while status is assembling (the parts are being joined).",
        responses={200: ResumableUploadSerializer},
    )
    def get(self, request: Request, pk) -> Response:
        upload = self._upload(request, pk)
        return Response(ResumableUploadSerializer(upload, context={"request": request}).data)

    @extend_schema(
        operation_id="cine_uploads_append",
        summary="Append a part at Upload-Offset (tus 1.0 core; checksum extension)",
        description=(
            "The body is the part's bytes. 204 with the new Upload-Offset; the last part "
            "completes the upload (its file is then processed: poll GET). A part cut off "
            "without a checksum is kept as far as it arrived: ask HEAD where to resume."
        ),
        parameters=[
            TUS_HEADER,
            OpenApiParameter(
                "Upload-Offset",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                required=True,
                description="Where this part starts: the offset the server has (HEAD).",
            ),
            OpenApiParameter(
                "Upload-Checksum",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="`sha1|sha256|md5 <base64 digest>` of the part: on a mismatch "
                "nothing is appended (460).",
            ),
        ],
        request={OFFSET_TYPE: OpenApiTypes.BINARY},
        responses={
            204: OpenApiResponse(description="Appended; the new Upload-Offset in the header."),
            400: OpenApiResponse(UploadErrorSerializer, description="A bad header."),
            409: OpenApiResponse(
                UploadErrorSerializer,
                description="Not at the server's offset (in Upload-Offset and the body), or "
                "the upload is already complete.",
            ),
            410: OpenApiResponse(UploadErrorSerializer, description="The upload expired."),
            412: OpenApiResponse(UploadErrorSerializer, description="Not tus 1.0.0."),
            413: OpenApiResponse(UploadErrorSerializer, description="Past the length."),
            415: OpenApiResponse(
                UploadErrorSerializer, description="Not application/offset+octet-stream."
            ),
            422: OpenApiResponse(
                UploadErrorSerializer,
                description="The file starts like neither DICOM nor a ZIP: the upload is deleted.",
            ),
            460: OpenApiResponse(
                UploadErrorSerializer, description="Checksum mismatch: nothing appended."
            ),
        },
    )
    def patch(self, request: Request, pk) -> Response:
        upload = self._upload(request, pk)
        if request.content_type != OFFSET_TYPE:
            return _error(
                "bad_content_type",
                _("Send the part as %(type)s.") % {"type": OFFSET_TYPE},
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        offset = _number(request, "Upload-Offset")
        if offset is None:
            return _bad_header("Upload-Offset")
        checksum = _checksum(request.headers.get("Upload-Checksum", ""))
        if isinstance(checksum, Response):
            return checksum
        declared = _number(request, "Content-Length")
        try:
            upload = resumable.upload_append(
                upload=upload,
                offset=offset,
                body=request._request,  # streamed: never request.data, never whole in memory
                declared=declared,
                checksum=checksum,
            )
        except resumable.UploadRefused as exc:
            return _refused(exc)
        return Response(
            status=status.HTTP_204_NO_CONTENT,
            headers={"Upload-Offset": str(upload.offset), **_expires(upload)},
        )

    @extend_schema(
        operation_id="cine_uploads_destroy",
        summary="Cancel a resumable upload: it and its parts are deleted (tus termination)",
        parameters=[TUS_HEADER],
        responses={
            204: None,
            409: OpenApiResponse(
                UploadErrorSerializer, description="Complete: its file is being processed."
            ),
            412: OpenApiResponse(UploadErrorSerializer, description="Not tus 1.0.0."),
        },
    )
    def delete(self, request: Request, pk) -> Response:
        upload = self._upload(request, pk)
        try:
            resumable.upload_discard(upload=upload)
        except resumable.UploadRefused as exc:
            return _refused(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)
