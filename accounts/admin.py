from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, User


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "region"]
    list_filter = ["level", "region"]
    search_fields = ["name", "short_name", "region"]
    filter_horizontal = ["reviewed_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "email", "role", "institution", "is_active"]
    list_filter = ["role", "institution", "is_active", "is_staff"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Platform"),
            {"fields": ("role", "institution", "preferred_language", "timezone", "data_saver")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Platform"), {"fields": ("role", "institution")}),
    )
