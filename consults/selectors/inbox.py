"""The inbox: loops an institution's scanners sent through the DICOM listener
(``cineloops.dicom_scp``) that nothing uses yet — no consultation, no case, no quiz
question. Every member of the institution sees them there (and may pick them for a request);
once used, a loop is seen through what uses it.

Loops in a case or question are left out so that exam material made from a scanner's loop is
never shown to trainees through the inbox.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cineloops.models import CineLoop
from cineloops.visibility import visible_loops_q


def inbox_q(user) -> Q:
    """Loops (``CineLoop`` rows) in ``user``'s inbox, any status."""
    from cases.models import CaseLoop
    from consults.models import ConsultLoop
    from quizzes.models import Question

    institution_id = getattr(user, "institution_id", None)
    if not getattr(user, "is_authenticated", False) or not institution_id:
        return Q(pk__in=[])
    return (
        Q(institution_id=institution_id, source=CineLoop.Source.DICOM_NETWORK)
        & ~Q(pk__in=ConsultLoop.objects.values("loop_id"))
        & ~Q(pk__in=CaseLoop.objects.values("loop_id"))
        & ~Q(pk__in=Question.objects.filter(loop__isnull=False).values("loop_id"))
    )


def inbox_loops(user) -> QuerySet[CineLoop]:
    """``user``'s inbox, newest first, without loops that failed processing."""
    return (
        CineLoop.objects.filter(inbox_q(user))
        .exclude(status=CineLoop.Status.FAILED)
        .order_by("-created_at", "-pk")
    )


def selectable_loops(user) -> QuerySet[CineLoop]:
    """Loops ``user`` may attach to a request: their own institution's, that they see or that
    are in their inbox, not failed."""
    institution_id = getattr(user, "institution_id", None)
    if not institution_id:
        return CineLoop.objects.none()
    return (
        CineLoop.objects.filter(institution_id=institution_id)
        .filter(visible_loops_q(user) | inbox_q(user))
        .exclude(status=CineLoop.Status.FAILED)
    )
