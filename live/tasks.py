"""Celery tasks of live sessions: thin wrappers around services, on the ``light`` queue."""

from training.tasks import LIGHT, platform_task


@platform_task(name="live.send_reminders", queue=LIGHT)
def send_reminders_task() -> int:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): the reminders now due, each once;
    returns how many went out. Safe to run twice, even at the same moment."""
    from live.services.reminders import send_due_reminders

    return send_due_reminders()
