"""What a quiz or a question shows that some of its readers cannot see (``core.scoping``).

A question travels inside its quiz (the paper carries its text), so its own visibility never
hides it from a trainee; what can be hidden is what it *links* to: the case (opened from the
feedback) and the cine loop (streamed from the case's media). A network quiz on an
institution-only case shows other hospitals a question whose loop and case answer 404.

Public functions:

    question_hidden_dependencies(question, *, user=None) -> list[HiddenDependency]
    quiz_hidden_dependencies(quiz, *, user=None) -> list[HiddenDependency]
        ``user``: marks those ``user`` may share (``HiddenDependency.editable``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cineloops.models import LoopStatus
from core.scoping import HiddenDependency, HiddenReason, hidden_message, hidden_reason
from quizzes.models import Question, Quiz
from quizzes.services.paper import usable_bank_q


def _editable(obj, user) -> bool:
    return user is not None and hasattr(obj, "is_editable_by") and obj.is_editable_by(user)


def _links(owner, noun: str, questions: Iterable[Question], user) -> list[HiddenDependency]:
    found: dict[tuple[str, int], HiddenDependency] = {}
    for question in questions:
        case, loop = question.case, question.loop
        if case is not None:
            reason = hidden_reason(owner, case)
            if reason:
                dep = HiddenDependency(
                    obj=case,
                    kind=_("case"),
                    reason=reason,
                    message=hidden_message(
                        owner=owner, noun=noun, kind=_("case"), dependency=case, reason=reason
                    ),
                    editable=_editable(case, user),
                )
                found.setdefault(dep.key, dep)
        if loop is not None and loop.status != LoopStatus.READY:
            reason = HiddenReason.NOT_READY
            kind = _("cine loop")
            dep = HiddenDependency(
                obj=loop,
                kind=kind,
                reason=reason,
                message=hidden_message(
                    owner=owner, noun=noun, kind=kind, dependency=loop, reason=reason
                ),
            )
            found.setdefault(dep.key, dep)
    return list(found.values())


def question_hidden_dependencies(question: Question, *, user=None) -> list[HiddenDependency]:
    """The case and loop of ``question`` that its readers would not see."""
    return _links(question, _("question"), [question], user)


def quiz_hidden_dependencies(quiz: Quiz, *, user=None) -> list[HiddenDependency]:
    """The cases and loops of the quiz's questions — listed ones and those its random draws
    may pick — that some of the quiz's trainees would not see."""
    questions = list(
        Question.objects.filter(quiz_items__quiz=quiz).select_related("case__institution", "loop")
    )
    tags = list(quiz.draws.values_list("tag_id", flat=True))
    if tags:
        questions += list(
            Question.objects.filter(usable_bank_q(quiz), tags__in=tags)
            .exclude(case__isnull=True)
            .select_related("case__institution", "loop")
            .distinct()
        )
    return _links(quiz, _("quiz"), questions, user)
