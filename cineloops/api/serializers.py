"""API representations of cine loops and uploads. Read-only: uploads go through
``cineloops.services`` and ``cineloops.resumable``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cineloops.models import CineLoop, ResumableUpload
from cineloops.resumable import upload_batch
from core.api import IdField


class LoopFilesSerializer(serializers.Serializer):
    """Where the de-identified outputs are served (each null when absent)."""

    video = serializers.URLField(allow_null=True, help_text="H.264 MP4 at the native frame rate.")
    poster = serializers.URLField(allow_null=True, help_text="JPEG of the brightest frame.")
    thumbnails = serializers.URLField(
        allow_null=True, help_text="JPEG strip of evenly spaced frames, left to right."
    )
    dicom = serializers.URLField(allow_null=True, help_text="De-identified DICOM.")
    intensity = serializers.URLField(
        allow_null=True, help_text="NumPy T x h x w uint8 luma stack for time-intensity curves."
    )
    metadata = serializers.URLField(allow_null=True, help_text="Technical metadata JSON.")


class CineLoopSerializer(serializers.ModelSerializer):
    display_label = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    error = serializers.CharField(
        source="error_message",
        read_only=True,
        help_text="Why the loop failed, in the reader's language; '' otherwise.",
    )
    pixel_cleaning_display = serializers.CharField(read_only=True)
    pixel_cleaning_reason_code = serializers.CharField(
        source="pixel_cleaning_code",
        read_only=True,
        help_text="Why the pixels were (not) cleaned: regions, manual_mask, no_regions, "
        "regions_do_not_fit or regions_cover_image; '' before processing.",
    )
    pixel_cleaning_reason_display = serializers.CharField(
        read_only=True, help_text="That reason in the reader's language."
    )
    keep_mask = serializers.JSONField(
        read_only=True,
        help_text="Rectangles an instructor kept, [x0, y0, x1, y1] in inclusive original pixels.",
    )
    files = serializers.SerializerMethodField(
        help_text="URLs of the outputs once processed (ready or needs_review), else null."
    )

    class Meta:
        model = CineLoop
        fields = [
            "id",
            "label",
            "display_label",
            "institution",
            "source",
            "status",
            "status_display",
            "progress",
            "error_code",
            "error",
            "frames",
            "fps",
            "duration_s",
            "rows",
            "columns",
            "regions",
            "pixel_cleaning",
            "pixel_cleaning_display",
            "pixel_cleaning_reason_code",
            "pixel_cleaning_reason_display",
            "review_resolution",
            "reviewed_by",
            "reviewed_at",
            "keep_mask",
            "files",
            "created_at",
            "updated_at",
            "processed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LoopFilesSerializer(allow_null=True))
    def get_files(self, loop: CineLoop) -> dict | None:
        if not loop.has_outputs:
            return None
        request = self.context.get("request")
        urls = {}
        for kind in CineLoop.FILE_FIELDS:
            url = loop.media_url(kind)
            urls[kind] = request.build_absolute_uri(url) if url and request else url
        return urls


class UploadRequestSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(),
        help_text="One or more DICOM files or ZIPs of them (repeat the field).",
    )
    institution = IdField(
        required=False, help_text="Owner; site administrators only (others get their own)."
    )


class AcceptedSerializer(serializers.Serializer):
    file = serializers.IntegerField(help_text="Position of the file in the request, from 0.")
    entry = serializers.IntegerField(
        allow_null=True, help_text="Position inside the ZIP, from 1; null for a plain file."
    )
    loop = CineLoopSerializer()


class RejectedSerializer(serializers.Serializer):
    file = serializers.IntegerField(help_text="Position of the file in the request, from 0.")
    entry = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(source="message")
    code = serializers.CharField(
        help_text="Why, for programs: not_dicom, empty_file, too_large, bad_zip, zip_too_many, "
        "zip_too_large, zip_empty, zip_entry_symlink, zip_entry_unsafe_name, "
        "zip_entry_encrypted, zip_entry_too_large, zip_entry_compression, zip_entry_damaged."
    )


class UploadResultSerializer(serializers.Serializer):
    accepted = AcceptedSerializer(many=True)
    rejected = RejectedSerializer(many=True)


class KeepMaskRequestSerializer(serializers.Serializer):
    rectangles = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4),
        help_text="The parts to keep: [[x0, y0, x1, y1], …] in inclusive original pixels, "
        "inside the image; at least one, at most 20.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ResumableUploadSerializer(serializers.Serializer):
    """A resumable upload (tus) as its owner sees it."""

    id = serializers.UUIDField(help_text="The upload's address: /api/v1/cine-uploads/{id}/.")
    status = serializers.ChoiceField(
        choices=ResumableUpload.Status.values,
        help_text="receiving: send parts; assembling: all received, the parts are being joined "
        "(poll); complete: see result.",
    )
    offset = serializers.IntegerField(help_text="Bytes received so far.")
    length = serializers.IntegerField(help_text="The file's length, declared at creation.")
    expires_at = serializers.DateTimeField(
        help_text="When the upload and its parts are deleted unless another part arrives "
        "(complete: when this record is)."
    )
    result = serializers.SerializerMethodField(
        help_text="Once complete: the loops made from the file and what was refused, as for "
        "a form upload; else null."
    )

    @extend_schema_field(UploadResultSerializer(allow_null=True))
    def get_result(self, upload) -> dict | None:
        if upload.status != ResumableUpload.Status.COMPLETE:
            return None
        return UploadResultSerializer(upload_batch(upload), context=self.context).data


class UploadErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(
        help_text="For programs: bad_header, tus_version, too_large, empty_file, "
        "too_many_uploads, offset_mismatch, upload_complete, expired, not_found, "
        "beyond_length, checksum_mismatch, unsupported_checksum, or why the file's start is "
        "refused (not_dicom, …)."
    )
    offset = serializers.IntegerField(
        required=False, help_text="409: the offset the server has; resume from there."
    )
