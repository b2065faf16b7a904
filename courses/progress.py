"""Progress through a course, computed in memory from a fixed number of queries.

``build_course_states`` loads the visible modules, lessons, prerequisite links and the user's
completions of any number of courses in four queries, plus a constant number for the items
other apps register (``courses.progress_hooks``: a quiz to pass); everything else
(percentages, locks, "continue where you left off") is plain arithmetic on those rows, so the
dashboard costs the same number of queries for one course as for fifty.

A lesson *counts* for progress when it and its module are published ("live"). Editors also see
draft modules and lessons, but drafts never count and never lock anything. A published module
with a published quiz (on the module or one of its lessons) is complete only once the quiz is
passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from courses.models import Course, Lesson, LessonCompletion, Module
from courses.progress_hooks import extra_items

# Pages and the API may ask on behalf of an anonymous visitor: they see nothing.
AnyUser = User | AnonymousUser


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        # Rounded down so that 99.5 % is never shown as 100 %; an empty course is 0 %.
        return self.done * 100 // self.total if self.total else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


def _is_live(lesson: Lesson, module: Module) -> bool:
    return lesson.is_published and module.is_published


@dataclass
class ModuleState:
    module: Module
    lessons: list[Lesson]
    progress: Progress
    unlocked: bool = True
    # Published prerequisites that are not finished yet, for the "locked" explanation.
    missing_prerequisites: list[Module] = field(default_factory=list)


@dataclass
class CourseState:
    course: Course
    modules: list[ModuleState]
    completed_ids: frozenset[int]

    @property
    def progress(self) -> Progress:
        done = sum(m.progress.done for m in self.modules)
        return Progress(done=done, total=sum(m.progress.total for m in self.modules))

    @property
    def lessons(self) -> list[Lesson]:
        """Every lesson visible to the user, in course order (drafts included for editors)."""
        return [lesson for m in self.modules for lesson in m.lessons]

    def module_state(self, module_id: int) -> ModuleState | None:
        return next((m for m in self.modules if m.module.pk == module_id), None)

    def is_done(self, lesson: Lesson) -> bool:
        return lesson.pk in self.completed_ids

    def is_unlocked(self, lesson: Lesson) -> bool:
        state = self.module_state(lesson.module_id)
        return bool(state and state.unlocked)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The previous and next lesson in course order, for the lesson page."""
        ordered = self.lessons
        ids = [item.pk for item in ordered]
        if lesson.pk not in ids:
            return None, None
        i = ids.index(lesson.pk)
        return (ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)

    def next_lesson(self, last_lesson_id: int | None = None) -> Lesson | None:
        """Continue where the user left off: the first incomplete lesson of an unlocked module
        at or after the last lesson they touched, wrapping round to lessons they skipped.
        ``None`` when every reachable live lesson is complete."""
        candidates = [
            lesson
            for m in self.modules
            if m.module.is_published
            for lesson in m.lessons
            if lesson.is_published
        ]
        ids = [lesson.pk for lesson in candidates]
        start = ids.index(last_lesson_id) if last_lesson_id in ids else 0
        for lesson in candidates[start:] + candidates[:start]:
            if lesson.pk not in self.completed_ids and self.is_unlocked(lesson):
                return lesson
        return None


def build_course_states(user: AnyUser, courses: Iterable[Course]) -> dict[int, CourseState]:
    """Progress state of ``user`` in each of ``courses``, keyed by course id (4 queries, plus
    those of registered progress items)."""
    by_id = {course.pk: course for course in courses}
    if not by_id:
        return {}
    modules = list(
        Module.objects.for_user(user).filter(course_id__in=by_id).order_by("order", "pk")
    )
    modules_by_id = {m.pk: m for m in modules}
    lessons_by_module: dict[int, list[Lesson]] = defaultdict(list)
    lessons = (
        Lesson.objects.for_user(user)
        .filter(module_id__in=modules_by_id)
        .defer("body")  # outlines need titles, not texts
        .order_by("order", "pk")
    )
    for lesson in lessons:
        lesson.module = modules_by_id[lesson.module_id]  # reuse the loaded row: no extra query
        lessons_by_module[lesson.module_id].append(lesson)
    prerequisites: dict[int, list[int]] = defaultdict(list)
    links = Module.prerequisites.through.objects.filter(from_module_id__in=modules_by_id)
    for from_id, to_id in links.values_list("from_module_id", "to_module_id"):
        prerequisites[from_id].append(to_id)
    completed = frozenset(
        LessonCompletion.objects.filter(
            user_id=user.pk, lesson__module_id__in=modules_by_id
        ).values_list("lesson_id", flat=True)
        if getattr(user, "is_authenticated", False)
        else ()
    )

    live_by_module = {
        module.pk: [lesson for lesson in lessons_by_module[module.pk] if _is_live(lesson, module)]
        for module in modules
    }
    published = [module for module in modules if module.is_published]
    # Items other apps add (a quiz to pass): a constant number of queries for all modules.
    extras = extra_items(
        user, published, [lesson for m in published for lesson in live_by_module[m.pk]]
    )

    module_states: dict[int, ModuleState] = {}
    for module in modules:
        live = live_by_module[module.pk]
        extra = extras.get(module.pk, [])
        done = sum(1 for lesson in live if lesson.pk in completed) + sum(extra)
        progress = Progress(done, len(live) + len(extra))
        module_states[module.pk] = ModuleState(module, lessons_by_module[module.pk], progress)
    for module_id, state in module_states.items():
        for prerequisite_id in prerequisites[module_id]:
            prerequisite = module_states.get(prerequisite_id)
            # A draft or invisible prerequisite cannot be done, so it cannot lock anything;
            # one without live lessons has nothing to do.
            if prerequisite is None or not prerequisite.module.is_published:
                continue
            if prerequisite.progress.done < prerequisite.progress.total:
                state.missing_prerequisites.append(prerequisite.module)
        state.unlocked = not state.missing_prerequisites

    states = {pk: CourseState(course, [], completed) for pk, course in by_id.items()}
    for module in modules:
        states[module.course_id].modules.append(module_states[module.pk])
    return states
