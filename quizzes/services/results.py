"""Reading results: a trainee's grade on a quiz, a quiz's results table, its CSV rows and the
rows item analysis needs.

Public functions:
    quiz_grade(quiz, user) -> Grade
    grade_from_attempts(quiz, attempts) -> Grade        (pure: for callers that batch queries)
    quiz_results(quiz, *, user) -> list[TraineeResult]
    quiz_aggregate(quiz, *, user) -> Aggregate
    attempts_csv_rows(quiz, *, user) -> Iterator[list]  (a header row, then one per attempt)
    analysis_rows(quiz, *, user) -> list[AnalysisRow]     (percent, credits, chosen options)

What ``user`` sees is ``quizzes.results_access``: their own institution's trainees by name and
answer (``quiz_results``, the CSV), everyone's attempts on their institution's quizzes only in
aggregate (``quiz_aggregate``, ``analysis_rows``).

Grade rules: the grading method (highest, last, first, average) applies to the *submitted*
attempts' percents in attempt order. While a free-text answer of a submitted attempt waits for
an instructor, the grade is ``pending`` and does not count as passed (a certainty-based grade
can still fall), so course progress waits for the grading too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import User
from quizzes.models import Answer, Attempt, AttemptStatus, Quiz
from quizzes.scoring import final_percent


@dataclass(frozen=True)
class Grade:
    percent: float | None
    passed: bool
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    pending: bool = False  # a counted attempt waits for grading: passed stays False
    submitted: int = 0


def grade_from_attempts(quiz: Quiz, attempts: Iterable[Attempt]) -> Grade:
    """The grade from one user's attempts on ``quiz`` (any order; open ones count as used)."""
    attempts = sorted(attempts, key=lambda a: a.number)
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    percent = final_percent([a.percent for a in submitted], quiz.grading_method)
    pending = any(a.needs_grading for a in submitted)
    used = len(attempts)
    return Grade(
        percent=percent,
        passed=percent is not None and not pending and percent >= quiz.pass_mark,
        attempts_used=used,
        attempts_left=max(0, quiz.max_attempts - used) if quiz.max_attempts else None,
        pending=pending,
        submitted=len(submitted),
    )


def quiz_grade(quiz: Quiz, user) -> Grade:
    if not getattr(user, "is_authenticated", False):
        return grade_from_attempts(quiz, [])
    return grade_from_attempts(quiz, quiz.attempts.filter(user=user))


@dataclass
class TraineeResult:
    user: User
    grade: Grade
    attempts: list[Attempt] = field(default_factory=list)


def quiz_results(quiz: Quiz, *, user) -> list[TraineeResult]:
    """One row per trainee who started the quiz and whose answers ``user`` may see, by name
    (one query)."""
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    users: dict[int, User] = {}
    attempts = quiz.attempts.in_detail_for(user).select_related("user__institution")
    for attempt in attempts.order_by("user_id", "number"):
        by_user[attempt.user_id].append(attempt)
        users[attempt.user_id] = attempt.user
    rows = [
        TraineeResult(users[uid], grade_from_attempts(quiz, attempts), attempts)
        for uid, attempts in by_user.items()
    ]
    rows.sort(key=lambda r: (r.user.get_full_name() or r.user.get_username()).lower())
    return rows


@dataclass(frozen=True)
class Aggregate:
    """Counts over the attempts ``user`` sees in aggregate: no names, no answers."""

    trainees: int
    other_trainees: int  # of them, trainees whose answers the user does not see
    attempts: int
    submitted: int
    passed: int  # trainees whose grade passes
    # Submitted attempts per band of ten percent: [(lower bound, count)], 0 to 90 (90: 90-100).
    distribution: list[tuple[int, int]]


def quiz_aggregate(quiz: Quiz, *, user) -> Aggregate:
    """Counts and the score distribution of every attempt ``user`` may count (one query)."""
    attempts = list(
        quiz.attempts.in_aggregate_for(user).only(
            "user_id", "number", "status", "percent", "needs_grading", "quiz_id"
        )
    )
    detailed = set(quiz.attempts.in_detail_for(user).values_list("user_id", flat=True))
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_user[attempt.user_id].append(attempt)
    bands = [0] * 10
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    for attempt in submitted:
        if attempt.percent is not None:
            bands[min(9, max(0, int(attempt.percent // 10)))] += 1
    return Aggregate(
        trainees=len(by_user),
        other_trainees=len(set(by_user) - detailed),
        attempts=len(attempts),
        submitted=len(submitted),
        passed=sum(grade_from_attempts(quiz, rows).passed for rows in by_user.values()),
        distribution=[(10 * i, count) for i, count in enumerate(bands)],
    )


def attempts_csv_rows(quiz: Quiz, *, user) -> Iterator[list]:
    """The attempts whose trainee ``user`` may see, as CSV rows (values, not yet text), header
    first."""
    yield [
        _("Username"),
        _("Name"),
        _("Institution"),
        _("Attempt"),
        _("Status"),
        _("Started"),
        _("Submitted"),
        _("Submitted how"),
        _("Score"),
        _("Maximum"),
        _("Percent"),
        _("Passed"),
        _("Waiting for grading"),
    ]
    attempts = (
        quiz.attempts.in_detail_for(user)
        .select_related("user__institution")
        .order_by("user__username", "number")
    )
    for a in attempts:
        yield [
            a.user.get_username(),
            a.user.get_full_name(),
            str(a.user.institution) if a.user.institution_id else "",
            a.number,
            a.get_status_display(),
            a.started_at.isoformat() if a.started_at else "",
            a.submitted_at.isoformat() if a.submitted_at else "",
            a.get_submitted_by_display() if a.submitted_by else "",
            "" if a.score is None else round(a.score, 2),
            round(a.max_score, 2),
            "" if a.percent is None else round(a.percent, 1),
            "" if a.passed is None else (_("yes") if a.passed else _("no")),
            _("yes") if a.needs_grading else _("no"),
        ]


AnalysisRow = tuple[float, dict[int, float | None], dict[int, list[int]]]


def analysis_rows(quiz: Quiz, *, user) -> list[AnalysisRow]:
    """Per submitted attempt: (percent, {question id: credit or None}, {question id: chosen
    option ids}) — the input of ``quizzes.analysis.item_statistics``. Questions on the paper
    left unanswered count with credit 0 (two queries)."""
    attempts = list(
        quiz.attempts.in_aggregate_for(user)
        .filter(status=AttemptStatus.SUBMITTED)
        .only("pk", "percent", "paper")
        .order_by("pk")  # the table's question order follows the first attempt: keep it stable
    )
    answers: dict[int, dict[int, Answer]] = defaultdict(dict)
    for row in Answer.objects.filter(attempt__in=attempts).only(
        "attempt_id", "question_id", "credit", "response"
    ):
        answers[row.attempt_id][row.question_id] = row
    rows = []
    for attempt in attempts:
        credits: dict[int, float | None] = {}
        chosen: dict[int, list[int]] = {}
        for entry in attempt.paper:
            qid = entry["question"]
            answer = answers[attempt.pk].get(qid)
            credits[qid] = 0.0 if answer is None else answer.credit
            chosen[qid] = _chosen_options(answer.response if answer else None)
        rows.append((attempt.percent or 0.0, credits, chosen))
    return rows


def _chosen_options(response) -> list[int]:
    if not isinstance(response, dict):
        return []
    if "option" in response:
        return [response["option"]]
    if "options" in response:
        return list(response["options"])
    return []
