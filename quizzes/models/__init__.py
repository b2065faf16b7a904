"""The assessment app's models: ``bank`` (questions), ``quiz`` (papers and their rules) and
``attempt`` (what trainees answered and scored)."""

from quizzes.models.attempt import Answer, Attempt
from quizzes.models.bank import Option, Question, QuestionTag
from quizzes.models.choices import (
    LOOP_KINDS,
    OPTION_KINDS,
    AttemptStatus,
    CategoryVocabulary,
    CertaintyLevel,
    FeedbackPolicy,
    GradingMethod,
    OverlapMetric,
    QuestionKind,
    QuizKind,
    SubmittedBy,
)
from quizzes.models.quiz import Quiz, QuizDraw, QuizItem

__all__ = [
    "LOOP_KINDS",
    "OPTION_KINDS",
    "Answer",
    "Attempt",
    "AttemptStatus",
    "CategoryVocabulary",
    "CertaintyLevel",
    "FeedbackPolicy",
    "GradingMethod",
    "Option",
    "OverlapMetric",
    "Question",
    "QuestionKind",
    "QuestionTag",
    "Quiz",
    "QuizDraw",
    "QuizItem",
    "QuizKind",
    "SubmittedBy",
]
