"""Admin for support work: the turnaround targets are set here; consults are read-only (the
services keep their history) and never show the local reference, which belongs to the
requesting institution alone."""

from django.contrib import admin

from consults.models import CentreTurnaround, Consultation, ConsultEvent


@admin.register(CentreTurnaround)
class CentreTurnaroundAdmin(admin.ModelAdmin):
    list_display = ["institution", "routine_hours", "urgent_hours"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "institution":
            from accounts.models import Institution

            kwargs["queryset"] = Institution.objects.filter(level=Institution.Level.EXPERT_CENTRE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConsultEventInline(admin.TabularInline):
    model = ConsultEvent
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "notified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "requesting_institution",
        "target",
        "urgency",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "urgency", "organ", "target"]
    # Everything but the local reference and the clinical texts.
    fields = [
        "requesting_institution",
        "requester",
        "target",
        "expert",
        "organ",
        "urgency",
        "status",
        "claimed_by",
        "second_expert",
        "submitted_at",
        "claimed_at",
        "answered_at",
        "closed_at",
        "withdrawn_at",
        "declined_at",
        "teaching_consent_by",
        "teaching_consent_at",
        "teaching_case",
    ]
    readonly_fields = fields
    inlines = [ConsultEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
