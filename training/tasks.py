"""The project-wide task decorator: nothing else in the code base declares Celery tasks.

Every task is acknowledged late and rejected when its worker dies, so a killed worker means the
work is redelivered, not lost; it must therefore be idempotent. Retries happen only for the
transient errors a task names, never for ``Exception``.
"""

from collections.abc import Callable, Iterable
from typing import Any

from training.celery import app

DEFAULT_MAX_RETRIES = 5


def platform_task(
    *,
    retry_on: Iterable[type[BaseException]] = (),
    max_retries: int = DEFAULT_MAX_RETRIES,
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
        "reject_on_worker_lost": True,
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
