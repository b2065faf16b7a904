"""What the Celery tasks run: evaluate one user on every programme, and choose whom the
nightly run re-evaluates.

Automatic issue is driven by records changing (``certification.signals`` queue
``evaluate_user`` after commit). The nightly run catches what no record change announces: a
certificate entering its renewal window, and dispatches lost while the broker was down (users
with any relevant activity in the last ``CATCH_UP``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from cases.models import CaseWatch
from certification.models import Certificate, CertificateStatus, LogbookEntry, Programme
from certification.services.certificates import RENEWAL_WINDOW, issue_if_eligible
from courses.models import LessonCompletion
from quizzes.models import Attempt

# Activity this recent is evaluated again each night (a day and some slack for a late run).
CATCH_UP = timedelta(hours=36)


def issue_all_due(user: User, *, now: datetime | None = None) -> list[Certificate]:
    """Issue every certificate ``user`` has become eligible for, among the published
    programmes they may see. Repeats while something was issued, since one certificate can be
    the prerequisite of another."""
    now = now or timezone.now()
    programmes = list(Programme.objects.for_user(user).published().order_by("pk"))
    issued: list[Certificate] = []
    for _ in range(len(programmes)):
        new = [
            certificate
            for programme in programmes
            if (certificate := issue_if_eligible(user=user, programme=programme, now=now))
        ]
        issued.extend(new)
        if not new:
            break
    return issued


def nightly_candidates(now: datetime | None = None) -> list[int]:
    """Ids of the users the nightly run evaluates (see the module docstring)."""
    now = now or timezone.now()
    since = now - CATCH_UP
    renewing = Certificate.objects.filter(
        status=CertificateStatus.ISSUED, expires_at__lte=now + RENEWAL_WINDOW
    ).values_list("holder_id", flat=True)
    active = (
        set(renewing)
        | set(Attempt.objects.filter(submitted_at__gte=since).values_list("user_id", flat=True))
        | set(
            LessonCompletion.objects.filter(completed_at__gte=since).values_list(
                "user_id", flat=True
            )
        )
        | set(CaseWatch.objects.filter(reviewed_at__gte=since).values_list("user_id", flat=True))
        | set(
            LogbookEntry.objects.filter(reviewed_at__gte=since).values_list("trainee_id", flat=True)
        )
    )
    return sorted(User.objects.filter(pk__in=active, is_active=True).values_list("pk", flat=True))
