from django.contrib import admin

from cineloops.models import CineLoop, DicomSender


@admin.register(CineLoop)
class CineLoopAdmin(admin.ModelAdmin):
    """Read-only: loops are created by uploads and changed by processing, never by hand."""

    list_display = ["__str__", "institution", "status", "progress", "source", "created_at"]
    list_filter = ["status", "source", "institution"]
    search_fields = ["label"]
    raw_id_fields = ["uploaded_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DicomSender)
class DicomSenderAdmin(admin.ModelAdmin):
    """Who may send to the DICOM listener, and for which institution."""

    list_display = ["ae_title", "address", "institution", "active", "created_at"]
    list_filter = ["active", "institution"]
    search_fields = ["ae_title", "address"]
