"""Celery tasks of the case library: thin wrappers around services."""

from django.db import InterfaceError, OperationalError

from cases.services.tic import tic_compute
from training.tasks import platform_task


@platform_task(name="cases.compute_tic", retry_on=(OperationalError, InterfaceError))
def compute_tic(*, annotation_pk: int) -> str:
    """Compute the time-intensity curve of one ROI annotation (idempotent)."""
    return tic_compute(annotation_pk=annotation_pk)
