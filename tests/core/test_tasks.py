"""The pipeline-check tasks, run eagerly (a real worker runs them in tests/services)."""

import pytest

from core.models import Heartbeat
from core.tasks import ping, record_heartbeat


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


def test_tasks_have_the_platform_delivery_guarantees():
    for task in (ping, record_heartbeat):
        assert task.acks_late is True
        # A lost pool process: retried with the same id up to max_retries, then failed.
        assert task.retry_on_worker_lost is True
        assert task.max_retries == 5
        assert task.default_retry_delay == 10
        assert task.reject_on_worker_lost is True  # only if that retry cannot be sent
        assert task.autoretry_for == ()
