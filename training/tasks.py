"""The platform's task machinery: the one task decorator, the queues, and the one way to send.

``platform_task`` declares every Celery task of the code base. Every task is acknowledged
late, so a task whose pool process dies (killed, out of memory) is not lost: Celery sends it
again with the same task id (``retry_on_worker_lost``, Celery >= 5.7: older 5.x releases
ignore it silently, hence the pin in pyproject.toml), at most ``max_retries`` times, after
which it fails and the ``task_failure`` signal fires in the worker's main process. A task must
therefore be idempotent. ``reject_on_worker_lost`` is only the fallback for when that retry
cannot be sent: the message goes back to the broker. Every task also retries the
``TRANSIENT_ERRORS`` (a database that went away for a moment), plus whatever its ``retry_on``
adds — never ``Exception``; both kinds of retry count against the same ``max_retries``.

Queues by resource: ``CINE`` for cine processing (minutes of CPU per loop), ``LIGHT`` for
everything else (deadlines, curves, evaluations, notifications, sweeps — seconds), each
consumed by workers of its own so that a long loop never delays a deadline. Every task names
its queue; ``CELERY_TASK_QUEUES`` in the settings declares the same two, and
``CELERY_TASK_ROUTES`` sends each message where its task was declared (``route``: Celery's
router, so a task sent by name, as beat may, is routed too; the ``queue`` task attribute is
deprecated in Celery 5).

``dispatch`` / ``dispatch_on_commit`` send a task with keyword-only primary keys. A broker
that is down does not fail the request that wrote the row: the send is logged (task name and
ids only, never patient data) and the row stays as it is, for the app's beat sweep to send
again (``cineloops.recovery``, ``cases.curves_requeue_pending``, ``certification.nightly``).

Imports: services import the tasks they send from their app's ``tasks`` module at the top; a
``tasks`` module imports only this module, models and modules that send no task at import
time, and imports the service a task calls inside the task's body. So there is no import
cycle between services and tasks, and the task a service sends is a name the type checker
sees (rather than a string given to ``app.signature``).

Names: a task that runs one service is named after it, ``<service>_task`` in Python and
``<app>.<service>`` for Celery (``cineloops.processing.loop_process`` runs as
``cineloops.tasks.loop_process_task``, Celery name ``cineloops.loop_process``), so that a
reader tells the task from the service and finds one from the other.
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any, Final, Literal

from celery import Task
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

from training.celery import app

logger = logging.getLogger(__name__)

CINE: Final = "cine"
LIGHT: Final = "light"
QueueName = Literal["cine", "light"]
QUEUES: Final[tuple[QueueName, ...]] = (CINE, LIGHT)

# A database that went away for a moment (the connection dropped, the server restarted):
# retried by every task.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
DEFAULT_MAX_RETRIES = 5
# Seconds before a task whose pool process died runs again: not at once, in case the process
# was killed for its memory (a poison message then fails after max_retries, not in a loop).
WORKER_LOST_RETRY_DELAY = 10
# Task name -> the queue it was declared with (filled by ``platform_task``).
_DECLARED_QUEUES: dict[str, QueueName] = {}


def route(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **_: Any
) -> dict[str, str] | None:
    """The router of ``CELERY_TASK_ROUTES``: the queue ``name`` was declared with, if any (an
    unknown name goes to ``CELERY_TASK_DEFAULT_QUEUE``)."""
    queue = _DECLARED_QUEUES.get(name)
    return {"queue": queue} if queue else None


def platform_task(
    *,
    queue: QueueName,
    retry_on: Iterable[type[BaseException]] = (),
    max_retries: int = DEFAULT_MAX_RETRIES,
    worker_lost_retry_delay: int = WORKER_LOST_RETRY_DELAY,
    soft_time_limit: int | None = None,
    time_limit: int | None = None,
    name: str | None = None,
    bind: bool = False,
) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Celery task with the platform's delivery guarantees, on ``queue``.

    Tasks take keyword-only primary keys (JSON values), never model instances. ``retry_on``
    adds exceptions to the ``TRANSIENT_ERRORS`` every task retries. ``bind=True`` passes the
    task itself first, for ``task.request`` (hostname, retries, id).
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}: one of {', '.join(QUEUES)}")
    options: dict[str, Any] = {
        "acks_late": True,
        "retry_on_worker_lost": True,
        "reject_on_worker_lost": True,
        # Only the worker-lost retry uses it: the retries below set their own backoff.
        "default_retry_delay": worker_lost_retry_delay,
        "autoretry_for": tuple(dict.fromkeys((*TRANSIENT_ERRORS, *retry_on))),
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": max_retries,
    }
    if soft_time_limit is not None:
        options["soft_time_limit"] = soft_time_limit
    if time_limit is not None:
        options["time_limit"] = time_limit
    if bind:
        options["bind"] = True

    def decorate(func: Callable[..., Any]) -> Any:
        task_name = name or app.gen_task_name(func.__name__, func.__module__)
        _DECLARED_QUEUES[task_name] = queue
        return app.task(name=task_name, **options)(func)

    return decorate


def dispatch(task: Task, **pks: int | str) -> bool:
    """Send ``task`` now; False when the broker is unreachable (logged, nothing raised).

    For a caller that needs to know (a sweep stops at the first failure); after a write, use
    ``dispatch_on_commit``.
    """
    try:
        task.delay(**pks)
    except BrokerError as exc:
        ids = ", ".join(f"{key}={value}" for key, value in pks.items())
        logger.warning(
            "%s(%s): the task broker is unreachable (%s); left for the sweep",
            task.name,
            ids,
            type(exc).__name__,
        )
        return False
    return True


def dispatch_on_commit(task: Task, **pks: int | str) -> None:
    """Send ``task`` once the current transaction commits (at once outside one).

    Never before: the worker could look for a row it cannot see yet, or one rolled back.
    Robust: an error in the send is logged and does not stop the other commit callbacks.
    """

    def send() -> None:
        dispatch(task, **pks)

    # Not a functools.partial: Django names the callback (__qualname__) when it logs an error.
    send.__qualname__ = f"dispatch({task.name})"
    transaction.on_commit(send, robust=True)
