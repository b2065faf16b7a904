"""API representations. Writes go through ``courses.services`` in the views, not ``save()``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Institution
from courses.models import Course, Enrolment, Lesson, LessonCompletion, Module
from courses.progress import CourseState


def _limit_to_editable(serializer: serializers.Serializer, name: str) -> None:
    """Offer only modules the requester may edit, so other institutions' ids look unknown."""
    request = serializer.context.get("request")
    field = serializer.fields[name]
    field = getattr(field, "child_relation", field)
    if request is not None:
        field.queryset = Module.objects.editable_by(request.user)


class CourseSerializer(serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(),
        required=False,
        help_text="Owner; only site administrators choose it, others get their own.",
    )
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    description_html = serializers.CharField(
        read_only=True, help_text="The description rendered from Markdown and sanitised."
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "slug",
            "summary",
            "description",
            "description_html",
            "visibility",
            "status",
            "ordering",
            "institution",
            "institution_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug", "created_at", "updated_at"]


class LessonSummarySerializer(serializers.ModelSerializer):
    is_completed = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "module", "title", "order", "estimated_minutes", "status", "is_completed"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_completed(self, obj: Lesson) -> bool:
        # Annotated by the views' querysets, so a list costs one query.
        return bool(getattr(obj, "is_completed", False))


class LessonSerializer(LessonSummarySerializer):
    module = serializers.PrimaryKeyRelatedField(
        queryset=Module.objects.all(),
        required=False,
        help_text="On update: move the lesson to another module of the same course.",
    )
    body_html = serializers.CharField(
        read_only=True, help_text="The body rendered from Markdown and sanitised."
    )

    class Meta(LessonSummarySerializer.Meta):
        fields = [*LessonSummarySerializer.Meta.fields, "body", "body_html", "updated_at"]
        read_only_fields = ["order", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_editable(self, "module")


class ModuleSerializer(serializers.ModelSerializer):
    prerequisites = serializers.PrimaryKeyRelatedField(
        queryset=Module.objects.all(),
        many=True,
        required=False,
        help_text="Other modules of the same course to finish first.",
    )
    lessons = LessonSummarySerializer(many=True, read_only=True, source="visible_lessons")

    class Meta:
        model = Module
        fields = ["id", "course", "title", "summary", "order", "status", "prerequisites", "lessons"]
        read_only_fields = ["course", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_to_editable(self, "prerequisites")


class EnrolmentSerializer(serializers.ModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.none())
    course_title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "course",
            "course_title",
            "source",
            "cohort",
            "enrolled_at",
            "last_lesson",
            "last_activity_at",
        ]
        read_only_fields = ["source", "cohort", "enrolled_at", "last_lesson", "last_activity_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Unknown and invisible courses look the same: "object does not exist".
            self.fields["course"].queryset = Course.objects.for_user(request.user).published()


class ProgressFigures(serializers.Serializer):
    percent = serializers.IntegerField(help_text="Rounded down; 0 when there are no lessons.")
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Published lessons the user can see.")


class ModuleProgressSerializer(ProgressFigures):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unlocked = serializers.BooleanField()


class CourseProgressSerializer(ProgressFigures):
    """A ``CourseState`` for its user, enrolled or not (``context["enrolment"]``)."""

    course = serializers.IntegerField()
    enrolled = serializers.BooleanField()
    next_lesson = serializers.IntegerField(
        allow_null=True, help_text="Where “continue” leads; null when all is done."
    )
    modules = ModuleProgressSerializer(many=True)

    def to_representation(self, state: CourseState) -> dict[str, Any]:
        enrolment = self.context.get("enrolment")
        progress = state.progress
        following = state.next_lesson(enrolment.last_lesson_id) if enrolment else None
        figures = {
            "course": state.course.pk,
            "enrolled": enrolment is not None,
            "percent": progress.percent,
            "done": progress.done,
            "total": progress.total,
            "next_lesson": following.pk if following else None,
            "modules": [
                {
                    "id": m.module.pk,
                    "title": m.module.title,
                    "unlocked": m.unlocked,
                    "percent": m.progress.percent,
                    "done": m.progress.done,
                    "total": m.progress.total,
                }
                for m in state.modules
                if m.module.is_published
            ],
        }
        return super().to_representation(figures)


class CompletionResultSerializer(serializers.Serializer):
    """A ``LessonCompletion`` with what follows it in the course (``context["state"]``: the
    user's ``CourseState`` after it)."""

    lesson = serializers.IntegerField()
    completed_at = serializers.DateTimeField()
    next_lesson = serializers.IntegerField(allow_null=True)
    course_progress = ProgressFigures()

    def to_representation(self, completion: LessonCompletion) -> dict[str, Any]:
        state: CourseState = self.context["state"]
        following = state.next_lesson(completion.lesson_id)
        progress = state.progress
        figures = {
            "lesson": completion.lesson_id,
            "completed_at": completion.completed_at,
            "next_lesson": following.pk if following else None,
            "course_progress": {
                "percent": progress.percent,
                "done": progress.done,
                "total": progress.total,
            },
        }
        return super().to_representation(figures)
