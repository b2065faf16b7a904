"""Write-side operations on courses, called by views, the API, the admin and demo data.

Every function takes keyword-only arguments, checks the caller's rights itself (views also
narrow their querysets first) and raises ``PermissionDenied`` or ``ValidationError``.
"""

from courses.services.authoring import (
    course_create,
    course_delete,
    course_set_status,
    course_update,
    lesson_create,
    lesson_delete,
    lesson_set_status,
    lesson_update,
    module_create,
    module_delete,
    module_set_status,
    module_update,
    move_lesson,
    move_module,
    reorder_lessons,
    reorder_modules,
    set_module_prerequisites,
)
from courses.services.cohorts import assign_cohort, cohort_create, cohort_update
from courses.services.learning import complete_lesson, enrol, record_lesson_visit

__all__ = [
    "assign_cohort",
    "cohort_create",
    "cohort_update",
    "complete_lesson",
    "course_create",
    "course_delete",
    "course_set_status",
    "course_update",
    "enrol",
    "lesson_create",
    "lesson_delete",
    "lesson_set_status",
    "lesson_update",
    "module_create",
    "module_delete",
    "module_set_status",
    "module_update",
    "move_lesson",
    "move_module",
    "record_lesson_visit",
    "reorder_lessons",
    "reorder_modules",
    "set_module_prerequisites",
]
