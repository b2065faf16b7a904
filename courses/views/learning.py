"""Pages for learners: dashboard, catalogue, course outline and lessons."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import selectors, services
from courses.dashboard_hooks import dashboard_blocks
from courses.models import Course, Lesson


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    entries = selectors.dashboard(request.user)
    context = {"entries": entries, "blocks": dashboard_blocks(request)}
    return render(request, "courses/dashboard.html", context)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    courses = selectors.catalogue(request.user)
    return render(request, "courses/catalogue.html", {"courses": courses})


@login_required
def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(
        Course.objects.for_user(request.user).select_related("institution"), slug=slug
    )
    state = selectors.course_state(request.user, course)
    enrolment = selectors.get_enrolment(request.user, course)
    context = {
        "course": course,
        "state": state,
        "enrolment": enrolment,
        "next_lesson": state.next_lesson(enrolment.last_lesson_id) if enrolment else None,
        "can_edit": course.is_editable_by(request.user),
    }
    return render(request, "courses/course_detail.html", context)


@login_required
@require_POST
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.for_user(request.user).published(), slug=slug)
    try:
        services.enrol(user=request.user, course=course)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are enrolled in “%(course)s”.") % {"course": course})
    return redirect(course)


def _lesson_for(request: HttpRequest, pk: int) -> Lesson:
    lessons = Lesson.objects.for_user(request.user).select_related("module__course")
    return get_object_or_404(lessons, pk=pk)


@login_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = _lesson_for(request, pk)
    course = lesson.module.course
    state = selectors.course_state(request.user, course)
    module_state = state.module_state(lesson.module_id)
    can_edit = course.is_editable_by(request.user)
    context = {
        "lesson": lesson,
        "course": course,
        "module_state": module_state,
        "can_edit": can_edit,
    }
    if (module_state is None or not module_state.unlocked) and not can_edit:
        # The outline shows locked lessons; opening one explains what to finish first.
        return render(request, "courses/lesson_locked.html", context, status=403)
    enrolment = selectors.get_enrolment(request.user, course)
    # A lesson fetched to be kept for offline study (static/js/offline.js) is not a visit.
    if enrolment and lesson.is_live and request.headers.get("X-Offline-Save") != "1":
        services.record_lesson_visit(user=request.user, lesson=lesson)
    previous_lesson, following_lesson = state.neighbours(lesson)
    context.update(
        {
            "state": state,
            "enrolment": enrolment,
            "is_done": state.is_done(lesson),
            "locked": not module_state.unlocked if module_state else True,
            "previous_lesson": previous_lesson,
            "next_lesson": following_lesson,
        }
    )
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def lesson_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the lesson complete, then continue with the next lesson left to do."""
    lesson = _lesson_for(request, pk)
    try:
        services.complete_lesson(user=request.user, lesson=lesson)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(lesson)
    course = lesson.module.course
    following = selectors.next_lesson(request.user, course)
    if following is None:
        messages.success(request, _("You have completed every lesson of this course."))
        return redirect(course)
    return redirect(following)
