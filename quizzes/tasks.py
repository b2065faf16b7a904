"""Tasks of the assessment app (declared with the platform decorator)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from training.tasks import platform_task

SUBMIT_OVERDUE = "quizzes.submit_overdue_attempts"
# A database that went away for a moment: the next run (a minute later) would also do.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@platform_task(name=SUBMIT_OVERDUE, retry_on=TRANSIENT_ERRORS)
def submit_overdue_attempts() -> int:
    """Run by Celery beat every minute: submit the open attempts whose time is up. Safe to run
    twice or on two beats (each attempt is submitted under its row lock, once)."""
    from quizzes.services.attempts import submit_overdue_attempts as submit_overdue

    return submit_overdue()
