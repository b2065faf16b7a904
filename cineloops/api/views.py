"""Cine loop API: upload (202, processed in the background), status polling, listing,
processing a failed loop again, and resolving a loop that needs review.

The queryset decides what exists for the user (another institution's loop is a 404); uploads
need author rights (403) and go through ``cineloops.services``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Institution
from accounts.selectors import institution_by_id
from cineloops import review, services
from cineloops.api.serializers import (
    CineLoopSerializer,
    ErrorSerializer,
    KeepMaskRequestSerializer,
    UploadRequestSerializer,
    UploadResultSerializer,
)
from cineloops.models import CineLoop
from cineloops.selectors import loops_for
from cineloops.uploads import install_upload_handler, too_large_message, upload_refused
from core.api import id_list_param

MAX_IDS = 200


class CineLoopViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CineLoopSerializer
    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs) -> Request:
        # Before authentication: the CSRF check reads the body, and the handler must stream it.
        if request.method == "POST":
            install_upload_handler(request)
        return super().initialize_request(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CineLoop.objects.none()
        ids = id_list_param(self.request.query_params, "ids", limit=MAX_IDS)
        return loops_for(self.request.user, ids=ids)

    @extend_schema(
        summary="Cine loops the user can see",
        parameters=[
            OpenApiParameter(
                "ids",
                OpenApiTypes.STR,
                description="Comma-separated ids: only these (for polling a batch).",
            )
        ],
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A cine loop: status, progress, error, metadata and file URLs")
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Upload DICOM files or ZIPs of them (instructors)",
        description=(
            "Each file becomes a loop (a ZIP: one per entry) processed in the background; "
            "poll the loop until its status is ready, needs_review or failed. Files that are "
            "refused are listed by position with the reason. A file past the size limit stops "
            "the whole request (413)."
        ),
        request={"multipart/form-data": UploadRequestSerializer},
        responses={
            202: UploadResultSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="No file was accepted ({accepted, rejected} as for 202), or the "
                "request is invalid (field → messages).",
            ),
            413: OpenApiResponse(ErrorSerializer, description="A file is over the limit."),
        },
    )
    def create(self, request: Request) -> Response:
        if not request.user.can_author:
            raise PermissionDenied(_("Only instructors can upload cine loops."))
        files = request.FILES.getlist("file")
        refused = upload_refused(request._request)
        if refused:
            return Response(
                {"detail": too_large_message(refused)},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        if not files:
            raise ValidationError({"file": [_("Choose at least one file.")]})
        try:
            batch = services.loops_create_from_files(
                files=files, by=request.user, institution=self._institution(request)
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"institution": exc.messages}) from exc
        context = self.get_serializer_context()
        data = UploadResultSerializer(batch.refreshed(), context=context).data
        accepted = status.HTTP_202_ACCEPTED if batch.accepted else status.HTTP_400_BAD_REQUEST
        return Response(data, status=accepted)

    @extend_schema(
        summary="Process a failed or needs-review loop again (editors)",
        description=(
            "Queues the loop again from its stored original; poll it as after an upload. "
            "Refused with 400 when the loop is not failed or needs_review, or when its original "
            "is no longer stored (deleted after de-identification unless the server keeps "
            "originals)."
        ),
        request=None,
        responses={
            202: CineLoopSerializer,
            400: OpenApiResponse(ErrorSerializer, description="The loop cannot be processed."),
            403: OpenApiResponse(ErrorSerializer, description="Not an editor of the loop."),
        },
    )
    @action(detail=True, methods=["post"])
    def reprocess(self, request: Request, pk: str | None = None) -> Response:
        loop = self.get_object()
        try:
            services.loop_reprocess(loop=loop, by=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        loop.refresh_from_db()
        return Response(self.get_serializer(loop).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Resolve a needs-review loop: no frame shows burned-in text (editors)",
        description="The loop becomes ready as it is; who and when are recorded.",
        request=None,
        responses={
            200: CineLoopSerializer,
            400: OpenApiResponse(ErrorSerializer, description="The loop does not need review."),
            403: OpenApiResponse(ErrorSerializer, description="Not an editor of the loop."),
        },
    )
    @action(detail=True, methods=["post"], url_path="confirm-no-burned-in-text")
    def confirm_no_burned_in_text(self, request: Request, pk: str | None = None) -> Response:
        return self._resolve(
            lambda loop: review.loop_confirm_no_burned_in_text(loop=loop, by=request.user),
            status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Resolve a needs-review loop: keep only these rectangles on every frame (editors)",
        description=(
            "The loop is processed again from its stored original, blank outside the "
            "rectangles on every frame; poll it until it is ready."
        ),
        request=KeepMaskRequestSerializer,
        responses={
            202: CineLoopSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Bad rectangles (field → messages), or no review ({detail}).",
            ),
            403: OpenApiResponse(ErrorSerializer, description="Not an editor of the loop."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="keep-mask",
        parser_classes=[JSONParser, MultiPartParser],
    )
    def keep_mask(self, request: Request, pk: str | None = None) -> Response:
        body = KeepMaskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rectangles = body.validated_data["rectangles"]
        return self._resolve(
            lambda loop: review.loop_apply_keep_mask(
                loop=loop, by=request.user, rectangles=rectangles
            ),
            status.HTTP_202_ACCEPTED,
        )

    def _resolve(self, resolve, done_status: int) -> Response:
        loop = self.get_object()
        try:
            resolve(loop)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        loop.refresh_from_db()
        return Response(self.get_serializer(loop).data, status=done_status)

    def _institution(self, request: Request) -> Institution | None:
        value = request.data.get("institution")
        if not value:
            return None
        institution = institution_by_id(value)
        if institution is None:
            raise ValidationError({"institution": [_("Unknown institution.")]})
        return institution
