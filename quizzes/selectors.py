"""Reads of the quiz pages and of other apps' pages.

- ``module_quizzes``: the quizzes on a course's modules and lessons, with the user's grade on
  each, in two queries for any number of modules;
- the question bank (``bank_questions`` filtered by ``BankFilters``, and the lists beside it);
- the quiz builder (``quiz_items``, ``quiz_draws``, ``draw_rows``, ``bank_choices``);
- a taker's submitted attempts on a quiz (``submitted_attempts``);
- what the results pages show of attempts (``trainee_attempts``, ``questions_with_options``,
  ``answers_of``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from cases.models import Case
from core.api import parse_id
from core.content_language import in_any_language
from core.scoping import PublicationStatus
from quizzes.models import (
    Answer,
    Attempt,
    AttemptStatus,
    Option,
    Question,
    QuestionKind,
    QuestionTag,
    Quiz,
    QuizDraw,
    QuizItem,
)
from quizzes.services.paper import usable_bank_q
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


# --- The question bank ------------------------------------------------------------------------

BANK_PAGE_SIZE = 50


@dataclass(frozen=True)
class BankFilters:
    """The bank's filters as typed; unknown values are ignored (a stale link still lists)."""

    q: str = ""
    kind: str = ""
    status: str = ""
    tag: str = ""
    case: str = ""  # a case id as typed: the form shows it back


def bank_filters_from(params: Mapping[str, str]) -> BankFilters:
    return BankFilters(
        q=params.get("q", "").strip(),
        kind=params.get("kind", "").strip(),
        status=params.get("status", ""),
        tag=params.get("tag", "").strip(),
        case=params.get("case", "").strip(),
    )


def bank_questions(user, filters: BankFilters) -> QuerySet[Question]:
    """The questions ``user`` may edit that match ``filters``, last changed first, each with
    its case, its tags and ``quiz_count`` (the quizzes listing it)."""
    questions = Question.objects.editable_by(user).select_related("case")
    if filters.q:
        questions = questions.filter(in_any_language("title", "icontains", filters.q))
    if filters.kind in QuestionKind.values:
        questions = questions.filter(kind=filters.kind)
    if filters.status in PublicationStatus.values:
        questions = questions.filter(status=filters.status)
    if filters.tag:
        questions = questions.filter(tags__name__iexact=filters.tag)
    case_id = parse_id(filters.case)
    if case_id is not None:
        questions = questions.filter(case_id=case_id)
    return (
        questions.annotate(quiz_count=Count("quiz_items", distinct=True))
        .order_by("-updated_at", "pk")
        .prefetch_related("tags")
    )


def bank_quizzes(user) -> QuerySet[Quiz]:
    """The quizzes ``user`` may edit, by title, with ``item_count`` and ``attempt_count``."""
    return (
        Quiz.objects.editable_by(user)
        .annotate(
            item_count=Count("items", distinct=True),
            attempt_count=Count("attempts", distinct=True),
        )
        .order_by("title", "pk")
    )


def bank_cases(user) -> QuerySet[Case]:
    """The cases that questions ``user`` may edit are about (the bank's case filter)."""
    return Case.objects.filter(
        pk__in=Question.objects.editable_by(user).values("case_id")
    ).order_by("title")


def bank_tags(user) -> QuerySet[str]:
    """The names of the tags on questions ``user`` may edit."""
    return (
        QuestionTag.objects.filter(questions__in=Question.objects.editable_by(user))
        .distinct()
        .values_list("name", flat=True)
    )


def question_options(question: Question) -> QuerySet[Option]:
    """The question's options in their order."""
    return question.options.order_by("order", "pk")


def fresh_question(question: Question) -> Question:
    """The question's row as stored (a bound form changes the instance while validating)."""
    return Question.objects.get(pk=question.pk)


# --- The quiz builder -------------------------------------------------------------------------


def fresh_quiz(quiz: Quiz) -> Quiz:
    """The quiz's row as stored (a bound form changes the instance while validating)."""
    return Quiz.objects.get(pk=quiz.pk)


