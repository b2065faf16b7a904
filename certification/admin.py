"""Admin for support work. Directors use the certification pages; certificates, the logbook's
sign-offs and the audit log are written by the services only (so that every change is
audited), so they are read-only here."""

from django.contrib import admin

from certification.models import (
    AuditEvent,
    Certificate,
    ExpiryReminder,
    LogbookEntry,
    Programme,
    ProgrammeVersion,
    Requirement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = ProgrammeVersion
    fields = ["number", "published_at", "counts_from", "notes"]
    readonly_fields = ["published_at"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "status", "visibility", "validity_months"]
    list_filter = ["status", "visibility", "institution"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VersionInline]


class RequirementInline(admin.StackedInline):
    model = Requirement
    extra = 0
    raw_id_fields = ["quiz", "prerequisite"]
    filter_horizontal = ["courses"]


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(admin.ModelAdmin):
    list_display = ["programme", "number", "published_at", "counts_from"]
    list_filter = ["programme"]
    readonly_fields = ["created_at"]
    inlines = [RequirementInline]

    def get_readonly_fields(self, request, obj=None):
        # A published version is frozen: certificates name it.
        if obj is not None and obj.is_frozen:
            return ["programme", "number", "published_at", "counts_from", "notes", "created_at"]
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is not None and obj.is_frozen else self.inlines


@admin.register(LogbookEntry)
class LogbookEntryAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "performed_on", "exam_type", "status", "adequacy", "reviewed_by"]
    list_filter = ["status", "adequacy", "exam_type"]
    search_fields = ["trainee__username", "trainee__last_name"]
    date_hierarchy = "performed_on"


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["holder_name", "programme", "version", "status", "issued_at", "expires_at"]
    list_filter = ["status", "programme"]
    search_fields = ["holder_name", "holder__username", "code"]
    date_hierarchy = "issued_at"


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "programme", "subject", "actor", "certificate"]
    list_filter = ["action", "programme"]
    date_hierarchy = "created_at"


@admin.register(ExpiryReminder)
class ExpiryReminderAdmin(ReadOnlyAdmin):
    list_display = ["certificate", "days_before", "sent_at"]
