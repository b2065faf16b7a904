"""Celery tasks of the case library: thin wrappers around services, on the ``light`` queue.

Imported by ``cases.services.tic`` (which sends ``tic_compute_task``): the services are
imported inside the task bodies, so that this module imports none at import time.
"""

from training.tasks import LIGHT, platform_task


@platform_task(name="cases.tic_compute", queue=LIGHT)
def tic_compute_task(*, annotation_pk: int) -> str:
    """Compute the time-intensity curve of one ROI annotation (idempotent)."""
    from cases.services.tic import tic_compute

    return tic_compute(annotation_pk=annotation_pk)


@platform_task(name="cases.curves_requeue_pending", queue=LIGHT)
def curves_requeue_pending_task() -> int:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): queue again the curves whose message was
    never sent or was lost; returns how many. Safe to run twice, or on two beats."""
    from cases.services.tic import curves_requeue_pending

    return curves_requeue_pending()
