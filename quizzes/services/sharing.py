"""Sharing what a quiz or question links to, and publishing a quiz.

Public functions (keyword-only):

    share_quiz_dependencies(*, quiz, by) -> SharingResult
    share_question_dependencies(*, question, by) -> SharingResult
        Sets to "whole network" the hidden cases ``by`` may edit (through the cases' own
        service, which keeps a published case's history); the others — another
        institution's, unpublished or not-ready ones — come back in ``left``.
    publish_quiz(*, quiz, by) -> Quiz
        Refused (``ValidationError`` listing them) while a network quiz hides something.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.scoping import (
    HiddenDependency,
    PublicationStatus,
    SharingResult,
    Visibility,
)
from quizzes.models import Question, Quiz
from quizzes.services.authoring import update_quiz
from quizzes.sharing import question_hidden_dependencies, quiz_hidden_dependencies


def _share(
    found: list[HiddenDependency], by, again: Callable[[], list[HiddenDependency]]
) -> SharingResult:
    from cases.models import Case
    from cases.services.authoring import case_update

    shared = []
    for dep in found:
        # Unpublished cases need their review first; loops follow their case.
        if not dep.shareable:
            continue
        if not isinstance(dep.obj, Case) or dep.obj.visibility == Visibility.NETWORK:
            continue
        try:
            with transaction.atomic():
                case_update(case=dep.obj, by=by, visibility=Visibility.NETWORK)
        except (PermissionDenied, ValidationError):
            continue
        shared.append(dep)
    return SharingResult(shared=shared, left=again())


def share_quiz_dependencies(*, quiz: Quiz, by) -> SharingResult:
    def again() -> list[HiddenDependency]:
        return quiz_hidden_dependencies(quiz, user=by)

    return _share(again(), by, again)


def share_question_dependencies(*, question: Question, by) -> SharingResult:
    def again() -> list[HiddenDependency]:
        return question_hidden_dependencies(Question.objects.get(pk=question.pk), user=by)

    return _share(again(), by, again)


def publish_quiz(*, quiz: Quiz, by) -> Quiz:
    """The builder's "Publish" button: the same checks as saving the settings as published."""
    return update_quiz(quiz=quiz, by=by, status=PublicationStatus.PUBLISHED)
