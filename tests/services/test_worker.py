"""A real Celery worker on Redis and PostgreSQL: tasks round-trip, database writes are shared."""

import time
import uuid

import pytest
from celery.result import EagerResult
from django.db import transaction

from core.models import Heartbeat
from core.tasks import ping, record_heartbeat

pytestmark = pytest.mark.services
RESULT_TIMEOUT = 30


def wait_for(predicate, timeout: float = RESULT_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_task_round_trips_through_the_worker(celery_worker_process):
    result = ping.delay()

    assert not isinstance(result, EagerResult)  # sent to the broker, not run in this process
    assert result.get(timeout=RESULT_TIMEOUT) == "pong", celery_worker_process.log()
    assert result.successful()


def test_the_worker_consumes_the_cine_queue_and_the_light_one(
    celery_worker_process, transactional_db
):
    """Started without -Q, as in CI: every declared queue is served (a task for a loop that
    does not exist is answered at once)."""
    from cineloops.tasks import loop_process_task

    result = loop_process_task.delay(loop_pk=987654321)
    assert result.get(timeout=RESULT_TIMEOUT) == "skipped: no such loop", (
        celery_worker_process.log()
    )
    assert ping.delay().get(timeout=RESULT_TIMEOUT) == "pong"
    log = celery_worker_process.log()
    assert ".> cine " in log and ".> light " in log  # the queues it lists at start-up


def test_the_worker_write_is_visible_here(celery_worker_process, transactional_db):
    token = uuid.uuid4().hex

    pk = record_heartbeat.delay(token=token).get(timeout=RESULT_TIMEOUT)

    heartbeat = Heartbeat.objects.get(pk=pk)
    assert heartbeat.token == token
    assert heartbeat.worker == celery_worker_process.name  # written by that process


def test_the_worker_reads_rows_committed_here(celery_worker_process, transactional_db):
    existing = Heartbeat.objects.create(token=uuid.uuid4().hex, worker="the test")

    pk = record_heartbeat.delay(token=existing.token).get(timeout=RESULT_TIMEOUT)

    assert pk == existing.pk  # found the committed row instead of adding one
    assert Heartbeat.objects.filter(token=existing.token).count() == 1


def test_a_task_dispatched_on_commit_runs_after_the_commit(celery_worker_process, transactional_db):
    token = uuid.uuid4().hex

    with transaction.atomic():
        transaction.on_commit(lambda: record_heartbeat.delay(token=token))
        time.sleep(0.5)  # were it sent now, the worker could not see this transaction
        assert not Heartbeat.objects.filter(token=token).exists()

    assert wait_for(lambda: Heartbeat.objects.filter(token=token).exists()), (
        celery_worker_process.log()
    )


def test_check_worker_command_against_the_real_worker(
    celery_worker_process, transactional_db, capsys
):
    from django.core.management import call_command

    call_command("check_worker", "--timeout", str(RESULT_TIMEOUT))

    assert f"Worker {celery_worker_process.name} answered" in capsys.readouterr().out
