"""API views: querysets decide what exists for the user (404), permissions who may change it
(403), services do the work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from courses import selectors, services
from courses.api.serializers import (
    CompletionResultSerializer,
    CourseProgressSerializer,
    CourseSerializer,
    EnrolmentSerializer,
    LessonSerializer,
    LessonSummarySerializer,
    ModuleSerializer,
)
from courses.models import Course, Enrolment, Lesson, Module

# Refusals of the learner that are about rights, not about the request's content.
FORBIDDEN_CODES = {"locked", "not_enrolled"}


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's Django ValidationError into a 400 (or 403 for the codes above)."""
    try:
        yield
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) in FORBIDDEN_CODES:
            raise PermissionDenied(" ".join(exc.messages), code=exc.code) from exc
        raise ValidationError(as_serializer_error(exc)) from exc


class EditorOrReadOnly(permissions.BasePermission):
    """Anyone who can see an object may read it; changing it needs edit rights on its course.
    Views list the unsafe actions learners may call in ``learner_actions``."""

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) == "create":
            return bool(request.user.can_author)
        return True

    def has_object_permission(self, request: Request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if getattr(view, "action", None) in getattr(view, "learner_actions", ()):
            return True
        return obj.is_editable_by(request.user)


@extend_schema_view(
    list=extend_schema(summary="Courses the user can see"),
    create=extend_schema(summary="Create a draft course (instructors)"),
    update=extend_schema(summary="Replace a course's details (its editors)"),
    partial_update=extend_schema(summary="Change a course, e.g. publish it (its editors)"),
)
class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CourseSerializer
    permission_classes = [permissions.IsAuthenticated, EditorOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        return Course.objects.for_user(self.request.user).select_related("institution")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        new_status = data.pop("status", None)
        with service_errors():
            course = services.course_create(by=self.request.user, **data)
            if new_status:
                services.course_set_status(course=course, by=self.request.user, status=new_status)
        serializer.instance = course

    def perform_update(self, serializer) -> None:
        course = serializer.instance
        data = dict(serializer.validated_data)
        new_status = data.pop("status", None)
        institution = data.pop("institution", None)
        if institution is not None and institution.pk != course.institution_id:
            raise ValidationError({"institution": [_("A course cannot change institution.")]})
        with service_errors():
            services.course_update(course=course, by=self.request.user, **data)
            if new_status:
                services.course_set_status(course=course, by=self.request.user, status=new_status)

    @extend_schema(
        summary="Modules of the course",
        responses=ModuleSerializer(many=True),
    )
    @action(detail=True, methods=["get"], serializer_class=ModuleSerializer, pagination_class=None)
    def modules(self, request: Request, pk: str | None = None) -> Response:
        modules = selectors.course_modules(request.user, self.get_object())
        return Response(ModuleSerializer(modules, many=True).data)

    @extend_schema(
        summary="Add a module at the end of the course (its editors)",
        request=ModuleSerializer,
        responses={201: ModuleSerializer},
    )
    @modules.mapping.post
    def create_module(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        serializer = ModuleSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors():
            module = services.module_create(
                course=course, by=request.user, **serializer.validated_data
            )
        module.visible_lessons = []
        return Response(ModuleSerializer(module).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The user's progress in the course", responses=CourseProgressSerializer)
    @action(detail=True, methods=["get"], serializer_class=CourseProgressSerializer)
    def progress(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        state = selectors.course_state(request.user, course)
        context = {"enrolment": selectors.get_enrolment(request.user, course)}
        return Response(CourseProgressSerializer(state, context=context).data)


class ModuleViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = ModuleSerializer
    permission_classes = [permissions.IsAuthenticated, EditorOrReadOnly]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Module.objects.none()
        return selectors.modules_with_lessons(self.request.user)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        new_status = data.pop("status", None)
        with service_errors():
            module = services.module_update(
                module=serializer.instance, by=self.request.user, **data
            )
            if new_status:
                services.module_set_status(module=module, by=self.request.user, status=new_status)

    @extend_schema(summary="Lessons of the module", responses=LessonSummarySerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=LessonSummarySerializer,
        pagination_class=None,
    )
    def lessons(self, request: Request, pk: str | None = None) -> Response:
        module = self.get_object()
        lessons = selectors.module_lessons(request.user, module)
        return Response(LessonSummarySerializer(lessons, many=True).data)

    @extend_schema(
        summary="Add a lesson at the end of the module (its editors)",
        request=LessonSerializer,
        responses={201: LessonSerializer},
    )
    @lessons.mapping.post
    def create_lesson(self, request: Request, pk: str | None = None) -> Response:
        module = self.get_object()
        serializer = LessonSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("module", None)  # the URL names the module
        with service_errors():
            lesson = services.lesson_create(module=module, by=request.user, **data)
        return Response(LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class LessonViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = LessonSerializer
    permission_classes = [permissions.IsAuthenticated, EditorOrReadOnly]
    learner_actions = {"complete"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Lesson.objects.none()
        return selectors.lessons_with_completion(self.request.user).select_related("module__course")

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        lesson = self.get_object()
        # Same rule as the lesson page: the body of a locked lesson is not handed out.
        if not lesson.is_editable_by(request.user) and not selectors.module_unlocked(
            request.user, lesson.module
        ):
            raise PermissionDenied(_("Finish the prerequisite modules first."), code="locked")
        return Response(self.get_serializer(lesson).data)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        new_status = data.pop("status", None)
        with service_errors():
            lesson = services.lesson_update(
                lesson=serializer.instance, by=self.request.user, **data
            )
            if new_status:
                services.lesson_set_status(lesson=lesson, by=self.request.user, status=new_status)

    @extend_schema(
        summary="Mark the lesson complete (idempotent)",
        request=None,
        responses={
            200: CompletionResultSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Refused by the service (field → messages)."
            ),
            403: OpenApiResponse(description="Not enrolled, or prerequisites unfinished."),
        },
    )
    @action(detail=True, methods=["post"], serializer_class=CompletionResultSerializer)
    def complete(self, request: Request, pk: str | None = None) -> Response:
        lesson = self.get_object()
        with service_errors():
            completion = services.complete_lesson(user=request.user, lesson=lesson)
        state = selectors.course_state(request.user, lesson.module.course)
        context = {"state": state}
        return Response(CompletionResultSerializer(completion, context=context).data)


@extend_schema_view(
    list=extend_schema(summary="The user's enrolments"),
    create=extend_schema(
        summary="Enrol in a published course (returns the existing enrolment if any)",
        responses={201: EnrolmentSerializer, 200: EnrolmentSerializer},
    ),
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        return Enrolment.objects.for_user(self.request.user).select_related("course")

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = serializer.validated_data["course"]
        existed = selectors.get_enrolment(request.user, course) is not None
        with service_errors():
            enrolment = services.enrol(user=request.user, course=course)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.get_serializer(enrolment).data, status=code)
