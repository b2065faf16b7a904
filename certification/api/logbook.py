"""Logbook API: ``GET/POST /api/v1/logbook/``, ``GET /api/v1/logbook/{id}/``,
``POST /api/v1/logbook/{id}/review/``.

Querysets decide what exists for the user (another institution's entry is a 404);
``certification.services.logbook`` does the work and checks the rules again. Errors are
``{"detail": message}``: 400 invalid input (and, when the text looks like a patient
identifier and ``confirm_no_identifiers`` is not true, 400 with ``phi_warnings``), 403 not
allowed to review, 404 not visible, 409 already signed off.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cases.models import Organ
from certification import selectors
from certification.models import Adequacy, EntryStatus, ExamType, LogbookEntry
from certification.services import logbook as services
from core.api import ApiRefusal, IdField, id_param, service_refusal, validated

# --- Serializers ---------------------------------------------------------------------------


def _person(user: User | None) -> dict[str, object] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class LogbookErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LogbookPhiWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()


class LogbookUnconfirmedSerializer(LogbookErrorSerializer):
    phi_warnings = LogbookPhiWarningSerializer(
        many=True, required=False, help_text="Only when the text looks like an identifier."
    )


class LogbookLoopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    status = serializers.CharField()
    poster_url = serializers.CharField(allow_null=True)


class LogbookPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LogbookEntrySerializer(serializers.Serializer):
    """What an entry looks like to those who may see it (the reader: the request's user);
    a loop's poster only for a reader who may see the loop."""

    id = serializers.IntegerField()
    trainee = LogbookPersonSerializer()
    performed_on = serializers.DateField()
    exam_type = serializers.CharField()
    exam_type_display = serializers.CharField()
    organ = serializers.CharField()
    contrast_agent = serializers.CharField()
    indication = serializers.CharField()
    findings = serializers.CharField()
    impression = serializers.CharField()
    loops = LogbookLoopSerializer(many=True)
    supervisor = LogbookPersonSerializer(allow_null=True)
    corrects = serializers.IntegerField(allow_null=True)
    corrected_by = serializers.ListField(child=serializers.IntegerField())
    phi_warnings = LogbookPhiWarningSerializer(many=True)
    status = serializers.CharField(help_text="pending, approved or rejected.")
    adequacy = serializers.CharField(help_text="good, adequate, inadequate or empty.")
    review_comment = serializers.CharField()
    reviewed_by = LogbookPersonSerializer(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, entry: LogbookEntry) -> dict[str, Any]:
        loops = list(entry.loops.all())
        visible = selectors.visible_loop_ids(self.context["request"].user, loops)
        messages = services.warning_messages(entry.phi_warnings)
        return {
            "id": entry.pk,
            "trainee": _person(entry.trainee),
            "performed_on": entry.performed_on,
            "exam_type": entry.exam_type,
            "exam_type_display": entry.get_exam_type_display(),
            "organ": entry.organ,
            "contrast_agent": entry.contrast_agent,
            "indication": entry.indication,
            "findings": entry.findings,
            "impression": entry.impression,
            "loops": [
                {
                    "id": loop.pk,
                    "label": loop.display_label,
                    "status": loop.status,
                    "poster_url": loop.media_url("poster") if loop.pk in visible else None,
                }
                for loop in loops
            ],
            "supervisor": _person(entry.supervisor),
            "corrects": entry.corrects_id,
            "corrected_by": [c.pk for c in entry.corrections.all()],
            "phi_warnings": [
                {**warning, "message": message}
                for warning, message in zip(entry.phi_warnings, messages, strict=True)
            ],
            "status": entry.status,
            "adequacy": entry.adequacy,
            "review_comment": entry.review_comment,
            "reviewed_by": _person(entry.reviewed_by),
            "reviewed_at": entry.reviewed_at,
            "created_at": entry.created_at,
        }


class LogbookEntryInputSerializer(serializers.Serializer):
    performed_on = serializers.DateField()
    exam_type = serializers.ChoiceField(choices=ExamType.choices)
    organ = serializers.ChoiceField(choices=Organ.choices)
    contrast_agent = serializers.CharField(max_length=100, allow_blank=True, default="")
    indication = serializers.CharField(max_length=services.MAX_TEXT)
    findings = serializers.CharField(max_length=services.MAX_TEXT)
    impression = serializers.CharField(max_length=services.MAX_TEXT)
    loops = serializers.ListField(
        child=IdField(),
        max_length=50,
        default=list,
        help_text="Ids of ready cine loops you may see.",
    )
    supervisor = IdField(
        allow_null=True, default=None, help_text="An instructor of your institution."
    )
    corrects = IdField(
        allow_null=True, default=None, help_text="The approved or rejected entry this corrects."
    )
    confirm_no_identifiers = serializers.BooleanField(
        default=False, help_text="Required when the text looks like a patient identifier."
    )


class LogbookReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=services.Decision.CHOICES)
    adequacy = serializers.ChoiceField(
        choices=Adequacy.choices, allow_blank=True, default="", help_text="Required to approve."
    )
    comment = serializers.CharField(
        max_length=services.MAX_TEXT, allow_blank=True, default="", help_text="Required to reject."
    )


