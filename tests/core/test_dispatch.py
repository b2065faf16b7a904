"""``dispatch`` / ``dispatch_on_commit``: sent after the commit, never before; a broker that is
down fails nothing (logged without patient data, the row left for the sweep)."""

import logging

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from core.models import Heartbeat
from core.tasks import record_heartbeat
from training.tasks import dispatch, dispatch_on_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The keyword arguments ``record_heartbeat`` was sent with (nothing reaches a broker)."""
    calls: list[dict] = []
    monkeypatch.setattr(record_heartbeat, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def broker_down(monkeypatch):
    def refused(**kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(record_heartbeat, "delay", refused)


def test_a_task_is_sent_only_once_the_transaction_commits(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        dispatch_on_commit(record_heartbeat, token="t-1")
        assert sent == []  # the worker could not see this transaction's rows yet
    assert sent == [{"token": "t-1"}]


def test_nothing_is_sent_for_a_rolled_back_transaction(sent, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dispatch_on_commit(record_heartbeat, token="t-2")
        raise RuntimeError("the view failed")
    assert sent == []


def test_the_task_really_runs_after_the_commit(celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_on_commit(record_heartbeat, token="t-3")
    assert Heartbeat.objects.filter(token="t-3").exists()


def test_a_broker_that_is_down_is_logged_not_raised(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="training.tasks"):
        assert dispatch(record_heartbeat, token="1234") is False

    [record] = caplog.records
    assert record.getMessage() == (
        "core.record_heartbeat(token=1234): the task broker is unreachable (OperationalError); "
        "left for the sweep"
    )


def test_after_commit_a_broker_that_is_down_stops_neither_the_request_nor_the_other_callbacks(
    broker_down, django_capture_on_commit_callbacks
):
    after = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Heartbeat.objects.create(token="kept", worker="test")
        dispatch_on_commit(record_heartbeat, token="kept")
        transaction.on_commit(lambda: after.append("ran"))
    assert Heartbeat.objects.filter(token="kept").exists()  # the write stands
    assert after == ["ran"]


def test_an_unexpected_error_of_the_send_does_not_stop_the_other_callbacks(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """``robust``: logged by Django, the next callbacks still run."""

    def broken(**kwargs):
        raise TypeError("not JSON serialisable")

    monkeypatch.setattr(record_heartbeat, "delay", broken)
    after = []
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_on_commit(record_heartbeat, token="t-4")
        transaction.on_commit(lambda: after.append("ran"))
    assert after == ["ran"]
    [record] = [record for record in caplog.records if record.exc_info]
    assert "dispatch(core.record_heartbeat)" in record.getMessage()
