"""Tasks of certification (declared with the platform decorator; thin: they call services).

``certification.evaluate_user`` is queued after commit whenever a record that can complete a
requirement changes (``certification.signals``); ``certification.nightly`` runs from Celery
beat at 02:30 (``CELERY_BEAT_SCHEDULE["certification-nightly"]``). Both are safe to run twice:
issuing re-checks everything under the holder's row lock and returns early when nothing is due.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from training.tasks import platform_task

logger = logging.getLogger(__name__)

EVALUATE_USER = "certification.evaluate_user"
NIGHTLY = "certification.nightly"
# A database that went away for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@platform_task(name=EVALUATE_USER, retry_on=TRANSIENT_ERRORS)
def evaluate_user(user_pk: int) -> list[int]:
    """Issue every certificate the user has become eligible for; returns their ids."""
    from accounts.models import User
    from certification.services.automation import issue_all_due

    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None:
        return []
    return [certificate.pk for certificate in issue_all_due(user)]


@platform_task(name=NIGHTLY, retry_on=TRANSIENT_ERRORS)
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
        queued += queue_evaluation(user_pk)
    return {"expired": expired, "reminders": reminders, "evaluations": queued}


def queue_evaluation(user_pk: int) -> bool:
    """Send ``evaluate_user``; False (logged) when the broker is unreachable — the nightly run
    catches the user up."""
    try:
        evaluate_user.delay(user_pk=user_pk)
    except BrokerError:
        logger.warning("certification: broker unreachable, user %s not evaluated now", user_pk)
        return False
    return True
