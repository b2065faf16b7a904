"""Authoring pages for instructors: courses, modules and lessons of their institution.

Every object is fetched through ``editable_by(user)``, so another institution's content is a
404 here; the services check again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import author_required
from core.content_language import localized
from core.markdown import render_markdown
from core.scoping import PublicationStatus
from courses import selectors, services
from courses.forms import CourseForm, LessonForm, ModuleForm
from courses.models import Course, Lesson, Module

MOVES = {"up": -1, "down": 1}


def _editable_course(request: HttpRequest, pk: int) -> Course:
    return get_object_or_404(Course.objects.editable_by(request.user), pk=pk)


def _editable_module(request: HttpRequest, pk: int) -> Module:
    modules = Module.objects.editable_by(request.user).select_related("course")
    return get_object_or_404(modules, pk=pk)


def _editable_lesson(request: HttpRequest, pk: int) -> Lesson:
    lessons = Lesson.objects.editable_by(request.user).select_related("module__course")
    return get_object_or_404(lessons, pk=pk)


def _outline_url(course: Course, anchor: str = "") -> str:
    url = reverse("courses:course_edit", kwargs={"pk": course.pk})
    return f"{url}#{anchor}" if anchor else url


def _status_from(request: HttpRequest) -> str:
    status = request.POST.get("status", "")
    if status not in PublicationStatus.values:
        raise ValidationError(_("Unknown status."))
    return status


def _preview(request: HttpRequest, form, field: str) -> str | None:
    """Server-side preview for the "Preview" button, so it works without JavaScript."""
    if "preview" in request.POST:
        return render_markdown(form.data.get(field, ""))
    return None


@author_required
def authoring(request: HttpRequest) -> HttpResponse:
    courses = selectors.authoring_courses(request.user)
    return render(request, "courses/authoring/list.html", {"courses": courses})


@author_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """Sanitised HTML of the posted Markdown, for the in-page preview."""
    return HttpResponse(render_markdown(request.POST.get("text", "")))


# --- Courses ---------------------------------------------------------------------------------


@author_required
def course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, user=request.user)
    preview = _preview(request, form, "description_en") if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        try:
            course = services.course_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Course created as a draft."))
            return redirect(_outline_url(course))
    context = {"form": form, "preview": preview}
    return render(request, "courses/authoring/course_form.html", context)


@author_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = _editable_course(request, pk)
    form = CourseForm(request.POST or None, instance=course, user=request.user)
    preview = _preview(request, form, "description_en") if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        try:
            services.course_update(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect(_outline_url(course))
    course.refresh_from_db()  # the form may have changed the instance in memory
    modules = selectors.outline_modules(course)
    context = {"course": course, "form": form, "modules": modules, "preview": preview}
    return render(request, "courses/authoring/course_edit.html", context)


@author_required
@require_POST
def course_status(request: HttpRequest, pk: int) -> HttpResponse:
    course = _editable_course(request, pk)
    try:
        services.course_set_status(course=course, by=request.user, status=_status_from(request))
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    if course.is_published:
        messages.success(request, _("The course is published."))
    else:
        messages.success(request, _("The course is back in draft."))
    return redirect(_outline_url(course))


def _confirm_delete(request: HttpRequest, obj, delete: Callable, back: str, done: str):
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": obj})
        return redirect(done)
    context = {"object": obj, "back": back}
    return render(request, "courses/authoring/confirm_delete.html", context)


@author_required
def course_delete(request: HttpRequest, pk: int) -> HttpResponse:
    course = _editable_course(request, pk)
    return _confirm_delete(
        request,
        course,
        lambda: services.course_delete(course=course, by=request.user),
        back=_outline_url(course),
        done=reverse("courses:authoring"),
    )


# --- Modules ---------------------------------------------------------------------------------


def _module_fields(form: ModuleForm) -> dict:
    data = form.cleaned_data
    fields = {name: data[name] for name in localized("title", "summary")}
    return {**fields, "prerequisites": data["prerequisites"]}


@author_required
def module_create(request: HttpRequest, course_pk: int) -> HttpResponse:
    course = _editable_course(request, course_pk)
    form = ModuleForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_create(course=course, by=request.user, **_module_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Module added as a draft."))
            return redirect(_outline_url(course, f"module-{module.pk}"))
    context = {"course": course, "form": form}
    return render(request, "courses/authoring/module_form.html", context)


@author_required
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    module = _editable_module(request, pk)
    course = module.course
    form = ModuleForm(request.POST or None, instance=module, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(module=module, by=request.user, **_module_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Module saved."))
            return redirect(_outline_url(course, f"module-{module.pk}"))
    context = {"course": course, "module": module, "form": form}
    return render(request, "courses/authoring/module_form.html", context)


@author_required
@require_POST
def module_move(request: HttpRequest, pk: int) -> HttpResponse:
    module = _editable_module(request, pk)
    offset = MOVES.get(request.POST.get("direction", ""))
    if offset is None:
        return HttpResponseBadRequest(_("Unknown direction."))
    services.move_module(module=module, by=request.user, offset=offset)
    return redirect(_outline_url(module.course, f"module-{module.pk}"))


@author_required
@require_POST
def module_status(request: HttpRequest, pk: int) -> HttpResponse:
    module = _editable_module(request, pk)
    try:
        services.module_set_status(module=module, by=request.user, status=_status_from(request))
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return redirect(_outline_url(module.course, f"module-{module.pk}"))


@author_required
def module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    module = _editable_module(request, pk)
    return _confirm_delete(
        request,
        module,
        lambda: services.module_delete(module=module, by=request.user),
        back=_outline_url(module.course, f"module-{module.pk}"),
        done=_outline_url(module.course),
    )


# --- Lessons ---------------------------------------------------------------------------------


def _lesson_fields(form: LessonForm) -> dict:
    data = form.cleaned_data
    keys = (*localized("title", "body"), "estimated_minutes")
    return {key: data[key] for key in keys}


@author_required
def lesson_create(request: HttpRequest, module_pk: int) -> HttpResponse:
    module = _editable_module(request, module_pk)
    course = module.course
    form = LessonForm(request.POST or None, course=course, initial={"module": module})
    preview = _preview(request, form, "body_en") if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        target = form.cleaned_data["module"]
        try:
            lesson = services.lesson_create(module=target, by=request.user, **_lesson_fields(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Lesson added as a draft."))
            return redirect(_outline_url(course, f"lesson-{lesson.pk}"))
    context = {"course": course, "module": module, "form": form, "preview": preview}
    return render(request, "courses/authoring/lesson_form.html", context)


@author_required
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _editable_lesson(request, pk)
    course = lesson.module.course
    form = LessonForm(request.POST or None, instance=lesson, course=course)
    preview = _preview(request, form, "body_en") if request.method == "POST" else None
    if request.method == "POST" and preview is None and form.is_valid():
        target = form.cleaned_data["module"]
        lesson.refresh_from_db()  # undo the form's in-memory changes; the service applies them
        try:
            services.lesson_update(
                lesson=lesson, by=request.user, module=target, **_lesson_fields(form)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect(_outline_url(course, f"lesson-{lesson.pk}"))
    context = {
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "form": form,
        "preview": preview,
    }
    return render(request, "courses/authoring/lesson_form.html", context)


@author_required
@require_POST
def lesson_move(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _editable_lesson(request, pk)
    offset = MOVES.get(request.POST.get("direction", ""))
    if offset is None:
        return HttpResponseBadRequest(_("Unknown direction."))
    services.move_lesson(lesson=lesson, by=request.user, offset=offset)
    return redirect(_outline_url(lesson.module.course, f"lesson-{lesson.pk}"))


@author_required
@require_POST
def lesson_status(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _editable_lesson(request, pk)
    try:
        services.lesson_set_status(lesson=lesson, by=request.user, status=_status_from(request))
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return redirect(_outline_url(lesson.module.course, f"lesson-{lesson.pk}"))


@author_required
def lesson_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _editable_lesson(request, pk)
    return _confirm_delete(
        request,
        lesson,
        lambda: services.lesson_delete(lesson=lesson, by=request.user),
        back=_outline_url(lesson.module.course, f"lesson-{lesson.pk}"),
        done=_outline_url(lesson.module.course, f"module-{lesson.module_id}"),
    )
