"""Who sees, edits, corrects and signs off logbook entries (as querysets and predicates), and
the logbook's read helpers. Writing is ``certification.services.logbook``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import User
from certification.models import EntryStatus, ExamType, LogbookEntry
from cineloops.models import CineLoop
from core.scoping import acts_for


def _staff_of(user: User) -> bool:
    return bool(user.institution_id) and (user.is_instructor or user.is_director)


def entries_visible_to(user: User) -> QuerySet[LogbookEntry]:
    """Own entries; an instructor's or director's institution's; every entry for site admins."""
    entries = LogbookEntry.objects.select_related("trainee", "supervisor", "reviewed_by")
    if not getattr(user, "is_authenticated", False):
        return entries.none()
    if user.is_site_admin:
        return entries
    q = Q(trainee=user)
    if _staff_of(user):
        q |= Q(trainee__institution_id=user.institution_id)
    return entries.filter(q)


def entries_to_sign_off(user: User) -> QuerySet[LogbookEntry]:
    """The sign-off queue: pending entries of the user's institution's trainees, oldest first
    (directors read it too; only instructors and site admins may review)."""
    if not getattr(user, "is_authenticated", False):
        return LogbookEntry.objects.none()
    if not (user.is_site_admin or _staff_of(user)):
        return LogbookEntry.objects.none()
    return (
        entries_visible_to(user)
        .filter(status=EntryStatus.PENDING)
        .exclude(trainee=user)
        .order_by("created_at", "pk")
    )


def may_sign_off(user) -> bool:
    """Whether ``user`` signs off logbook entries at all: instructors and site admins."""
    return bool(
        getattr(user, "is_authenticated", False) and (user.is_site_admin or user.is_instructor)
    )


def can_review(user: User, entry: LogbookEntry) -> bool:
    if not may_sign_off(user) or entry.trainee_id == user.pk:
        return False
    return acts_for(user, entry.trainee.institution_id)


def can_edit(user: User, entry: LogbookEntry) -> bool:
    return entry.trainee_id == user.pk and entry.status == EntryStatus.PENDING


def open_correction(entry: LogbookEntry) -> LogbookEntry | None:
    """A correction of ``entry`` still pending or approved (a rejected one may be redone)."""
    return entry.corrections.exclude(status=EntryStatus.REJECTED).order_by("-pk").first()


def can_correct(user: User, entry: LogbookEntry) -> bool:
    return (
        entry.trainee_id == user.pk
        and entry.status != EntryStatus.PENDING
        and open_correction(entry) is None
    )


def supervisors_for(trainee: User) -> QuerySet[User]:
    """Who may be asked to sign off: the active instructors of the trainee's institution."""
    if not trainee.institution_id:
        return User.objects.none()
    return (
        User.objects.filter(
            institution_id=trainee.institution_id, role=User.Role.INSTRUCTOR, is_active=True
        )
        .exclude(pk=trainee.pk)
        .order_by("last_name", "first_name", "username")
    )


def selectable_loops(user: User) -> QuerySet[CineLoop]:
    """Loops a trainee may attach: finished cleanly (``ready``) and visible to them."""
    return CineLoop.objects.for_user(user).filter(status=CineLoop.Status.READY)


def counts_by_exam_type(entries: Iterable[LogbookEntry]) -> list[dict[str, object]]:
    """Approved / pending / rejected per exam type, in the vocabulary's order."""
    tally = Counter((entry.exam_type, entry.status) for entry in entries)
    rows = []
    for value, label in ExamType.choices:
        counts = {status: tally[(value, status)] for status in EntryStatus.values}
        if any(counts.values()):
            rows.append({"exam_type": value, "label": label, **counts})
    return rows
