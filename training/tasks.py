"""The project-wide task decorator: nothing else in the code base declares Celery tasks.

Every task is acknowledged late, so a task whose pool process dies (killed, out of memory) is
not lost: Celery sends it again with the same task id (``retry_on_worker_lost``, Celery >= 5.7:
older 5.x releases ignore it silently, hence the pin in pyproject.toml), at most
``max_retries`` times, after which it fails and the ``task_failure`` signal fires in the
worker's main process. A task must therefore be idempotent. ``reject_on_worker_lost`` is only
the fallback for when that retry cannot be sent: the message goes back to the broker. Retries
also happen for the transient errors a task names, never for ``Exception``; both kinds count
against the same ``max_retries``.
"""

from collections.abc import Callable, Iterable
from typing import Any

from training.celery import app

DEFAULT_MAX_RETRIES = 5
# Seconds before a task whose pool process died runs again: not at once, in case the process
# was killed for its memory (a poison message then fails after max_retries, not in a loop).
WORKER_LOST_RETRY_DELAY = 10


def platform_task(
    *,
    retry_on: Iterable[type[BaseException]] = (),
    max_retries: int = DEFAULT_MAX_RETRIES,
    worker_lost_retry_delay: int = WORKER_LOST_RETRY_DELAY,
    soft_time_limit: int | None = None,
    time_limit: int | None = None,
    name: str | None = None,
    bind: bool = False,
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Celery task with the platform's delivery guarantees.

    Tasks take keyword-only primary keys (JSON values), never model instances. ``bind=True``
    passes the task itself first, for ``task.request`` (hostname, retries, id).
    """
    options: dict[str, Any] = {
        "acks_late": True,
        "retry_on_worker_lost": True,
        "reject_on_worker_lost": True,
        # Only the worker-lost retry uses it: the retries below set their own backoff.
        "default_retry_delay": worker_lost_retry_delay,
        "autoretry_for": tuple(retry_on),
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
    if soft_time_limit is not None:
        options["soft_time_limit"] = soft_time_limit
    if time_limit is not None:
        options["time_limit"] = time_limit
    if name is not None:
        options["name"] = name
    if bind:
        options["bind"] = True

    def decorate(func: Callable[..., Any]) -> Any:
        return app.task(**options)(func)

    return decorate
