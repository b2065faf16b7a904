"""API request bodies and the small responses of the case actions (writes go through
``cases.services`` in the views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import (
    AnnotationSerializer,
    CaseDetailSerializer,
    FindingsSerializer,
    PhaseMarkerSerializer,
    flatten_findings,
)
from cases.models import (
    Annotation,
    AnnotationKind,
    Case,
    Modality,
    Organ,
    PhaseKind,
    RoiCurve,
    RoiRole,
    TicStatus,
)
from cases.services.tic import Curve, error_text
from core.api import IdField


class LoopInputSerializer(serializers.Serializer):
    loop = IdField(help_text="A cine loop id of your institution.")
    caption = serializers.CharField(max_length=200, allow_blank=True, default="")
    starts_after_injection_s = serializers.FloatField(allow_null=True, default=None)


class CaseWriteSerializer(serializers.Serializer):
    """Create (title and organ required) or change a case; status changes have own actions."""

    title = serializers.CharField(max_length=200)
    organ = serializers.ChoiceField(choices=Organ.choices)
    modality = serializers.ChoiceField(choices=Modality.choices, required=False)
    visibility = serializers.ChoiceField(
        choices=Case._meta.get_field("visibility").choices, required=False
    )
    assessment_only = serializers.BooleanField(
        required=False, help_text=Case._meta.get_field("assessment_only").help_text
    )
    contrast_agent = serializers.CharField(max_length=100, allow_blank=True, required=False)
    contrast_dose = serializers.CharField(max_length=100, allow_blank=True, required=False)
    injection_time_s = serializers.FloatField(allow_null=True, required=False)
    dynamic_range_db = serializers.FloatField(required=False)
    clinical_history = serializers.CharField(allow_blank=True, required=False)
    findings = FindingsSerializer(required=False)
    category = serializers.CharField(max_length=50, allow_blank=True, required=False)
    final_diagnosis = serializers.CharField(max_length=300, allow_blank=True, required=False)
    proof = serializers.ChoiceField(
        choices=Case._meta.get_field("proof").choices, allow_blank=True, required=False
    )
    certainty = serializers.ChoiceField(
        choices=Case._meta.get_field("certainty").choices, allow_blank=True, required=False
    )
    teaching_points = serializers.CharField(allow_blank=True, required=False)
    references = serializers.CharField(allow_blank=True, required=False)
    difficulty = serializers.ChoiceField(
        choices=Case._meta.get_field("difficulty").choices, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    loops = LoopInputSerializer(many=True, required=False, help_text="In teaching order.")
    institution = IdField(required=False, help_text="Owner on creation; site administrators only.")

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        data.update(flatten_findings(data.pop("findings", {}) or {}))
        return data


class PhiWarningSerializer(serializers.Serializer):
    field = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()


class CaseSavedSerializer(CaseDetailSerializer):
    warnings = serializers.SerializerMethodField(
        help_text="Text that looks like a patient identifier (saved anyway)."
    )

    class Meta(CaseDetailSerializer.Meta):
        fields = [*CaseDetailSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    @extend_schema_field(PhiWarningSerializer(many=True))
    def get_warnings(self, case: Case) -> list[dict[str, Any]]:
        return [w.as_dict() for w in self.context.get("warnings", [])]

    def to_representation(self, case: Case) -> dict[str, Any]:
        return {**super().to_representation(case), "warnings": self.get_warnings(case)}


class AnnotationInputSerializer(serializers.Serializer):
    id = IdField(required=False, allow_null=True, help_text="Omit for new items.")
    loop = IdField()
    kind = serializers.ChoiceField(choices=AnnotationKind.choices)
    geometry = serializers.JSONField(help_text="Original image pixels; shape depends on kind.")
    label = serializers.CharField(max_length=200, allow_blank=True, default="")
    t_start = serializers.FloatField(allow_null=True, default=None)
    t_end = serializers.FloatField(allow_null=True, default=None)
    roi_role = serializers.ChoiceField(choices=RoiRole.choices, allow_blank=True, default="")


class PhaseMarkerInputSerializer(serializers.Serializer):
    id = IdField(required=False, allow_null=True)
    loop = IdField()
    kind = serializers.ChoiceField(choices=PhaseKind.choices)
    time_s = serializers.FloatField()


class AnnotationSetInputSerializer(serializers.Serializer):
    annotations = AnnotationInputSerializer(many=True)
    phase_markers = PhaseMarkerInputSerializer(many=True)


class AnnotationSetSerializer(serializers.Serializer):
    """A case's annotations and phase markers (the case from ``selectors.detail_cases``) — or
    a consultation's, which has the same two sets; after a change, also the ``warnings`` given
    in the context (``PhiWarning``)."""

    annotations = AnnotationSerializer(many=True)
    phase_markers = PhaseMarkerSerializer(many=True)
    warnings = PhiWarningSerializer(
        many=True,
        required=False,
        help_text="After a change: text that looks like a patient identifier (saved anyway).",
    )

    def to_representation(self, case: Case) -> dict[str, Any]:
        data = {
            "annotations": AnnotationSerializer(case.annotations.all(), many=True).data,
            "phase_markers": PhaseMarkerSerializer(case.phase_markers.all(), many=True).data,
        }
        if "warnings" in self.context:
            data["warnings"] = [w.as_dict() for w in self.context["warnings"]]
        return data


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "return"])
    comment = serializers.CharField(allow_blank=True, default="")


class WatchInputSerializer(serializers.Serializer):
    loop = IdField()
    played_s = serializers.FloatField(min_value=0, help_text="Seconds played since the last beat.")
    position_s = serializers.FloatField(min_value=0)


class WatchStateSerializer(serializers.Serializer):
    watched_s = serializers.FloatField()
    required_s = serializers.FloatField()
    reviewed = serializers.BooleanField()


class BookmarkStateSerializer(serializers.Serializer):
    bookmarked = serializers.BooleanField()


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="revision.number")
    event = serializers.CharField(source="revision.event")
    author = serializers.CharField(source="revision.author", allow_null=True)
    created_at = serializers.DateTimeField(source="revision.created_at")
    changed = serializers.ListField(child=serializers.CharField())
    snapshot = serializers.JSONField(source="revision.snapshot")


@dataclass(frozen=True)
class AdHocTic:
    """A curve computed on request for an ROI given in the query (not stored)."""

    roi: str  # as given
    dynamic_range_db: float
    from_injection: bool  # times count from the case's injection, else from the recording
    curve: Curve | None  # None: it could not be computed (``error`` says why)
    error: str = ""


class TicSerializer(serializers.Serializer):
    """A time-intensity curve: an annotation's stored ``RoiCurve`` (the annotation in
    ``context["annotation"]``), or an ``AdHocTic``."""

    status = serializers.ChoiceField(choices=TicStatus.choices)
    roi = serializers.JSONField(help_text="The annotation id, or the ad-hoc ROI as given.")
    role = serializers.CharField(allow_blank=True)
    domain = serializers.CharField(help_text="Always 'linear': grey levels linearised first.")
    dynamic_range_db = serializers.FloatField()
    time_origin = serializers.ChoiceField(choices=["injection", "recording"])
    times_s = serializers.ListField(child=serializers.FloatField())
    values = serializers.ListField(child=serializers.FloatField())
    parameters = serializers.JSONField(allow_null=True)
    error = serializers.CharField(allow_blank=True)

    def to_representation(self, tic: RoiCurve | AdHocTic) -> dict[str, Any]:
        if isinstance(tic, AdHocTic):
            return _ad_hoc(tic)
        annotation: Annotation = self.context["annotation"]
        return {
            "status": tic.status,
            "roi": annotation.pk,
            "role": annotation.roi_role,
            "domain": "linear",
            "dynamic_range_db": tic.dynamic_range_db,
            "time_origin": "injection" if tic.injection_time_s is not None else "recording",
            "times_s": tic.times_s,
            "values": tic.values,
            "parameters": tic.parameters,
            "error": error_text(tic.error),
        }


def _ad_hoc(tic: AdHocTic) -> dict[str, Any]:
    result: dict[str, Any] = {
        "roi": tic.roi,
        "role": "",
        "domain": "linear",
        "dynamic_range_db": tic.dynamic_range_db,
        "time_origin": "injection" if tic.from_injection else "recording",
        "times_s": [],
        "values": [],
        "parameters": None,
        "error": "",
    }
    if tic.curve is None:
        return {**result, "status": "failed", "error": tic.error}
    return {
        **result,
        "status": "ready",
        **tic.curve.to_json(),
    }