def quiz_items(quiz: Quiz) -> QuerySet[QuizItem]:
    """The quiz's fixed questions in paper order."""
    return quiz.items.select_related("question").order_by("order", "pk")


def quiz_draws(quiz: Quiz) -> QuerySet[QuizDraw]:
    """The quiz's draws by tag, in order."""
    return quiz.draws.select_related("tag").order_by("order", "pk")


def bank_choices(quiz: Quiz) -> QuerySet[Question]:
    """Published questions the quiz may list (own institution's or shared), not yet on it."""
    return (
        Question.objects.filter(usable_bank_q(quiz))
        .exclude(quiz_items__quiz=quiz)
        .order_by("title", "pk")
    )


@dataclass(frozen=True)
class DrawRow:
    draw: QuizDraw
    available: int  # questions a paper may draw for it: tagged, usable, not listed


def draw_rows(quiz: Quiz, *, listed: Collection[int]) -> list[DrawRow]:
    """Each draw of the quiz with the number of bank questions it can draw from, leaving out
    the questions ``listed`` on the quiz already (one count per draw)."""
    return [
        DrawRow(
            draw,
            Question.objects.filter(usable_bank_q(quiz), tags=draw.tag)
            .exclude(pk__in=listed)
            .distinct()
            .count(),
        )
        for draw in quiz_draws(quiz)
    ]


# --- Taking -----------------------------------------------------------------------------------


def submitted_attempts(quiz: Quiz, user) -> QuerySet[Attempt]:
    """``user``'s submitted attempts on ``quiz``, latest first."""
    return (
        Attempt.objects.select_related("quiz")
        .filter(quiz=quiz, user=user, status=AttemptStatus.SUBMITTED)
        .order_by("-number")
    )


def attempt_count(quiz: Quiz) -> int:
    """Attempts on the quiz, by anyone (the builder warns before changing a quiz in use)."""
    return quiz.attempts.count()


# --- Results ----------------------------------------------------------------------------------


def trainee_attempts(quiz: Quiz, *, viewer, trainee_pk: int) -> list[Attempt]:
    """The attempts of one trainee on ``quiz`` that ``viewer`` may read in detail, in order,
    with their user. Attempts first, the trainee from them: a join from the user to their
    attempts gives one row per attempt (MultipleObjectsReturned with two)."""
    return list(
        quiz.attempts.in_detail_for(viewer)
        .filter(user_id=trainee_pk)
        .select_related("user")
        .order_by("number")
    )


def questions_with_options(ids: Iterable[int]) -> dict[int, Question]:
    """The questions of ``ids`` by id, each with its options."""
    return Question.objects.prefetch_related("options").in_bulk(ids)


def answers_of(attempts: Sequence[Attempt]) -> dict[tuple[int, int], Answer]:
    """The answers of ``attempts`` by (attempt id, question id)."""
    return {(a.attempt_id, a.question_id): a for a in Answer.objects.filter(attempt__in=attempts)}


# --- The API's attempts -----------------------------------------------------------------------


def attempts_of(user) -> QuerySet[Attempt]:
    """The user's own attempts (only they may change them)."""
    return Attempt.objects.filter(user=user)


def attempt_of(user, pk: int) -> Attempt | None:
    """The user's own attempt ``pk`` with its quiz, or None."""
    return attempts_of(user).select_related("quiz").filter(pk=pk).first()


def attempt_in_detail_for(user, pk: int) -> Attempt | None:
    """Attempt ``pk`` with its quiz when ``user`` may read it in detail (``results_access``:
    staff of the trainee's institution, site admins), or None."""
    return Attempt.objects.in_detail_for(user).select_related("quiz").filter(pk=pk).first()


def open_attempt_ids(quiz: Quiz, user) -> set[int]:
    """The user's attempts in progress on ``quiz``."""
    return set(
        Attempt.objects.filter(quiz=quiz, user=user, status=AttemptStatus.IN_PROGRESS).values_list(
            "pk", flat=True
        )
    )
