"""Celery tasks of the cineloops app: thin wrappers around services."""

from typing import Any

from cineloops.processing import SOFT_TIME_LIMIT, TIME_LIMIT, TRANSIENT_ERRORS, loop_process
from training.tasks import platform_task


@platform_task(
    name="cineloops.process_loop",
    retry_on=TRANSIENT_ERRORS,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    bind=True,
)
def process_loop(task: Any, *, loop_pk: int) -> str:
    """Process one uploaded loop. The task id travels with retries and redeliveries, which
    is how the service recognises a run of this same message after its worker died."""
    return loop_process(
        loop_pk=loop_pk,
        task_id=task.request.id or "",
        may_retry=task.request.retries < task.max_retries,
    )
