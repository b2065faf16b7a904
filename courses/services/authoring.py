"""Creating, editing, ordering and publishing courses, modules and lessons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from core.authoring import apply_fields, apply_translations, first_text, unique_slug
from core.content_language import localized
from core.scoping import PublicationStatus, acts_for, default_visibility
from courses.models import Course, Lesson, Module

Ordered = TypeVar("Ordered", Module, Lesson)

# Translated texts are set either through the plain name (the active language) or per language.
COURSE_TEXTS = ("title", "summary", "description")
MODULE_TEXTS = ("title", "summary")
LESSON_TEXTS = ("title", "body")
COURSE_FIELDS = frozenset({*COURSE_TEXTS, *localized(*COURSE_TEXTS), "visibility", "ordering"})
MODULE_FIELDS = frozenset({*MODULE_TEXTS, *localized(*MODULE_TEXTS)})
LESSON_FIELDS = frozenset({*LESSON_TEXTS, *localized(*LESSON_TEXTS), "estimated_minutes"})


def _require_editor(course: Course, by: User) -> None:
    if not course.is_editable_by(by):
        raise PermissionDenied(_("You cannot edit this course."))


def _check_status(status: str) -> None:
    if status not in PublicationStatus.values:
        raise ValidationError(_("Unknown status."), code="invalid")


# --- Courses ---------------------------------------------------------------------------------


def course_create(
    *,
    by: User,
    title: str = "",
    summary: str = "",
    description: str = "",
    visibility: str | None = None,
    ordering: int = 0,
    institution: Institution | None = None,
    **translations: str,
) -> Course:
    """A new draft course owned by ``institution`` (default: the author's own)."""
    if not getattr(by, "can_author", False):
        raise PermissionDenied(_("Only instructors can create courses."))
    if institution is None:
        institution = by.institution
    if institution is None:
        raise ValidationError(_("Choose the institution that owns the course."), code="required")
    if not acts_for(by, institution.pk):
        raise PermissionDenied(_("You can only create courses for your own institution."))
    course = Course(
        institution=institution,
        title=title,
        summary=summary,
        description=description,
        ordering=ordering,
        created_by=by,
    )
    apply_translations(course, COURSE_TEXTS, translations)
    course.slug = unique_slug(
        Course,
        # modeltranslation adds the per-language fields at run time, unseen by django-stubs.
        first_text(title, course.title_en, course.title_zh_hans),  # type: ignore[attr-defined]
        fallback="course",
    )
    course.visibility = visibility or default_visibility(institution)
    course.full_clean()
    course.save()
    return course


def course_update(*, course: Course, by: User, **fields: Any) -> Course:
    """Change the editable fields of a course; the slug stays so that links keep working."""
    _require_editor(course, by)
    names = apply_fields(course, COURSE_FIELDS, fields)
    course.full_clean()
    course.save(update_fields=[*names, "updated_at"])
    return course


def course_set_status(*, course: Course, by: User, status: str) -> Course:
    _require_editor(course, by)
    _check_status(status)
    course.status = status
    course.save(update_fields=["status", "updated_at"])
    return course


def course_delete(*, course: Course, by: User) -> None:
    """Delete a draft course nobody is enrolled in; published ones must be unpublished first,
    and courses with learners keep their records."""
    _require_editor(course, by)
    if course.is_published or course.enrolments.exists():
        raise ValidationError(
            _("Only draft courses without enrolled learners can be deleted."), code="in_use"
        )
    course.delete()


# --- Modules ---------------------------------------------------------------------------------


def _would_cycle(module: Module, prerequisite_ids: set[int]) -> bool:
    """True when ``module`` is reachable from its new prerequisites (A needs B needs A)."""
    links: dict[int, set[int]] = {}
    through = Module.prerequisites.through.objects.filter(from_module__course_id=module.course_id)
    for from_id, to_id in through.values_list("from_module_id", "to_module_id"):
        links.setdefault(from_id, set()).add(to_id)
    links[module.pk] = prerequisite_ids
    stack, seen = list(prerequisite_ids), set()
    while stack:
        current = stack.pop()
        if current == module.pk:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(links.get(current, ()))
    return False


def set_module_prerequisites(*, module: Module, by: User, prerequisites: Iterable[Module]) -> None:
    """Replace the prerequisites: other modules of the same course, without cycles."""
    _require_editor(module.course, by)
    chosen = list(prerequisites)
    if any(p.course_id != module.course_id or p.pk == module.pk for p in chosen):
        raise ValidationError(
            _("Prerequisites must be other modules of the same course."), code="invalid"
        )
    if _would_cycle(module, {p.pk for p in chosen}):
        raise ValidationError(
            _("These prerequisites would make modules wait for each other for ever."),
            code="cycle",
        )
    module.prerequisites.set(chosen)


def module_create(
    *,
    course: Course,
    by: User,
    title: str = "",
    summary: str = "",
    status: str = PublicationStatus.DRAFT,
    prerequisites: Iterable[Module] = (),
    **translations: str,
) -> Module:
    """A new module at the end of the course."""
    _require_editor(course, by)
    _check_status(status)
    with transaction.atomic():
        last = course.modules.aggregate(m=Max("order"))["m"]
        module = Module(
            course=course,
            title=title,
            summary=summary,
            status=status,
            order=0 if last is None else last + 1,
        )
        apply_translations(module, MODULE_TEXTS, translations)
        module.full_clean()
        module.save()
        set_module_prerequisites(module=module, by=by, prerequisites=prerequisites)
    return module


def module_update(
    *, module: Module, by, prerequisites: Iterable[Module] | None = None, **fields: Any
) -> Module:
    _require_editor(module.course, by)
    with transaction.atomic():
        names = apply_fields(module, MODULE_FIELDS, fields)
        module.full_clean()
        module.save(update_fields=[*names, "updated_at"])
        if prerequisites is not None:
            set_module_prerequisites(module=module, by=by, prerequisites=prerequisites)
    return module


def module_set_status(*, module: Module, by: User, status: str) -> Module:
    _require_editor(module.course, by)
    _check_status(status)
    module.status = status
    module.save(update_fields=["status", "updated_at"])
    return module


def module_delete(*, module: Module, by: User) -> None:
    """Delete a draft module; a published one may hold learners' completions."""
    _require_editor(module.course, by)
    if module.is_published:
        raise ValidationError(_("Unpublish the module before deleting it."), code="in_use")
    course = module.course
    module.delete()
    _renumber(course.modules.order_by("order", "pk"))


# --- Lessons ---------------------------------------------------------------------------------


def lesson_create(
    *,
    module: Module,
    by: User,
    title: str = "",
    body: str = "",
    estimated_minutes: int = 10,
    status: str = PublicationStatus.DRAFT,
    **translations: str,
) -> Lesson:
    """A new lesson at the end of the module."""
    _require_editor(module.course, by)
    _check_status(status)
    with transaction.atomic():
        last = module.lessons.aggregate(m=Max("order"))["m"]
        lesson = Lesson(
            module=module,
            title=title,
            body=body,
            estimated_minutes=estimated_minutes,
            status=status,
            order=0 if last is None else last + 1,
        )
        apply_translations(lesson, LESSON_TEXTS, translations)
        lesson.full_clean()
        lesson.save()
    return lesson


def lesson_update(
    *, lesson: Lesson, by: User, module: Module | None = None, **fields: Any
) -> Lesson:
    """Edit a lesson; ``module`` moves it to the end of another module of the same course."""
    _require_editor(lesson.module.course, by)
    with transaction.atomic():
        names = apply_fields(lesson, LESSON_FIELDS, fields)
        if module is not None and module.pk != lesson.module_id:
            if module.course_id != lesson.module.course_id:
                raise ValidationError(
                    _("A lesson can only move within its course."), code="invalid"
                )
            old_module = lesson.module
            last = module.lessons.aggregate(m=Max("order"))["m"]
            lesson.module, lesson.order = module, 0 if last is None else last + 1
            names += ["module", "order"]
            lesson.full_clean()
            lesson.save(update_fields=[*names, "updated_at"])
            _renumber(old_module.lessons.order_by("order", "pk"))
        else:
            lesson.full_clean()
            lesson.save(update_fields=[*names, "updated_at"])
    return lesson


def lesson_set_status(*, lesson: Lesson, by: User, status: str) -> Lesson:
    _require_editor(lesson.module.course, by)
    _check_status(status)
    lesson.status = status
    lesson.save(update_fields=["status", "updated_at"])
    return lesson


def lesson_delete(*, lesson: Lesson, by: User) -> None:
    """Delete a draft lesson; a published one may hold learners' completions."""
    _require_editor(lesson.module.course, by)
    if lesson.is_published:
        raise ValidationError(_("Unpublish the lesson before deleting it."), code="in_use")
    module = lesson.module
    lesson.delete()
    _renumber(module.lessons.order_by("order", "pk"))


# --- Ordering --------------------------------------------------------------------------------


def _renumber(items: Iterable[Ordered]) -> None:
    """Give items the orders 0, 1, 2 … in the sequence given (only rows that change)."""
    changed: list[Ordered] = []
    for position, item in enumerate(items):
        if item.order != position:
            item.order = position
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])


