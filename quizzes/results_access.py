"""Who sees which trainees' quiz results — the one copy of the rule (issue 11), as ``Q`` objects
on ``Attempt`` that the results pages, the CSV export, item analysis, the grading queue and the
API all apply.

- A trainee's own institution's staff (instructors, programme directors) see that trainee's
  attempts and answers, answer by answer, on any quiz they can see.
- The institution that owns a quiz sees only aggregates (counts, the score distribution, item
  analysis) of other institutions' trainees: not their names, not their answers.
- Site admins see everything.
- A free-text answer is graded by the trainee's own institution's instructors (or a site
  admin) — the people who may read it; the quiz's owner does not grade another hospital's
  trainee. Directors read answers but do not grade.

Public functions:
    may_read_results(user) -> bool
    may_grade(user) -> bool
    results_quizzes(user) -> QuerySet[Quiz]           quizzes whose results pages the user opens
    detail_attempts_q(user, prefix="") -> Q          attempts shown answer by answer
    aggregate_attempts_q(user, prefix="") -> Q       attempts counted in the user's aggregates
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from quizzes.models.quiz import Quiz

_NOTHING = Q(pk__in=[])


def _staff(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.institution_id
        and (user.is_instructor or user.is_director)
    )


def may_read_results(user) -> bool:
    """Instructors and directors of an institution, and site admins."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_site_admin or _staff(user)))


def may_grade(user) -> bool:
    """Instructors of an institution and site admins (directors read, they do not grade)."""
    return may_read_results(user) and (user.is_site_admin or user.is_instructor)


def results_quizzes(user) -> QuerySet[Quiz]:
    """Quizzes whose results pages ``user`` may open: every quiz they can see."""
    if not may_read_results(user):
        return Quiz.objects.none()
    return Quiz.objects.for_user(user)


def _visible_quiz_q(user, prefix: str) -> Q:
    return Q(**{f"{prefix}quiz__in": Quiz.objects.for_user(user).values("pk")})


def detail_attempts_q(user, prefix: str = "") -> Q:
    """``Attempt`` rows (through ``prefix``, e.g. ``"attempt__"`` from ``Answer``) whose
    trainee, answers and scores ``user`` may see one by one."""
    if not may_read_results(user):
        return _NOTHING
    if user.is_site_admin:
        return Q()
    own_trainees = Q(**{f"{prefix}user__institution_id": user.institution_id})
    return own_trainees & _visible_quiz_q(user, prefix)


def aggregate_attempts_q(user, prefix: str = "") -> Q:
    """``Attempt`` rows counted in what ``user`` sees in aggregate: their own trainees', and
    everyone's on the quizzes their institution owns."""
    if not may_read_results(user):
        return _NOTHING
    if user.is_site_admin:
        return Q()
    owned = Q(**{f"{prefix}quiz__institution_id": user.institution_id})
    own_trainees = Q(**{f"{prefix}user__institution_id": user.institution_id})
    return (owned | own_trainees) & _visible_quiz_q(user, prefix)
