"""The quiz builder's next-action bar (``core.next_action``): state, who will see the quiz,
what is missing, and the one button that moves it on."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.next_action import NextAction, Step, audience_sentence
from core.scoping import HiddenDependency, PublicationStatus
from quizzes.models import Quiz


def quiz_next_action(quiz: Quiz, *, hidden: list[HiddenDependency]) -> NextAction:
    """``hidden``: ``quizzes.sharing.quiz_hidden_dependencies(quiz, user=…)``."""
    published = quiz.status == PublicationStatus.PUBLISHED
    missing = []
    if not quiz.items.exists() and not quiz.draws.exists():
        missing.append(_("No questions yet: add one from the bank or a random draw."))
    for dep in hidden:
        why = "" if dep.editable else " " + _("You cannot change it: ask its authors.")
        missing.append(dep.message + why)
    steps = []
    shareable = any(dep.shareable for dep in hidden)
    if shareable:
        steps.append(
            Step(
                label=_("Share them with the network too"),
                url=reverse("quizzes:share", kwargs={"pk": quiz.pk}),
            )
        )
    if not published:
        # The service refuses again (no questions, or a network quiz that hides something).
        steps.append(
            Step(
                label=_("Publish"),
                url=reverse("quizzes:publish", kwargs={"pk": quiz.pk}),
                primary=not shareable,
            )
        )
    return NextAction(
        state=_("Published") if published else _("Draft"),
        audience=audience_sentence(
            status=quiz.status, visibility=quiz.visibility, institution_name=str(quiz.institution)
        ),
        missing=tuple(missing),
        steps=tuple(steps),
        tone="done" if published else "draft",
    )