def _reorder(current: list, ordered_ids: Sequence[int]) -> None:
    by_id = {item.pk: item for item in current}
    if sorted(int(i) for i in ordered_ids) != sorted(by_id):
        raise ValidationError(_("The new order must list every item exactly once."), code="invalid")
    _renumber(by_id[int(i)] for i in ordered_ids)


def reorder_modules(*, course: Course, by: User, module_ids: Sequence[int]) -> None:
    """Put the course's modules in the order of ``module_ids`` (all of them, once each)."""
    _require_editor(course, by)
    with transaction.atomic():
        _reorder(list(course.modules.select_for_update().order_by("order", "pk")), module_ids)


def reorder_lessons(*, module: Module, by: User, lesson_ids: Sequence[int]) -> None:
    """Put the module's lessons in the order of ``lesson_ids`` (all of them, once each)."""
    _require_editor(module.course, by)
    with transaction.atomic():
        _reorder(list(module.lessons.select_for_update().order_by("order", "pk")), lesson_ids)


def _move(siblings: list, item, offset: int) -> None:
    ids = [sibling.pk for sibling in siblings]
    i = ids.index(item.pk)
    j = min(max(i + offset, 0), len(ids) - 1)
    ids.insert(j, ids.pop(i))
    _renumber({s.pk: s for s in siblings}[pk] for pk in ids)


def move_module(*, module: Module, by: User, offset: int) -> None:
    """Move a module ``offset`` places (-1 up, +1 down); at either end nothing happens."""
    _require_editor(module.course, by)
    with transaction.atomic():
        siblings = list(module.course.modules.select_for_update().order_by("order", "pk"))
        _move(siblings, module, offset)


def move_lesson(*, lesson: Lesson, by: User, offset: int) -> None:
    """Move a lesson ``offset`` places within its module (-1 up, +1 down)."""
    _require_editor(lesson.module.course, by)
    with transaction.atomic():
        siblings = list(lesson.module.lessons.select_for_update().order_by("order", "pk"))
        _move(siblings, lesson, offset)