# --- Errors --------------------------------------------------------------------------------


def _service_error(exc: DjangoValidationError | DjangoPermissionDenied) -> ApiRefusal:
    warnings = None
    if isinstance(exc, services.UnconfirmedIdentifiers):
        messages = services.warning_messages(exc.warnings)
        warnings = [{**w, "message": m} for w, m in zip(exc.warnings, messages, strict=True)]
    return service_refusal(
        exc, conflicts=("not_pending", "already_corrected"), phi_warnings=warnings
    )


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(LogbookErrorSerializer, description=description)


ENTRY_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A logbook entry's id."
)
NOT_FOUND = _error("Not an entry the user may see.")


# --- Views ---------------------------------------------------------------------------------


class LogbookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LogbookEntrySerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LogbookEntry.objects.none()
        if self.action != "list":
            return selectors.logbook_entries(self.request.user)
        params = self.request.query_params
        return selectors.logbook_entries(
            self.request.user,
            status=params.get("status", ""),
            exam_type=params.get("exam_type", ""),
            trainee=id_param(params, "trainee"),
        )

    @extend_schema(
        summary="Logbook entries: your own; an instructor's or director's institution's",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=EntryStatus.values),
            OpenApiParameter("exam_type", OpenApiTypes.STR, enum=ExamType.values),
            OpenApiParameter("trainee", OpenApiTypes.INT, description="A trainee's user id."),
        ],
        responses={200: LogbookEntrySerializer(many=True), 400: _error("A malformed trainee id.")},
    )
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(
        summary="A logbook entry with its review",
        parameters=[ENTRY_ID],
        responses={200: LogbookEntrySerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Log a scan (or a correction of a signed-off entry, with `corrects`)",
        description=(
            "Free text that looks like a patient identifier (names, ID, phone or record "
            "numbers, dates of birth) is refused with 400 and `phi_warnings` unless "
            "`confirm_no_identifiers` is true; the warnings are then stored with the entry."
        ),
        request=LogbookEntryInputSerializer,
        responses={
            201: LogbookEntrySerializer,
            400: OpenApiResponse(LogbookUnconfirmedSerializer, description="Invalid input."),
            404: _error("`corrects` is not one of your entries."),
            409: _error("The entry to correct already has a correction."),
        },
    )
    def create(self, request: Request) -> Response:
        data = validated(LogbookEntryInputSerializer(data=request.data))
        user = request.user
        loop_ids = data.pop("loops")
        loops = selectors.loops_by_ids(loop_ids)
        if len(loops) != len(set(loop_ids)):
            raise ApiRefusal(f"loops: {services.LOOPS_REFUSED}", status.HTTP_400_BAD_REQUEST)
        supervisor_id = data.pop("supervisor")
        data["supervisor"] = None
        if supervisor_id is not None:
            data["supervisor"] = selectors.supervisor_for(user, supervisor_id)
            if data["supervisor"] is None:
                raise ApiRefusal(
                    f"supervisor: {services.SUPERVISOR_REFUSED}", status.HTTP_400_BAD_REQUEST
                )
        corrects_id = data.pop("corrects")
        kwargs = {"data": data, "loops": loops, "confirmed": data.pop("confirm_no_identifiers")}
        try:
            if corrects_id is None:
                result = services.entry_create(trainee=user, **kwargs)
            else:
                old = selectors.own_entry(user, corrects_id)
                if old is None:
                    raise NotFound
                result = services.entry_correct(entry=old, by=user, **kwargs)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _service_error(exc) from exc
        entry = self.get_queryset().get(pk=result.entry.pk)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve or reject a pending entry (instructors of the trainee's institution)",
        parameters=[ENTRY_ID],
        request=LogbookReviewInputSerializer,
        responses={
            200: LogbookEntrySerializer,
            400: _error("Invalid input: adequacy is required to approve, a comment to reject."),
            403: _error("Not allowed to sign off this entry (e.g. your own, or a director)."),
            404: NOT_FOUND,
            409: _error("Already signed off."),
        },
    )
    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        data = validated(LogbookReviewInputSerializer(data=request.data))
        try:
            services.entry_review(entry=entry, by=request.user, **data)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise _service_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)
