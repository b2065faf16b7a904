"""Tasks of the assessment app (declared with the platform decorator, on the ``light`` queue:
a deadline must not wait behind a cine loop)."""

from __future__ import annotations

from training.tasks import LIGHT, platform_task

SUBMIT_OVERDUE = "quizzes.submit_overdue_attempts"


@platform_task(name=SUBMIT_OVERDUE, queue=LIGHT)
def submit_overdue_attempts() -> int:
    """Run by Celery beat every minute: submit the open attempts whose time is up. Safe to run
    twice or on two beats (each attempt is submitted under its row lock, once). A database
    that went away for a moment is retried; the next run, a minute later, would also do."""
    from quizzes.services.attempts import submit_overdue_attempts as submit_overdue

    return submit_overdue()
