"""Consultation API: ``GET/POST /api/v1/consults/``, ``GET /api/v1/consults/{id}/``,
``POST …/{id}/claim/``, ``POST …/{id}/answer/``, ``GET/POST …/{id}/messages/``,
``GET/PUT …/{id}/annotations/``, ``POST …/{id}/teaching-case/``, and ``GET /api/v1/inbox/``.

Querysets decide what exists for the user (another hospital's consult is a 404);
``consults.services`` do the work and check the rules again. Refusals are
``{"detail": message}``: 400 invalid input (with ``phi_warnings`` when text looks like a
patient identifier and ``confirm_no_identifiers`` is not true), 403 not allowed, 404 not
visible, 409 the consult has moved on (claimed by someone else, already answered, already a
teaching case, over).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Institution, User
from cases.api.inputs import AnnotationSetInputSerializer, AnnotationSetSerializer
from cineloops.models import CineLoop
from consults import services
from consults.api.serializers import (
    ConsultAnswerInputSerializer,
    ConsultCreateSerializer,
    ConsultInboxLoopSerializer,
    ConsultMessageInputSerializer,
    ConsultMessageSerializer,
    ConsultReadingInputSerializer,
    ConsultRefusalSerializer,
    ConsultSerializer,
    ConsultTeachingCaseInputSerializer,
    ConsultTeachingCaseSerializer,
)
from consults.models import Consultation, ConsultStatus
from consults.selectors import (
    inbox_loops,
    selectable_loops,
    thread,
    visible_consults,
    with_details,
)
from consults.services import requests
from consults.services.identifiers import with_messages
from core.api import ApiRefusal, service_refusal, validated


def service_error(exc: DjangoValidationError | DjangoPermissionDenied) -> ApiRefusal:
    """A service's refusal as the API answers it (see the module doc)."""
    warnings = None
    if isinstance(exc, services.UnconfirmedIdentifiers):
        warnings = with_messages(exc.warnings)
    return service_refusal(exc, conflicts=services.CONFLICT_CODES, phi_warnings=warnings)


SERVICE_ERRORS = (DjangoValidationError, DjangoPermissionDenied)
CONSULT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A consultation's id."
)


def _refusal(description: str) -> OpenApiResponse:
    return OpenApiResponse(ConsultRefusalSerializer, description=description)


CONFLICT = _refusal("The consultation has moved on (claimed, answered, over …).")
FORBIDDEN = _refusal("Not allowed (e.g. not an expert of the centre, not the claimer).")


class ConsultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ConsultSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        consults = visible_consults(self.request.user)
        wanted = self.request.query_params.get("status", "")
        if self.action == "list" and wanted in ConsultStatus.values:
            consults = consults.filter(status=wanted)
        return with_details(consults).order_by("-submitted_at", "-pk")

    def _payload(self, consult: Consultation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=consult.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Consultations you may read: your institution's requests; those sent to your "
        "centre (its instructors and directors)",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=ConsultStatus.values)],
        responses={200: ConsultSerializer(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="A consultation", parameters=[CONSULT_ID], responses={200: ConsultSerializer}
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Ask an expert centre (any member of an institution), with your own reading",
        description=(
            "The loops are your institution's (from your inbox, or uploaded first). The reading "
            "is locked once sent. Text that looks like a patient identifier is refused with "
            "400 and `phi_warnings` unless `confirm_no_identifiers` is true."
        ),
        request=ConsultCreateSerializer,
        responses={
            201: ConsultSerializer,
            400: _refusal("Invalid input."),
            403: _refusal("Not a member of an institution."),
        },
    )
    def create(self, request: Request) -> Response:
        data = validated(ConsultCreateSerializer(data=request.data))
        try:
            requests.require_member(request.user)
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        target = Institution.objects.filter(pk=data.pop("target")).first()
        if target is None:
            raise _bad("target", requests.TARGET_REFUSED)
        expert_id = data.pop("expert")
        expert = None
        if expert_id is not None:
            expert = User.objects.filter(pk=expert_id).first()
            if expert is None:
                raise _bad("expert", requests.EXPERT_REFUSED)
        ids = data.pop("loops")
        # Only loops the user may attach: another's id reads as one that does not exist.
        found = selectable_loops(request.user).in_bulk(ids)
        if len(found) != len(set(ids)):
            raise _bad("loops", requests.LOOPS_REFUSED)
        reading = ConsultReadingInputSerializer().service_data(data.pop("requester_reading"))
        try:
            result = services.consult_submit(
                by=request.user,
                target=target,
                expert=expert,
                loops=[found[pk] for pk in ids],
                reading=reading,
                confirmed=data.pop("confirm_no_identifiers"),
                **data,
            )
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        return self._payload(result.consult, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Claim a waiting request (experts of the centre): one claimer, the others see who",
        parameters=[CONSULT_ID],
        request=None,
        responses={200: ConsultSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        consult = self.get_object()
        try:
            services.consult_claim(consult=consult, by=request.user)
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        return self._payload(consult)

    @extend_schema(
        summary="Answer a claimed request with a structured CEUS report (the claimer)",
        parameters=[CONSULT_ID],
        request=ConsultAnswerInputSerializer,
        responses={
            200: ConsultSerializer,
            400: _refusal("Invalid input."),
            403: FORBIDDEN,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        consult = self.get_object()
        serializer = ConsultAnswerInputSerializer(data=request.data)
        data = validated(serializer)
        confirmed = data.pop("confirm_no_identifiers")
        try:
            services.consult_answer(
                consult=consult,
                by=request.user,
                answer=serializer.service_data(data),
                confirmed=confirmed,
            )
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        return self._payload(consult)

    @extend_schema(
        methods=["GET"],
        summary="The thread of a consultation, oldest first",
        parameters=[CONSULT_ID],
        responses={200: ConsultMessageSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Write in the thread (the two hospitals' staff, until the consult is over)",
        parameters=[CONSULT_ID],
        request=ConsultMessageInputSerializer,
        responses={
            201: ConsultMessageSerializer,
            400: _refusal("Invalid input."),
            403: FORBIDDEN,
            409: CONFLICT,
        },
    )
    # The whole thread, not a page of it (a thread is short).
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request: Request, pk: str | None = None) -> Response:
        consult = self.get_object()
        context = {**self.get_serializer_context(), "consult": consult}
        if request.method == "GET":
            return Response(
                ConsultMessageSerializer(thread(consult), many=True, context=context).data
            )
        data = validated(ConsultMessageInputSerializer(data=request.data))
        try:
            message = services.message_post(
                consult=consult,
                by=request.user,
                body=data["body"],
                confirmed=data["confirm_no_identifiers"],
            )
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        return Response(
            ConsultMessageSerializer(message, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"],
        summary="The expert's drawings on the consultation's loops",
        parameters=[CONSULT_ID],
        responses={200: AnnotationSetSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Replace the drawings (the claimer, until answered): the case editor's items",
        parameters=[CONSULT_ID],
        request=AnnotationSetInputSerializer,
        responses={
            200: AnnotationSetSerializer,
            400: _refusal("Invalid items (every problem, by item)."),
            403: FORBIDDEN,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["get", "put"])
    def annotations(self, request: Request, pk: str | None = None) -> Response:
        consult = self.get_object()
        if request.method == "GET":
            return Response(AnnotationSetSerializer(consult).data)
        data = validated(AnnotationSetInputSerializer(data=request.data))
        try:
            saved = services.drawings_replace(consult=consult, by=request.user, **data)
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        return Response(AnnotationSetSerializer(consult, context={"warnings": saved.warnings}).data)

    @extend_schema(
        summary="Make a draft teaching case of an answered consult (consent recorded)",
        description=(
            "An expert of the centre (a case of the centre) or an instructor of the requesting "
            "institution (a case of theirs). The case holds the loops, drawings and structured "
            "answer — never the local reference or the thread — and goes through the usual "
            "review."
        ),
        parameters=[CONSULT_ID],
        request=ConsultTeachingCaseInputSerializer,
        responses={201: ConsultTeachingCaseSerializer, 403: FORBIDDEN, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="teaching-case")
    def teaching_case(self, request: Request, pk: str | None = None) -> Response:
        consult = self.get_object()
        data = validated(ConsultTeachingCaseInputSerializer(data=request.data))
        try:
            result = services.teaching_case_make(consult=consult, by=request.user, **data)
        except SERVICE_ERRORS as exc:
            raise service_error(exc) from exc
        case = result.case
        return Response(
            {"case": case.pk, "url": case.get_absolute_url()}, status=status.HTTP_201_CREATED
        )


class InboxView(generics.ListAPIView):
    """``GET /api/v1/inbox/``."""

    serializer_class = ConsultInboxLoopSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CineLoop.objects.none()
        return inbox_loops(self.request.user)

    @extend_schema(
        summary="Loops your institution's scanners sent (DICOM) that no consult, case or "
        "question uses yet, newest first",
        responses={200: ConsultInboxLoopSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


def _bad(field: str, message: object) -> ApiRefusal:
    return ApiRefusal(f"{field}: {message}", status.HTTP_400_BAD_REQUEST)
