"""Case API: querysets decide what exists for the user (404), edit rights who may change it
(403), ``cases.access`` whether they may read it now (403: their exam in progress, assessment
only), services do the work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from accounts.selectors import institution_by_id
from cases import access, selectors, services
from cases.api.inputs import (
    AnnotationSetInputSerializer,
    AnnotationSetSerializer,
    BookmarkStateSerializer,
    CaseSavedSerializer,
    CaseWriteSerializer,
    ReviewInputSerializer,
    RevisionSerializer,
    WatchInputSerializer,
    WatchStateSerializer,
)
from cases.api.serializers import (
    CaseDetailSerializer,
    CaseSummarySerializer,
)
from cases.filters import filters_from
from cases.models import Case
from core.api import ApiErrorSerializer, id_param

LIBRARY_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Words of the title, diagnosis, findings "
        "or tags (full-text on PostgreSQL, substrings elsewhere).",
    ),
    OpenApiParameter("organ", OpenApiTypes.STR),
    OpenApiParameter("modality", OpenApiTypes.STR),
    OpenApiParameter("category", OpenApiTypes.STR),
    OpenApiParameter("difficulty", OpenApiTypes.INT),
    OpenApiParameter("tag", OpenApiTypes.STR),
    OpenApiParameter("institution", OpenApiTypes.INT),
    OpenApiParameter(
        "status", OpenApiTypes.STR, description="Editors: draft, in_review, published."
    ),
    OpenApiParameter("bookmarked", OpenApiTypes.BOOL),
    OpenApiParameter("reviewed", OpenApiTypes.BOOL),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=["newest", "oldest", "title", "difficulty", "-difficulty", "relevance"],
    ),
]


MALFORMED_FILTER = OpenApiResponse(ApiErrorSerializer, description="A malformed id filter.")
BAD_STATE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Refused by the workflow (field or detail → messages)."
)


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's Django errors as API errors: 400 for validation, 403 for rights."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        raise ValidationError(as_serializer_error(exc)) from exc


@extend_schema_view(
    list=extend_schema(
        summary="Cases the user can see (search, filters, sorting)",
        parameters=LIBRARY_PARAMETERS,
        responses={200: CaseSummarySerializer(many=True), 400: MALFORMED_FILTER},
    ),
    retrieve=extend_schema(summary="A case with its loops, annotations and phase markers"),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CaseDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        user = self.request.user
        if self.action == "list":
            # The pages ignore a malformed filter (a stale link still lists); the API says so.
            id_param(self.request.query_params, "institution")
            cases = selectors.library_cases(user, filters_from(self.request.query_params))
            return selectors.with_tags_and_loops(cases)
        if self.action in ("retrieve", "partial_update", "update"):
            return selectors.detail_cases(user)
        return Case.objects.open_to(user)

    def get_serializer_class(self):
        return CaseSummarySerializer if self.action == "list" else CaseDetailSerializer

    def get_object(self) -> Case:
        """The case, unless ``cases.access`` refuses it to the user now (403 saying why):
        every operation on one case goes through here."""
        case = super().get_object()
        refusal = access.case_refusal(self.request.user, case)
        if refusal:
            raise PermissionDenied(refusal)
        return case

    def _editable(self) -> Case:
        case = self.get_object()
        if not case.is_editable_by(self.request.user):
            raise PermissionDenied(_("You cannot edit this case."))
        return case

    def _saved(self, case: Case, warnings, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.detail_cases(self.request.user).get(pk=case.pk)
        context = {**self.get_serializer_context(), "warnings": warnings}
        return Response(CaseSavedSerializer(fresh, context=context).data, status=code)

    @extend_schema(
        summary="Create a draft case (instructors)",
        request=CaseWriteSerializer,
        responses={201: CaseSavedSerializer},
    )
    def create(self, request: Request) -> Response:
        if not request.user.can_author:
            raise PermissionDenied(_("Only instructors can create cases."))
        serializer = CaseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.service_kwargs()
        institution = data.pop("institution", None)
        if institution is not None:
            data["institution"] = institution_by_id(institution)
            if data["institution"] is None:
                raise ValidationError({"institution": [_("Unknown institution.")]})
        with service_errors():
            result = services.case_create(by=request.user, **data)
        return self._saved(result.case, result.warnings, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a case's details (its editors)",
        request=CaseWriteSerializer,
        responses={200: CaseSavedSerializer},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change a case (its editors); only the fields sent",
        request=CaseWriteSerializer,
        responses={200: CaseSavedSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        case = self._editable()
        serializer = CaseWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.service_kwargs()
        if data.pop("institution", case.institution_id) != case.institution_id:
            raise ValidationError({"institution": [_("A case cannot change institution.")]})
        with service_errors():
            result = services.case_update(case=case, by=request.user, **data)
        return self._saved(result.case, result.warnings)

    @extend_schema(
        summary="Annotations and phase markers of the case",
        responses=AnnotationSetSerializer,
    )
    @action(detail=True, methods=["get"], url_path="annotations")
    def annotations(self, request: Request, pk: str | None = None) -> Response:
        case = selectors.detail_cases(request.user).get(pk=self.get_object().pk)
        return Response(AnnotationSetSerializer(case).data)

    @extend_schema(
        summary="Replace all annotations and phase markers at once (editors)",
        description=(
            "Items with an id are updated, items without one created, the rest deleted — all "
            "or nothing. ROIs (ellipse/polygon with a role) whose geometry changed get their "
            "time-intensity curve recomputed in the background; measurements get length_mm "
            "(400 when the two ends are not in one calibrated region)."
        ),
        request=AnnotationSetInputSerializer,
        responses=AnnotationSetSerializer,
    )
    @annotations.mapping.put
    def replace_annotations(self, request: Request, pk: str | None = None) -> Response:
        case = self._editable()
        serializer = AnnotationSetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            saved = services.annotations_replace(
                case=case,
                by=request.user,
                annotations=serializer.validated_data["annotations"],
                phase_markers=serializer.validated_data["phase_markers"],
            )
        fresh = selectors.detail_cases(request.user).get(pk=case.pk)
        context = {"warnings": saved.warnings}
        return Response(AnnotationSetSerializer(fresh, context=context).data)

    @extend_schema(
        summary="Player heartbeat: seconds really played since the last one",
        request=WatchInputSerializer,
        responses=WatchStateSerializer,
    )
    @action(detail=True, methods=["post"])
    def watch(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        serializer = WatchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            state = services.watch_heartbeat(
                case=case,
                user=request.user,
                loop_id=data["loop"],
                played_s=data["played_s"],
                position_s=data["position_s"],
            )
        return Response(WatchStateSerializer(state).data)

    @extend_schema(
        summary="Bookmark the case, or remove the bookmark",
        request=None,
        responses=BookmarkStateSerializer,
    )
    @action(detail=True, methods=["post"])
    def bookmark(self, request: Request, pk: str | None = None) -> Response:
        bookmarked = services.bookmark_toggle(case=self.get_object(), user=request.user)
        return Response(BookmarkStateSerializer({"bookmarked": bookmarked}).data)

    @extend_schema(
        summary="Send a draft for review (editors)",
        request=None,
        responses={200: CaseSavedSerializer, 400: BAD_STATE},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        case = self._editable()
        with service_errors():
            services.case_submit_for_review(case=case, by=request.user)
        return self._saved(case, [])

    @extend_schema(
        summary="Publish (approve) or return a case in review (another instructor)",
        request=ReviewInputSerializer,
        responses=CaseSavedSerializer,
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        case = self._editable()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.case_review(
                case=case,
                by=request.user,
                approve=serializer.validated_data["decision"] == "approve",
                comment=serializer.validated_data["comment"],
            )
        return self._saved(case, [])

    @extend_schema(
        summary="Revisions of a published case (editors)", responses=RevisionSerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        case = self._editable()
        return Response(RevisionSerializer(selectors.case_history(case), many=True).data)
