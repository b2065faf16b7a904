"""Marks of an attempt: ``quizzes.scoring`` (pure) applied to the stored answers.

Used at submission, when an answer is checked ("immediately" feedback) and when an instructor
grades a free-text answer. A question's points come from the paper (what the trainee was
shown), not from the bank row, which may have changed since.
"""

from __future__ import annotations

from quizzes.models import Answer, Attempt, Question, QuestionKind
from quizzes.scoring import Scored, attempt_percent, question_marks, score_response


def question_max(quiz, points: float) -> float:
    """The most a question can earn on this quiz (three times its points under CBM)."""
    return question_marks(0.0, False, points, certainty="", certainty_based=quiz.certainty_based)[1]


def mark_answer(answer: Answer, question: Question, *, points: float, quiz) -> None:
    """Fill ``answer``'s credit, correctness, detail and score (not saved).

    A graded free-text answer keeps the instructor's credit; an ungraded one stays without a
    score (``credit`` None) until graded.
    """
    if question.kind == QuestionKind.FREE_TEXT and answer.graded_at is not None:
        scored = Scored(credit=answer.credit, correct=answer.is_correct, detail=answer.detail)
    else:
        regions = question.loop.regions if question.loop is not None else None
        scored = score_response(question, answer.response, regions=regions)
    answer.credit = scored.credit
    answer.is_correct = scored.correct
    answer.detail = dict(scored.detail or {})
    if scored.credit is None:
        answer.score = None
        return
    answer.score = question_marks(
        scored.credit,
        bool(scored.correct),
        points,
        certainty=answer.certainty,
        certainty_based=quiz.certainty_based,
    )[0]


def unanswered_marks(question: Question, *, points: float, quiz) -> tuple[float, float]:
    """(score, max) of a question left without an answer."""
    regions = question.loop.regions if question.loop is not None else None
    scored = score_response(question, None, regions=regions)
    return question_marks(
        scored.credit or 0.0,
        bool(scored.correct),
        points,
        certainty="",
        certainty_based=quiz.certainty_based,
    )


def attempt_rescore(attempt: Attempt) -> Attempt:
    """Score every answer on the paper and set the attempt's totals (saved; status untouched).

    Free text waiting for an instructor counts 0 and sets ``needs_grading``: the score and
    ``passed`` are provisional until then.
    """
    quiz = attempt.quiz
    ids = [entry["question"] for entry in attempt.paper]
    questions = Question.objects.select_related("loop").prefetch_related("options").in_bulk(ids)
    answers = {a.question_id: a for a in attempt.answers.all()}
    score = max_score = 0.0
    needs_grading = False
    for entry in attempt.paper:
        question = questions.get(entry["question"])
        if question is None:  # deleted from the bank since: PROTECT makes this theoretical
            continue
        points = float(entry["points"])
        max_score += question_max(quiz, points)
        answer = answers.get(question.pk)
        if answer is None:
            score += unanswered_marks(question, points=points, quiz=quiz)[0]
            continue
        mark_answer(answer, question, points=points, quiz=quiz)
        if answer.credit is None:
            needs_grading = True
        else:
            score += answer.score or 0.0
    Answer.objects.bulk_update(
        answers.values(), ["credit", "is_correct", "detail", "score"], batch_size=200
    )
    attempt.score = score
    attempt.max_score = max_score
    attempt.percent = attempt_percent(score, max_score)
    attempt.passed = attempt.percent >= quiz.pass_mark
    attempt.needs_grading = needs_grading
    attempt.save(update_fields=["score", "max_score", "percent", "passed", "needs_grading"])
    return attempt
