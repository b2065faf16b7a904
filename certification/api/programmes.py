"""Programme API: ``GET /api/v1/programmes/`` and ``GET /api/v1/programmes/{id}/progress/``.

A programme is listed when it is published with a version in force and the user may see it,
or when the user manages it (drafts included). Progress is the user's own; for those who
manage the programme (``certificates.can_manage``) it is the cohort — every trainee who can
follow it, narrowed by ``?institution=`` and ``?cohort=`` — from one ``evaluate_many`` call.

Responses come from the output serializers below (their ``to_representation`` builds each
payload; the declared fields are its schema). Text fields are CharFields, not enums: "kind"
and "status" already name other enums.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from certification import selectors
from certification.models import Programme, ProgrammeVersion
from certification.services.certificates import can_manage
from certification.services.evaluation import (
    ProgrammeProgress,
    current_version,
    evaluate,
)
from core.api import parse_id

# --- Output serializers ----------------------------------------------------------------------


class ProgrammeErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class RequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="courses, quiz, cases, scans, cme or prerequisite.")
    stage = serializers.CharField(help_text="both, initial or recertification.")
    title = serializers.CharField(help_text="The title, or a description of the kind.")
    order = serializers.IntegerField()


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    counts_from = serializers.DateTimeField(allow_null=True)
    requirements = RequirementSerializer(many=True)


class ProgrammeSerializer(serializers.Serializer):
    """A programme as the request's user sees it (``manages``: may see the cohort, issue)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    institution = serializers.CharField()
    validity_months = serializers.IntegerField()
    published = serializers.BooleanField(help_text="False: a draft, listed to its managers.")
    manages = serializers.BooleanField(help_text="The user may see the cohort and issue.")
    version = VersionSerializer(allow_null=True, help_text="The version in force, if any.")

    def to_representation(self, programme: Programme) -> dict[str, Any]:
        version = current_version(programme)
        version_data = None
        if version is not None:
            version_data = {
                "number": version.number,
                "published_at": version.published_at,
                "counts_from": version.counts_from,
                "requirements": [
                    {
                        "id": req.pk,
                        "kind": req.kind,
                        "stage": req.stage,
                        "title": str(req),
                        "order": req.order,
                    }
                    for req in selectors.requirements_in_order(version)
                ],
            }
        return {
            "id": programme.pk,
            "slug": programme.slug,
            "title": programme.title,
            "description": programme.description,
            "institution": str(programme.institution),
            "validity_months": programme.validity_months,
            "published": programme.status == "published",
            "manages": can_manage(self.context["request"].user, programme),
            "version": version_data,
        }


class RequirementProgressSerializer(serializers.Serializer):
    requirement = serializers.IntegerField()
    done = serializers.FloatField()
    needed = serializers.FloatField()
    met = serializers.BooleanField()
    summary = serializers.CharField(help_text="Translated, e.g. '12 of 25 supervised scans'.")
    left = serializers.CharField(help_text="What is left, translated; empty when met.")


class TraineeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    institution = serializers.CharField(allow_null=True)


class TraineeProgressSerializer(serializers.Serializer):
    """One trainee's ``ProgrammeProgress`` (the instance: ``(user, progress)``)."""

    user = TraineeSerializer()
    stage = serializers.CharField(help_text="initial or recertification.")
    percent = serializers.IntegerField()
    met = serializers.BooleanField()
    requirements = RequirementProgressSerializer(many=True)

    def to_representation(self, row: tuple[Any, ProgrammeProgress]) -> dict[str, Any]:
        user, progress = row
        return {
            "user": {
                "id": user.pk,
                "username": user.username,
                "name": user.get_full_name(),
                "institution": str(user.institution) if user.institution_id else None,
            },
            "stage": str(progress.stage),
            "percent": progress.percent,
            "met": progress.met,
            "requirements": [
                {
                    "requirement": rp.requirement.pk,
                    "done": rp.done,
                    "needed": rp.needed,
                    "met": rp.met,
                    "summary": rp.summary,
                    "left": rp.left,
                }
                for rp in progress.requirements
            ],
        }


@dataclass(frozen=True)
class ProgrammeProgressReport:
    programme: Programme
    version: ProgrammeVersion | None
    scope: str  # "own", or "cohort" for those who manage the programme
    results: list[tuple[Any, ProgrammeProgress]]  # (trainee, progress)


class ProgressSerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True)
    scope = serializers.CharField(help_text="own, or cohort for those who manage it.")
    results = TraineeProgressSerializer(many=True, help_text="Highest progress first.")

    def to_representation(self, report: ProgrammeProgressReport) -> dict[str, Any]:
        return {
            "programme": report.programme.pk,
            "version": report.version.number if report.version else None,
            "scope": report.scope,
            "results": [TraineeProgressSerializer(row).data for row in report.results],
        }


# --- Views -----------------------------------------------------------------------------------

INSTITUTION = OpenApiParameter(
    "institution",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="Managers only: trainees of this institution.",
)
COHORT = OpenApiParameter(
    "cohort",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    required=False,
    description="Managers only: members of this cohort.",
)
PROGRAMME_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A programme's id."
)


def _choice(queryset, value: str | None, name: str):
    """The row of ``queryset`` named by a query parameter; 400 for anything else."""
    if value in (None, ""):
        return None
    pk = parse_id(value)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ParseError(_("Unknown %(name)s: %(value)s.") % {"name": name, "value": value})
    return found


class ProgrammeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgrammeSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        return selectors.programmes_listed_for(self.request.user)

    @extend_schema(summary="Certification programmes the user can follow or manages")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(
        summary="Progress on a programme: the user's own, or the cohort for its managers",
        parameters=[PROGRAMME_ID, INSTITUTION, COHORT],
        responses={
            200: ProgressSerializer,
            400: OpenApiResponse(ProgrammeErrorSerializer, description="An unknown filter value."),
            404: OpenApiResponse(ProgrammeErrorSerializer, description="Not visible to the user."),
        },
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        user = request.user
        version = current_version(programme)
        if can_manage(user, programme):
            institution = _choice(
                selectors.institution_choices(programme, user),
                request.query_params.get("institution"),
                "institution",
            )
            cohort = _choice(
                selectors.cohort_choices(programme, user),
                request.query_params.get("cohort"),
                "cohort",
            )
            trainees = selectors.cohort_trainees(
                programme, viewer=user, institution=institution, cohort=cohort
            )
            table = selectors.cohort_table(programme, trainees)
            results = [(row.trainee, row.progress) for row in table.rows]
            scope = "cohort"
        else:
            results = [(user, evaluate(user, programme))]
            scope = "own"
        report = ProgrammeProgressReport(programme, version, scope, results)
        return Response(ProgressSerializer(report).data)
