"""Celery tasks of the case library: thin wrappers around services."""

from django.db import InterfaceError, OperationalError

from cases.services.tic import curves_requeue_pending, tic_compute
from training.tasks import platform_task


@platform_task(name="cases.compute_tic", retry_on=(OperationalError, InterfaceError))
def compute_tic(*, annotation_pk: int) -> str:
    """Compute the time-intensity curve of one ROI annotation (idempotent)."""
    return tic_compute(annotation_pk=annotation_pk)


@platform_task(name="cases.requeue_pending_curves", retry_on=(OperationalError, InterfaceError))
def requeue_pending_curves() -> int:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): queue again the curves whose message was
    never sent or was lost; returns how many. Safe to run twice, or on two beats."""
    return curves_requeue_pending()
