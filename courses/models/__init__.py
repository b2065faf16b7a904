"""Course content (course → module → lesson) and learning records (cohorts, enrolments,
completions). Split by concern: ``content`` holds what instructors author, ``learning`` what
trainees and directors produce."""

from courses.models.content import Course, Lesson, Module
from courses.models.learning import Cohort, Enrolment, LessonCompletion

__all__ = ["Cohort", "Course", "Enrolment", "Lesson", "LessonCompletion", "Module"]
