"""What the assessment app plugs into other apps (registered in ``QuizzesConfig.ready``):
a cine-loop visibility rule and the course-progress items of quizzes (and, in
``quizzes.locks``, the exam key lock of the case library)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Q

from core.scoping import Visibility


def loops_in_visible_quizzes(user) -> Q:
    """Loops of the questions a user may meet in the published quizzes they may see: the fixed
    items, and the bank questions a draw of such a quiz may pick (published, with the draw's
    tag, usable by a quiz institution). cineloops adds: only ready loops."""
    from quizzes.models import Question, Quiz, QuizDraw, QuizItem

    quizzes = Quiz.objects.for_user(user).published()
    fixed = QuizItem.objects.filter(quiz__in=quizzes.values("pk")).values("question__loop_id")
    drawable = (
        Question.objects.published()
        .filter(tags__in=QuizDraw.objects.filter(quiz__in=quizzes.values("pk")).values("tag_id"))
        .filter(
            Q(visibility=Visibility.NETWORK)
            | Q(institution_id__in=quizzes.values("institution_id"))
        )
        .values("loop_id")
    )
    return Q(pk__in=fixed) | Q(pk__in=drawable)


def quiz_progress_items(user, modules: Sequence, lessons: Sequence) -> dict[int, list[bool]]:
    """One item per published quiz the user may see on each module or one of its lessons,
    done when the user's grade passes (two queries for any number of modules)."""
    from quizzes.selectors import module_quizzes

    lesson_module = {lesson.pk: lesson.module_id for lesson in lessons}
    items: dict[int, list[bool]] = defaultdict(list)
    for found in module_quizzes(user, [module.pk for module in modules], lesson_module):
        items[found.module_id].append(found.grade.passed)
    return dict(items)
