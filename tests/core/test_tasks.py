"""The pipeline-check tasks, run eagerly (a real worker runs them in tests/services), and the
delivery guarantees of ``platform_task`` shown by what Celery does, not by the options stored:
for every task of the platform, a lost pool process is sent again and a transient database
error is retried, while any other error fails at once.

A lost pool process is simulated the way the worker's main process sees it: a ``Request`` for
the task's message gets ``on_failure(WorkerLostError)`` (``celery.worker.request``); what it
would send, acknowledge or requeue is recorded instead of reaching a broker.
"""

from unittest import mock

import pytest
from billiard.einfo import ExceptionInfo
from billiard.exceptions import WorkerLostError
from celery.canvas import Signature
from celery.contrib.testing.mocks import TaskMessage
from celery.worker.request import Request
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from core.models import Heartbeat
from core.tasks import ping, record_heartbeat
from training.celery import app as celery_app
from training.tasks import DEFAULT_MAX_RETRIES, LIGHT, WORKER_LOST_RETRY_DELAY, platform_task


def platform_tasks() -> list:
    """Every task the apps declare (Celery's own and the test modules' left out)."""
    celery_app.loader.import_default_modules()
    return sorted(
        (
            task
            for name, task in celery_app.tasks.items()
            if not name.startswith(("celery.", "tests."))
        ),
        key=lambda task: task.name,
    )


PLATFORM_TASKS = platform_tasks()


def test_ping_answers_pong(celery_eager):
    assert ping.delay().get(timeout=5) == "pong"


@pytest.mark.django_db
def test_record_heartbeat_writes_one_row_and_returns_its_pk(celery_eager):
    pk = record_heartbeat.delay(token="t-1").get(timeout=5)

    assert Heartbeat.objects.get(pk=pk).token == "t-1"


@pytest.mark.django_db
def test_record_heartbeat_is_safe_to_run_twice(celery_eager):
    first = record_heartbeat.delay(token="t-2").get(timeout=5)
    second = record_heartbeat.delay(token="t-2").get(timeout=5)

    assert first == second
    assert Heartbeat.objects.filter(token="t-2").count() == 1


class Worker:
    """What the worker's main process does with one message of ``task``."""

    def __init__(self, task, monkeypatch) -> None:
        self.task = task
        self.sent: list[dict] = []
        backend = mock.Mock()
        backend._ensure_retryable.return_value = {"status": "STARTED"}  # no result stored
        monkeypatch.setattr(task, "_backend", backend)
        self.backend = backend
        self.broker_down = False

        def send(signature, *args, **kwargs):
            if self.broker_down:
                raise BrokerError("broker unreachable")
            self.sent.append({**signature.options, "kwargs": signature.kwargs})

        monkeypatch.setattr(Signature, "apply_async", send)

    def request(self, *, retries: int = 0, kwargs: dict | None = None) -> Request:
        message = TaskMessage(self.task.name, id="the-task", kwargs=kwargs or {}, retries=retries)
        return Request(message, app=celery_app, task=self.task)


def lost(request: Request) -> None:
    try:
        raise WorkerLostError("Worker exited prematurely: signal 9 (SIGKILL)")
    except WorkerLostError:
        request.on_failure(ExceptionInfo())


@pytest.mark.parametrize("task", PLATFORM_TASKS, ids=lambda t: t.name)
def test_a_task_whose_pool_process_dies_is_sent_again_with_the_same_id(task, monkeypatch):
    worker = Worker(task, monkeypatch)
    request = worker.request()

    lost(request)

    [again] = worker.sent  # retry_on_worker_lost (Celery >= 5.7): retried like retry() would
    assert again["task_id"] == "the-task"
    assert again["retries"] == 1
    assert again["countdown"] == WORKER_LOST_RETRY_DELAY  # not at once: it may have been OOM
    assert request.acknowledged  # the old message is done with; the retry replaces it
    worker.backend.mark_as_failure.assert_not_called()


def test_a_task_that_keeps_killing_its_worker_fails_after_max_retries(monkeypatch):
    worker = Worker(ping, monkeypatch)
    request = worker.request(retries=DEFAULT_MAX_RETRIES)

    lost(request)

    assert worker.sent == []  # not sent a sixth time
    assert request.acknowledged  # nor requeued to kill the next worker: it fails
    worker.backend.mark_as_failure.assert_called_once()


