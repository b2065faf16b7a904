"""API representations of cases. Writes go through ``cases.services`` in the views.

``CaseDetailSerializer`` is THE case payload: the API detail returns it and the case page
embeds the same dict (``case_json``) for the viewer.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import payload
from cases.models import (
    Annotation,
    ArterialPattern,
    Case,
    Certainty,
    Enhancement,
    PhaseMarker,
    Proof,
    RoiRole,
    TicStatus,
    WashoutDegree,
)
from core.content_language import FALLBACK_HELP

# --- Nested read shapes (documentation of plain dicts built in cases.payload) ----------------


class RegionSerializer(serializers.Serializer):
    bounds = serializers.ListField(
        child=serializers.IntegerField(), help_text="[x0, y0, x1, y1], inclusive pixels."
    )
    spatial_format = serializers.CharField()
    data_type = serializers.CharField()
    cm_per_px_x = serializers.FloatField(allow_null=True)
    cm_per_px_y = serializers.FloatField(allow_null=True)


class ThumbnailsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    tile_width = serializers.IntegerField()
    tile_height = serializers.IntegerField()
    frame_indices = serializers.ListField(child=serializers.IntegerField())


class PhaseBandSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=["arterial", "portal_venous", "late"])
    start_s = serializers.FloatField()
    end_s = serializers.FloatField()


class RenditionSerializer(serializers.Serializer):
    """One quality of a loop's video (``cineloops.playback``): the same frames at the same
    timestamps in every one."""

    name = serializers.ChoiceField(
        choices=["high", "medium", "low"], help_text="high is video_url's video."
    )
    url = serializers.CharField(help_text="Served like video_url (Range requests).")
    width = serializers.IntegerField(help_text="Pixels; the whole source frame fills them.")
    height = serializers.IntegerField()
    kbps = serializers.IntegerField(
        help_text="Mean bitrate, kbit/s; 0 when not measured (a loop made before renditions)."
    )


class CaseLoopSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The cine loop's id.")
    order = serializers.IntegerField()
    caption = serializers.CharField()
    status = serializers.CharField()
    fps = serializers.FloatField(allow_null=True)
    frames = serializers.IntegerField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    rows = serializers.IntegerField(allow_null=True)
    columns = serializers.IntegerField(allow_null=True)
    video_url = serializers.CharField(allow_null=True)
    renditions = RenditionSerializer(
        many=True, help_text="The video at each quality there is, highest first."
    )
    poster_url = serializers.CharField(allow_null=True)
    thumbnails_url = serializers.CharField(allow_null=True)
    thumbnails = ThumbnailsSerializer(allow_null=True)
    regions = RegionSerializer(many=True)
    injection_time_s = serializers.FloatField(
        allow_null=True,
        help_text="Injection time on this loop's timeline (first loop: the case's t0).",
    )
    starts_after_injection_s = serializers.FloatField(allow_null=True)
    phase_bands = PhaseBandSerializer(many=True)


class EnhancementSerializer(serializers.Serializer):
    enhancement = serializers.ChoiceField(choices=Enhancement.choices, allow_blank=True)


class ArterialSerializer(EnhancementSerializer):
    pattern = serializers.ChoiceField(choices=ArterialPattern.choices, allow_blank=True)


class FindingsSerializer(serializers.Serializer):
    arterial = ArterialSerializer(required=False)
    portal_venous = EnhancementSerializer(required=False)
    late = EnhancementSerializer(required=False)
    washout_onset_s = serializers.FloatField(allow_null=True, required=False)
    washout_degree = serializers.ChoiceField(
        choices=WashoutDegree.choices, allow_blank=True, required=False
    )


def flatten_findings(findings: dict[str, Any]) -> dict[str, Any]:
    """Nested findings (as read) → the model's field names; only what was sent."""
    flat: dict[str, Any] = {}
    for phase in ("arterial", "portal_venous", "late"):
        for key, value in (findings.get(phase) or {}).items():
            flat[f"{phase}_{key}"] = value
    for key in ("washout_onset_s", "washout_degree"):
        if key in findings:
            flat[key] = findings[key]
    return flat


class AnnotationSerializer(serializers.ModelSerializer):
    tic_status = serializers.SerializerMethodField(
        help_text="Status of the ROI's time-intensity curve; null when it has none."
    )

    class Meta:
        model = Annotation
        fields = [
            "id",
            "loop",
            "kind",
            "geometry",
            "label",
            "t_start",
            "t_end",
            "roi_role",
            "length_mm",
            "tic_status",
        ]
        read_only_fields = fields

    roi_role = serializers.ChoiceField(choices=RoiRole.choices, allow_blank=True, read_only=True)

    @extend_schema_field(serializers.ChoiceField(choices=TicStatus.choices, allow_null=True))
    def get_tic_status(self, annotation: Annotation) -> str | None:
        return payload.annotation_dict(annotation)["tic_status"]

    def to_representation(self, annotation: Annotation) -> dict[str, Any]:
        return payload.annotation_dict(annotation)


class PhaseMarkerSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseMarker
        fields = ["id", "loop", "kind", "time_s"]
        read_only_fields = fields

    def to_representation(self, marker: PhaseMarker) -> dict[str, Any]:
        return payload.marker_dict(marker)


class DisplaySerializer(serializers.Serializer):
    """Labels of the coded fields in the reader's language."""

    organ = serializers.CharField()
    modality = serializers.CharField()
    status = serializers.CharField()
    visibility = serializers.CharField()
    difficulty = serializers.CharField()
    proof = serializers.CharField()
    certainty = serializers.CharField()
    arterial_enhancement = serializers.CharField()
    arterial_pattern = serializers.CharField()
    portal_venous_enhancement = serializers.CharField()
    late_enhancement = serializers.CharField()
    washout_degree = serializers.CharField()


class CaseDetailSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    fallback = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text=FALLBACK_HELP
    )
    clinical_history_html = serializers.CharField(read_only=True)
    teaching_points_html = serializers.CharField(read_only=True)
    references_html = serializers.CharField(read_only=True)
    findings = serializers.SerializerMethodField()
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    can_edit = serializers.SerializerMethodField()
    loops = serializers.SerializerMethodField()
    annotations = AnnotationSerializer(many=True, read_only=True)
    phase_markers = PhaseMarkerSerializer(many=True, read_only=True)
    phase_bands = serializers.SerializerMethodField(
        help_text="Phase bands on the first loop's timeline (markers, else EFSUMB defaults)."
    )
    tics_url_template = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    # Blank until the author sets them: "" is part of the enum.
    proof = serializers.ChoiceField(choices=Proof.choices, allow_blank=True, read_only=True)
    certainty = serializers.ChoiceField(choices=Certainty.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "organ",
            "modality",
            "contrast_agent",
            "contrast_dose",
            "injection_time_s",
            "dynamic_range_db",
            "clinical_history",
            "clinical_history_html",
            "findings",
            "category",
            "final_diagnosis",
            "proof",
            "certainty",
            "teaching_points",
            "teaching_points_html",
            "references",
            "references_html",
            "difficulty",
            "tags",
            "status",
            "visibility",
            "assessment_only",
            "institution",
            "institution_name",
            "fallback",
            "can_edit",
            "loops",
            "annotations",
            "phase_markers",
            "phase_bands",
            "tics_url_template",
            "display",
            "url",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, case: Case) -> dict[str, Any]:
        # The declared fields document the shape; cases.payload builds it (far faster).
        return payload.case_detail(case, can_edit=self.get_can_edit(case))

    @extend_schema_field(FindingsSerializer)
    def get_findings(self, case: Case) -> dict[str, Any]:
        return payload.findings_of(case)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_can_edit(self, case: Case) -> bool:
        request = self.context.get("request")
        return bool(request and case.is_editable_by(request.user))

    @extend_schema_field(CaseLoopSerializer(many=True))
    def get_loops(self, case: Case) -> list[dict[str, Any]]:
        return payload.loop_entries(case)

    @extend_schema_field(PhaseBandSerializer(many=True))
    def get_phase_bands(self, case: Case) -> list[dict[str, Any]]:
        return payload.case_bands(case)

    @extend_schema_field(OpenApiTypes.STR)
    def get_tics_url_template(self, case: Case) -> str:
        return payload.TICS_URL_TEMPLATE

    @extend_schema_field(DisplaySerializer)
    def get_display(self, case: Case) -> dict[str, str]:
        return payload.display_of(case)

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, case: Case) -> str:
        return payload.page_url(case)


class CaseSummarySerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    poster_url = serializers.SerializerMethodField()
    loop_count = serializers.SerializerMethodField()
    is_bookmarked = serializers.BooleanField(read_only=True)
    is_reviewed = serializers.BooleanField(read_only=True)
    display = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "title",
            "organ",
            "modality",
            "category",
            "final_diagnosis",
            "difficulty",
            "tags",
            "status",
            "visibility",
            "institution",
            "institution_name",
            "poster_url",
            "loop_count",
            "is_bookmarked",
            "is_reviewed",
            "display",
            "url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_poster_url(self, case: Case) -> str | None:
        return payload.poster_url(case)

    @extend_schema_field(OpenApiTypes.INT)
    def get_loop_count(self, case: Case) -> int:
        return len(case.case_loops.all())

    @extend_schema_field(DisplaySerializer)
    def get_display(self, case: Case) -> dict[str, str]:
        return payload.display_of(case)

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, case: Case) -> str:
        return payload.page_url(case)
