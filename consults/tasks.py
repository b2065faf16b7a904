"""Celery tasks of consultations: thin wrappers around services, on the ``light`` queue.

Imported by ``consults.services.transitions`` (which sends ``event_notify_task``): the
services are imported inside the task bodies, so that this module imports none at import
time.
"""

from training.tasks import LIGHT, platform_task


@platform_task(name="consults.event_notify", queue=LIGHT)
def event_notify_task(*, event_pk: int) -> int:
    """Send the e-mails of one consultation event (each recipient once); returns how many."""
    from consults.services.notifications import event_notify

    return event_notify(event_pk=event_pk)


@platform_task(name="consults.notify_pending", queue=LIGHT)
def notify_pending_task() -> int:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): send again the events whose message was
    never sent or was lost; returns how many were queued. Safe to run twice."""
    from consults.services.notifications import notify_pending

    return notify_pending()
