"""Quiz links for the course pages: ``{% course_quizzes user state as found %}`` once per
page (two queries), then ``{% module_quiz_list found module.pk %}`` in each module; on a
lesson's page, ``{% lesson_quiz_list user lesson %}`` lists the quizzes of that lesson."""

from __future__ import annotations

from collections import defaultdict

from django import template

from quizzes.selectors import ModuleQuiz, module_quizzes

register = template.Library()


@register.simple_tag
def course_quizzes(user, state) -> dict[int, list[ModuleQuiz]]:
    """``state`` is a ``courses.progress.CourseState``."""
    lesson_module = {lesson.pk: lesson.module_id for lesson in state.lessons}
    module_ids = [m.module.pk for m in state.modules]
    found: dict[int, list[ModuleQuiz]] = defaultdict(list)
    for item in module_quizzes(user, module_ids, lesson_module):
        found[item.module_id].append(item)
    return dict(found)


@register.inclusion_tag("quizzes/_module_quizzes.html")
def module_quiz_list(found: dict[int, list[ModuleQuiz]], module_id: int) -> dict:
    return {"items": found.get(module_id, [])}


@register.inclusion_tag("quizzes/_lesson_quizzes.html")
def lesson_quiz_list(user, lesson) -> dict:
    """The published quizzes attached to ``lesson`` that ``user`` may see, with their grade."""
    found = module_quizzes(user, [], {lesson.pk: lesson.module_id})
    return {"items": [item for item in found if item.quiz.lesson_id == lesson.pk]}
