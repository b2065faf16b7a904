"""Whether a user may read a case's key material now — the one place the case pages, the case
API, the curves API and the library ask.

A case a user may open (``Case.objects.open_to``) is still refused to them, with a message
(HTTP 403; never a 404: they know the case exists, they should know why it is closed), when:

* **a key lock holds it**: another app registers ``rule(user, now=None) -> KeyLock`` on
  ``KEY_LOCKS`` (``core.plugins``) naming the cases and loops whose annotations, phase
  markers, category, findings and diagnosis would answer one of the user's questions
  (``quizzes.locks``: an exam in progress). Loops of a locked case are locked too, for what
  carries their annotations (the curves API); the loop's video stays playable, since the
  attempt itself shows it;
* **it is "for assessment only"** (``Case.assessment_only``): listed to its editors only, and
  refused to anyone but its editors and reviewers (``cases.reviewers``): to trainees.

Editors of the case (its institution's instructors, site admins) are never refused: they hold
the keys already. Lists (the library grid, its search, the list API) leave refused cases out.

Public functions:
    KEY_LOCKS.register(rule)                   (rule(user, now=None) -> KeyLock)
    case_refusal(user, case) -> str            ("" when the user may read it)
    loop_refusal(user, loop_id) -> str
    listed_q(user) -> Q                        (cases a library list may show, before locks)
    openable_q(user) -> Q                      (cases a page may show, before locks)
    locked_case_ids(user, now=None) -> frozenset[int]
    readable_cases(user, now=None) -> QuerySet[Case]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cases.models import Case, CaseLoop
from core.plugins import HookPoint
from core.scoping import editable_q


@dataclass(frozen=True)
class KeyLock:
    """Cases and loops locked for one user; ``until_close``: those (of ``cases``) whose
    attempt is submitted but whose answers wait for the quiz to close."""

    cases: frozenset[int] = frozenset()
    loops: frozenset[int] = frozenset()
    until_close: frozenset[int] = frozenset()

    def __or__(self, other: KeyLock) -> KeyLock:
        return KeyLock(
            self.cases | other.cases, self.loops | other.loops, self.until_close | other.until_close
        )


KeyLockRule = Callable[..., KeyLock]  # rule(user, now=None)
KEY_LOCKS: HookPoint[KeyLockRule] = HookPoint("cases.key_locks")


def _is_editor_everywhere(user) -> bool:
    return not getattr(user, "is_authenticated", False) or user.is_site_admin


def key_lock(user, now: datetime | None = None) -> KeyLock:
    """What the registered rules lock for ``user`` (at ``now``), less what the user may edit."""
    if _is_editor_everywhere(user) or not KEY_LOCKS:
        return KeyLock()
    lock = KeyLock()
    for rule in KEY_LOCKS:
        lock |= rule(user, now=now)
    if not (lock.cases or lock.loops):
        return lock
    case_ids = set(lock.cases)
    if user.can_author:  # their own institution's cases: they wrote the keys
        editable = Case.objects.filter(pk__in=case_ids).filter(editable_q(user))
        case_ids -= set(editable.values_list("pk", flat=True))
    loops = set(lock.loops) | set(
        CaseLoop.objects.filter(case_id__in=case_ids).values_list("loop_id", flat=True)
    )
    if user.can_author:
        from cineloops.models import CineLoop

        loops -= set(
            CineLoop.objects.filter(pk__in=loops)
            .filter(editable_q(user))
            .values_list("pk", flat=True)
        )
    return KeyLock(frozenset(case_ids), frozenset(loops), lock.until_close & case_ids)


def locked_case_ids(user, now: datetime | None = None) -> frozenset[int]:
    return key_lock(user, now).cases


def listed_q(user) -> Q:
    """Cases a library list may show ``user`` as far as "assessment only" goes (with
    ``Case.objects.for_user``): all but assessment-only ones, which only their editors list."""
    if _is_editor_everywhere(user):
        return Q()  # anonymous users see nothing anyway (``for_user``); admins everything
    return Q(assessment_only=False) | editable_q(user)


def openable_q(user) -> Q:
    """Cases ``user`` may open as far as "assessment only" goes (with ``open_to``): all but
    assessment-only ones, which only their editors and reviewers open."""
    from cases.reviewers import review_scope_q

    if _is_editor_everywhere(user):
        return Q()
    return listed_q(user) | review_scope_q(user)


def _reviews(user, case: Case) -> bool:
    """Whether ``user`` may review ``case``'s institution's cases (``cases.reviewers``)."""
    from cases.reviewers import may_review, review_scope_q

    if not may_review(user):
        return False
    return Case.objects.filter(pk=case.pk).filter(review_scope_q(user)).exists()


def case_refusal(user, case: Case) -> str:
    """Why ``user``, who may open ``case``, may not read it now; "" when they may."""
    if case.is_editable_by(user):
        return ""
    lock = key_lock(user)
    if case.pk in lock.until_close:
        return _(
            "This case is part of an exam you took: it opens again when the exam closes and "
            "its answers are released."
        )
    if case.pk in lock.cases:
        return _("This case is part of your exam in progress: it opens again after you submit.")
    if case.assessment_only and not _reviews(user, case):
        return _("This case is used for assessment only: it opens inside the quizzes that use it.")
    return ""


def loop_refusal(user, loop_id: int) -> str:
    """Why ``user`` may not read what is drawn on loop ``loop_id`` (its curves) now."""
    if loop_id in key_lock(user).loops:
        return _(
            "This loop is part of your exam: its annotations and curves open again when you "
            "may see the answers."
        )
    return ""


def readable_cases(user, now: datetime | None = None) -> QuerySet[Case]:
    """``Case.objects.open_to(user)`` without the cases refused to ``user`` now."""
    cases = Case.objects.open_to(user)
    if _is_editor_everywhere(user):
        return cases
    cases = cases.filter(openable_q(user))
    locked = locked_case_ids(user, now)
    return cases.exclude(pk__in=locked) if locked else cases