def test_a_lost_task_goes_back_to_the_broker_when_its_retry_cannot_be_sent(monkeypatch):
    """reject_on_worker_lost is the fallback: the message is requeued, not dropped."""
    worker = Worker(ping, monkeypatch)
    worker.broker_down = True
    request = worker.request()

    with mock.patch.object(Request, "reject") as reject:
        lost(request)

    reject.assert_called_once_with(requeue=True)
    assert not request.acknowledged
    worker.backend.mark_as_failure.assert_not_called()


def test_a_message_is_acknowledged_only_after_its_task_ends(monkeypatch):
    """acks_late: starting the task does not acknowledge the message; finishing does."""
    worker = Worker(ping, monkeypatch)
    request = worker.request()

    request.on_accepted(pid=1234, time_accepted=0.0)
    assert not request.acknowledged

    request.on_success((False, "pong", 0.01))
    assert request.acknowledged


_calls: list[str] = []


ERRORS = {
    "connection": ConnectionError,
    "value": ValueError,
    "database": OperationalError,
    "interface": InterfaceError,
}


def fail_first(fail_with: str, times: int) -> str:
    _calls.append(fail_with)
    if len(_calls) <= times:
        raise ERRORS[fail_with]("failed")
    return "done"


@platform_task(name="tests.core.flaky", queue=LIGHT, retry_on=(ConnectionError,), max_retries=2)
def flaky(*, fail_with: str, times: int) -> str:
    return fail_first(fail_with, times)


@platform_task(name="tests.core.plain", queue=LIGHT, max_retries=2)
def plain(*, fail_with: str, times: int) -> str:
    """Declared without ``retry_on``: what every task gets by default."""
    return fail_first(fail_with, times)


@pytest.fixture
def calls():
    _calls.clear()
    yield _calls
    _calls.clear()


# Run in-process with apply(throw=False), which follows each retry the task asks for.


def test_a_named_transient_error_is_retried(calls):
    result = flaky.apply(kwargs={"fail_with": "connection", "times": 2}, throw=False)
    assert (result.state, result.result) == ("SUCCESS", "done")
    assert len(calls) == 3


def test_retries_of_a_named_error_stop_at_max_retries(calls):
    result = flaky.apply(kwargs={"fail_with": "connection", "times": 10}, throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, ConnectionError)
    assert len(calls) == 3  # the first run and max_retries=2 retries


def test_any_other_error_is_not_retried(calls):
    result = flaky.apply(kwargs={"fail_with": "value", "times": 1}, throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, ValueError)
    assert len(calls) == 1


@pytest.mark.parametrize("error", ["database", "interface"])
def test_a_transient_database_error_is_retried_without_being_named(calls, error):
    result = plain.apply(kwargs={"fail_with": error, "times": 2}, throw=False)
    assert (result.state, result.result) == ("SUCCESS", "done")
    assert len(calls) == 3


def test_retry_on_adds_to_the_transient_errors(calls):
    result = flaky.apply(kwargs={"fail_with": "database", "times": 2}, throw=False)
    assert (result.state, result.result) == ("SUCCESS", "done")
    assert len(calls) == 3


def test_an_error_no_task_names_is_not_retried_by_default(calls):
    result = plain.apply(kwargs={"fail_with": "connection", "times": 1}, throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, ConnectionError)
    assert len(calls) == 1


def test_a_task_on_an_unknown_queue_is_refused():
    with pytest.raises(ValueError, match="unknown queue"):
        platform_task(queue="celery")  # type: ignore[arg-type]


@pytest.mark.parametrize("task", PLATFORM_TASKS, ids=lambda t: t.name)
def test_every_task_retries_a_transient_database_error_and_nothing_else(task, monkeypatch):
    """The body is replaced by one that fails; the task's own declaration decides what then
    happens (apply() follows each retry the task asks for, as a worker would)."""
    runs: list[type[Exception]] = []
    error: dict[str, type[Exception]] = {"raise": OperationalError}

    def failing(*args, **kwargs):
        runs.append(error["raise"])
        raise error["raise"]("failed")

    monkeypatch.setattr(task, "_orig_run", failing, raising=False)  # under autoretry's wrapper
    result = task.apply(throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, OperationalError)
    assert len(runs) == task.max_retries + 1 == DEFAULT_MAX_RETRIES + 1

    runs.clear()
    error["raise"] = ValueError
    result = task.apply(throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, ValueError)
    assert runs == [ValueError]
