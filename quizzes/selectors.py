"""Reads other apps' pages need: the quizzes on a course's modules and lessons, with the
user's grade on each, in two queries for any number of modules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from quizzes.models import Attempt, Quiz
from quizzes.services.results import Grade, grade_from_attempts


@dataclass(frozen=True)
class ModuleQuiz:
    quiz: Quiz
    module_id: int
    grade: Grade


def module_quizzes(
    user, module_ids: Sequence[int], lesson_module: Mapping[int, int]
) -> list[ModuleQuiz]:
    """Published quizzes ``user`` may see on the modules, or on the lessons of
    ``lesson_module`` (lesson id -> module id), each with the user's grade."""
    quizzes = list(
        Quiz.objects.for_user(user)
        .published()
        .filter(Q(module_id__in=list(module_ids)) | Q(lesson_id__in=list(lesson_module)))
        .only(
            "pk",
            "title",
            "kind",
            "module_id",
            "lesson_id",
            "pass_mark",
            "max_attempts",
            "grading_method",
        )
        .order_by("title", "pk")
    )
    if not quizzes:
        return []
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    if getattr(user, "is_authenticated", False):
        rows = Attempt.objects.filter(user_id=user.pk, quiz__in=[q.pk for q in quizzes]).only(
            "quiz_id", "number", "status", "percent", "needs_grading"
        )
        for attempt in rows:
            attempts[attempt.quiz_id].append(attempt)
    found = []
    for quiz in quizzes:
        module_id = quiz.module_id or lesson_module.get(quiz.lesson_id)
        if module_id is not None:
            found.append(ModuleQuiz(quiz, module_id, grade_from_attempts(quiz, attempts[quiz.pk])))
    return found
