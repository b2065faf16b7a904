"""The paper of an attempt: which questions, in which order, with options in which order.

Everything random comes from one ``random.Random(seed)``, and the result is stored on the
attempt (``Attempt.paper``), so an attempt always shows the same paper — on reload, on review,
after the bank changes. ``build_paper(quiz, seed)`` gives the same paper for the same seed as
long as the bank is unchanged (the stored copy is what counts).

Draws: ``QuizDraw(tag, count)`` picks ``count`` questions at random among the *published* bank
questions with that tag that the quiz's institution may use (its own, or shared with the
network), never a question the quiz lists as a fixed item or one already drawn. When fewer
are available than asked, the draw takes what exists: the paper is shorter rather than the
quiz unavailable (authors see the count in the builder).
"""

from __future__ import annotations

import random
import secrets

from django.db.models import Q

from core.scoping import shared_with_q
from quizzes.models import Option, Question, QuestionKind, Quiz

# Kinds whose options are listed on the paper. Ordering options are always shuffled: shown
# in their stored order they would be the answer. True/false always reads "True, False".
LISTED_OPTION_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.ORDERING}
)


def usable_bank_q(quiz: Quiz) -> Q:
    """Published bank questions the quiz's institution may put on a paper."""
    return shared_with_q(quiz.institution_id)


def new_seed() -> int:
    # Fits a signed 64-bit column on every database.
    return secrets.randbits(62)


def build_paper(quiz: Quiz, seed: int) -> list[dict]:
    """``[{"question": id, "points": float, "options": [option ids]}, ...]`` for one attempt."""
    rng = random.Random(seed)
    questions: list[Question] = [
        item.question for item in quiz.items.select_related("question").order_by("order", "pk")
    ]
    used = {q.pk for q in questions}
    for draw in quiz.draws.all():
        candidates = list(
            Question.objects.filter(usable_bank_q(quiz), tags=draw.tag)
            .exclude(pk__in=used)
            .order_by("pk")
            .distinct()
        )
        picked = rng.sample(candidates, min(draw.count, len(candidates)))
        questions.extend(picked)
        used.update(q.pk for q in picked)

    options_by_question: dict[int, list[int]] = {q.pk: [] for q in questions}
    listed = [q.pk for q in questions if q.kind in LISTED_OPTION_KINDS]
    for option in Option.objects.filter(question_id__in=listed).order_by("order", "pk"):
        options_by_question[option.question_id].append(option.pk)

    paper = []
    for question in questions:
        option_ids = options_by_question[question.pk]
        if question.kind == QuestionKind.ORDERING or (
            quiz.shuffle_options and question.kind != QuestionKind.TRUE_FALSE
        ):
            rng.shuffle(option_ids)
        paper.append(
            {"question": question.pk, "points": float(question.points), "options": option_ids}
        )
    if quiz.shuffle_questions:
        rng.shuffle(paper)
    return paper


def paper_entry(paper: list[dict], question_id: int) -> dict | None:
    return next((entry for entry in paper if entry["question"] == question_id), None)
