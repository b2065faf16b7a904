from django.contrib import admin

from cineloops.models import CineLoop


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
