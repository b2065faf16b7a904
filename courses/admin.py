from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from courses.models import Cohort, Course, Enrolment, Lesson, LessonCompletion, Module


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["order", "title", "status"]
    ordering = ["order", "pk"]
    extra = 0
    show_change_link = True


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["order", "title", "status", "estimated_minutes"]
    ordering = ["order", "pk"]
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "institution", "visibility", "status", "ordering", "module_count"]
    list_filter = ["status", "visibility", "institution"]
    list_editable = ["ordering"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["institution"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ModuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_module_count=Count("modules"))

    @admin.display(description=_("modules"), ordering="_module_count")
    def module_count(self, obj: Course) -> int:
        return obj._module_count

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order", "status"]
    list_filter = ["status", "course"]
    list_select_related = ["course"]
    ordering = ["course", "order", "pk"]
    search_fields = ["title", "course__title"]
    filter_horizontal = ["prerequisites"]
    inlines = [LessonInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Offer only the other modules of the same course as prerequisites.
        if db_field.name == "prerequisites":
            object_id = request.resolver_match.kwargs.get("object_id")
            module = Module.objects.filter(pk=object_id).first() if object_id else None
            queryset = Module.objects.select_related("course")
            if module is not None:
                queryset = queryset.filter(course_id=module.course_id).exclude(pk=module.pk)
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "module", "order", "status", "estimated_minutes"]
    list_filter = ["status", "module__course"]
    list_select_related = ["module__course"]
    ordering = ["module__course", "module__order", "order", "pk"]
    search_fields = ["title", "body", "module__title"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "director", "created_at"]
    list_filter = ["institution"]
    list_select_related = ["institution", "director"]
    search_fields = ["name"]
    filter_horizontal = ["members", "courses"]
    raw_id_fields = ["director"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "source", "cohort", "enrolled_at", "last_activity_at"]
    list_filter = ["source", "course"]
    list_select_related = ["user", "course", "cohort"]
    search_fields = ["user__username", "course__title"]
    raw_id_fields = ["user", "course", "cohort", "last_lesson"]
    date_hierarchy = "enrolled_at"


@admin.register(LessonCompletion)
class LessonCompletionAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "completed_at"]
    list_select_related = ["user", "lesson"]
    search_fields = ["user__username", "lesson__title"]
    raw_id_fields = ["user", "lesson"]
    date_hierarchy = "completed_at"
