"""Celery tasks of the cineloops app: thin wrappers around services.

``loop_process_task`` and ``loop_make_renditions_task`` run on the ``cine`` queue (minutes of
CPU per loop); ``sweep_task``, ``uploads_delete_expired_task`` and ``upload_finish_task`` (the
join of a resumable upload's parts) on ``light``. Imported by ``cineloops.services`` (which
sends ``loop_process_task``), ``cineloops.renditions`` and ``cineloops.resumable``: this module
imports no service that sends a task at import time (``cineloops.processing`` sends none).
"""

import logging
from typing import Any

from billiard.exceptions import WorkerLostError
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure, worker_ready
from django.db import DatabaseError, close_old_connections, connection

from cineloops.processing import (
    SOFT_TIME_LIMIT,
    TIME_LIMIT,
    LoopBusy,
    loop_abandon,
    loop_process,
)
from training.tasks import CINE, LIGHT, platform_task

logger = logging.getLogger(__name__)
LOOP_PROCESS = "cineloops.loop_process"


@platform_task(
    name=LOOP_PROCESS,
    queue=CINE,
    retry_on=(LoopBusy,),  # a row locked at the wrong moment, besides the transient errors
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    bind=True,
)
def loop_process_task(task: Any, *, loop_pk: int) -> str:
    """Process one uploaded loop. The task id travels with retries and redeliveries, which
    is how the service recognises a run of this same message after its worker died."""
    return loop_process(
        loop_pk=loop_pk,
        task_id=task.request.id or "",
        may_retry=task.request.retries < task.max_retries,
    )


@platform_task(
    name="cineloops.loop_make_renditions",
    queue=CINE,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def loop_make_renditions_task(*, loop_pk: int) -> str:
    """Make the lower renditions of a loop processed before they existed; safe to run twice."""
    from cineloops.renditions import loop_make_renditions

    return loop_make_renditions(loop_pk=loop_pk)


@platform_task(name="cineloops.sweep", queue=LIGHT)
def sweep_task() -> dict[str, int]:
    """Run by Celery beat (``CELERY_BEAT_SCHEDULE``): queue again the loops whose message was
    lost or whose run stopped beating, delete abandoned uploads. Safe to run twice."""
    from cineloops.recovery import sweep

    return sweep()


@platform_task(name="cineloops.upload_finish", queue=LIGHT)
def upload_finish_task(*, upload_pk: str) -> bool:
    """Join a resumable upload's parts into its file and make its loops; safe to run twice.
    Light: a copy (seconds for a usual file); the loops' processing goes to the cine queue."""
    from cineloops.resumable import upload_finish

    return upload_finish(upload_pk=upload_pk)


@platform_task(name="cineloops.uploads_delete_expired", queue=LIGHT)
def uploads_delete_expired_task() -> dict[str, int]:
    """Run by Celery beat: delete resumable uploads past ``CINE_PARTIAL_UPLOAD_HOURS`` with
    their parts (patient data), queue again a lost join. Safe to run twice."""
    from cineloops.resumable import uploads_delete_expired

    return uploads_delete_expired()


@worker_ready.connect
def delete_abandoned_uploads_at_start(sender: Any = None, **_: Any) -> None:
    """Every deployment starts a worker: a server stopped mid-upload leaves patient data in
    ``incoming/``, deleted here at once rather than at the first beat. Never raises."""
    from cineloops.recovery import uploads_delete_abandoned
    from cineloops.storage import STORE_ERRORS

    try:
        uploads_delete_abandoned()
    except (DatabaseError, *STORE_ERRORS) as exc:
        logger.warning("abandoned uploads: not cleaned at start-up (%s)", type(exc).__name__)
    finally:
        close_old_connections()


def failure_code(exception: BaseException | None) -> str:
    """The loop's error code for a task that failed outside ``loop_process``."""
    if isinstance(exception, WorkerLostError):
        return "worker_lost"  # killed (out of memory?) on every attempt the task had
    if isinstance(exception, TimeLimitExceeded):
        return "timeout"  # the hard limit: the soft one is caught inside the run
    return "internal"


@task_failure.connect
def loop_task_failed(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    kwargs: dict | None = None,
    **_: Any,
) -> None:
    """A ``loop_process_task`` failed for good: mark its loop failed unless the run did.

    For a lost pool process (once its retries are spent) and the hard time limit, Celery sends
    this signal from the worker's *main* process — the task's own code never got the chance —
    and it does not call ``Task.on_failure`` for a lost process; for an error raised by the run
    it comes from the pool process, where ``loop_process`` has normally marked the loop already
    (``loop_abandon`` then finds nothing to do). Errors are logged, never raised: a signal
    handler must not break the worker.
    """
    if getattr(sender, "name", None) != LOOP_PROCESS:
        return
    loop_pk = (kwargs or {}).get("loop_pk")
    if not isinstance(loop_pk, int) or not task_id:
        return
    # The main process keeps its connection for hours: reopen it if it went bad or stale
    # (never inside a transaction: eager tests run in one).
    fresh = not connection.in_atomic_block
    if fresh:
        close_old_connections()
    try:
        loop_abandon(loop_pk=loop_pk, task_id=task_id, code=failure_code(exception))
    except DatabaseError as exc:
        logger.warning("cine loop %s: could not be marked failed (%s)", loop_pk, type(exc).__name__)
    finally:
        if fresh:
            close_old_connections()
