"""Tasks of certification (declared with the platform decorator; thin: they call services).

``certification.evaluate_user`` is queued after commit whenever a record that can complete a
requirement changes (``certification.signals``); ``certification.nightly`` runs from Celery
beat at 02:30 (``CELERY_BEAT_SCHEDULE["certification-nightly"]``). Both are safe to run twice:
issuing re-checks everything under the holder's row lock and returns early when nothing is due.
Both run on the ``light`` queue. Services are imported inside the task bodies, so that
``certification.signals`` may import this module at the top.
"""

from __future__ import annotations

from django.utils import timezone

from training.tasks import LIGHT, dispatch, platform_task

EVALUATE_USER = "certification.evaluate_user"
NIGHTLY = "certification.nightly"


@platform_task(name=EVALUATE_USER, queue=LIGHT)
def evaluate_user(*, user_pk: int) -> list[int]:
    """Issue every certificate the user has become eligible for; returns their ids."""
    from accounts.models import User
    from certification.services.automation import issue_all_due

    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return []
    return [certificate.pk for certificate in issue_all_due(user)]


@platform_task(name=NIGHTLY, queue=LIGHT)
def nightly() -> dict[str, int]:
    """Expire what is due, send the expiry reminders, and queue the evaluations that no record
    change triggers (certificates entering their renewal window, lost dispatches)."""
    from certification.services.automation import nightly_candidates
    from certification.services.certificates import expire_due
    from certification.services.notifications import send_expiry_reminders

    now = timezone.now()
    expired = expire_due(now)
    reminders = send_expiry_reminders(now)
    queued = 0
    for user_pk in nightly_candidates(now):
        # A broker that is down is logged; tomorrow's run catches the user up.
        queued += dispatch(evaluate_user, user_pk=user_pk)
    return {"expired": expired, "reminders": reminders, "evaluations": queued}
