from django.contrib import admin

from cases.models import Case, CaseLoop, CaseRevision, CaseWatch, Tag


class CaseLoopInline(admin.TabularInline):
    model = CaseLoop
    fields = ["order", "loop", "caption", "starts_after_injection_s"]
    raw_id_fields = ["loop"]
    ordering = ["order", "pk"]
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """For support work; authors use the case pages (which keep the history and warnings)."""

    list_display = ["title", "institution", "organ", "status", "visibility", "created_at"]
    list_filter = ["status", "organ", "modality", "visibility", "institution"]
    search_fields = ["title", "final_diagnosis"]
    raw_id_fields = ["created_by", "submitted_by", "reviewed_by", "authors"]
    readonly_fields = ["created_at", "updated_at", "search_text"]
    filter_horizontal = ["tags"]
    inlines = [CaseLoopInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(CaseRevision)
class CaseRevisionAdmin(admin.ModelAdmin):
    list_display = ["case", "number", "event", "author", "created_at"]
    raw_id_fields = ["case", "author"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # history is written by the services only


@admin.register(CaseWatch)
class CaseWatchAdmin(admin.ModelAdmin):
    list_display = ["user", "case", "watched_s", "reviewed_at"]
    raw_id_fields = ["user", "case"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
