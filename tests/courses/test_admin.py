"""The admin pages for the courses models open for a site administrator."""

import pytest
from django.urls import reverse

from tests.courses.factories import (
    CohortFactory,
    EnrolmentFactory,
    LessonCompletionFactory,
    lessons_of,
)

pytestmark = pytest.mark.django_db


def test_admin_pages(client, site_admin, course, hospital):
    site_admin.is_superuser = True
    site_admin.save()
    client.force_login(site_admin)
    lesson = lessons_of(course)[0]
    cohort = CohortFactory(institution=hospital)
    enrolment = EnrolmentFactory(course=course)
    LessonCompletionFactory(lesson=lesson)
    objects = {
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "cohort": cohort,
        "enrolment": enrolment,
    }
    for name, obj in objects.items():
        assert client.get(reverse(f"admin:courses_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:courses_{name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:courses_{name}_add")).status_code == 200
    assert client.get(reverse("admin:courses_lessoncompletion_changelist")).status_code == 200
