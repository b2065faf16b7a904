"""Enrolling and completing lessons."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.locking import lock
from courses.models import Course, Enrolment, Lesson, LessonCompletion
from courses.selectors import module_unlocked


def enrol(*, user: User, course: Course) -> Enrolment:
    """Self-enrol ``user`` in a published course they can see; returns the existing enrolment
    when there is one."""
    if not Course.objects.for_user(user).published().filter(pk=course.pk).exists():
        raise ValidationError(_("This course is not open for enrolment."), code="unavailable")
    enrolment, _created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"source": Enrolment.Source.SELF}
    )
    return enrolment


def record_lesson_visit(*, user: User, lesson: Lesson) -> None:
    """Remember the lesson an enrolled user opened, for "continue where you left off"."""
    if not getattr(user, "is_authenticated", False):
        return
    Enrolment.objects.filter(user=user, course_id=lesson.module.course_id).update(
        last_lesson=lesson, last_activity_at=timezone.now()
    )


def complete_lesson(*, user: User, lesson: Lesson) -> LessonCompletion:
    """Mark ``lesson`` complete for ``user``; calling it again changes nothing but the
    "last activity" time.

    Refuses (``ValidationError`` with code ``unavailable``, ``not_enrolled`` or ``locked``) when
    the lesson is not published and visible, the user is not enrolled in its course, or a
    prerequisite module of its module is unfinished.
    """
    if not Lesson.objects.for_user(user).live().filter(pk=lesson.pk).exists():
        raise ValidationError(_("This lesson is not available."), code="unavailable")
    course_id = lesson.module.course_id
    with transaction.atomic():
        enrolment = lock(Enrolment, user=user, course_id=course_id, missing_ok=True)
        if enrolment is None:
            raise ValidationError(_("Enrol in the course first."), code="not_enrolled")
        completion = LessonCompletion.objects.filter(user=user, lesson=lesson).first()
        if completion is None:
            if not module_unlocked(user, lesson.module):
                raise ValidationError(_("Finish the prerequisite modules first."), code="locked")
            completion, _created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
        enrolment.last_lesson = lesson
        enrolment.last_activity_at = timezone.now()
        enrolment.save(update_fields=["last_lesson", "last_activity_at"])
    return completion
