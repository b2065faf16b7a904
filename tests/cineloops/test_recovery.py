"""Loops nothing would finish: a file that kills its worker, the hard time limit, a lost message,
a claim left by a run that died. Celery's own failure handling (``celery.worker.request``) is
driven here in-process, as the worker's main process runs it; ``test_worker_e2e`` does it for
real.
"""

from datetime import timedelta
from unittest import mock

import pytest
from billiard.einfo import ExceptionInfo
from billiard.exceptions import WorkerLostError
from celery.canvas import Signature
from celery.contrib.testing.mocks import TaskMessage
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure
from celery.worker.request import Request
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from cineloops import processing, services, tasks
from cineloops.models import CineLoop
from cineloops.tasks import LOOP_PROCESS, loop_process_task, sweep_task
from tests.cineloops.samples import good_cine
from training.celery import app as celery_app

pytestmark = pytest.mark.django_db
Status = CineLoop.Status


def make_loop(institution, **fields) -> CineLoop:
    return CineLoop.objects.create(
        institution=institution,
        source=CineLoop.Source.UPLOAD,
        original_name="original-name",
        original_size=10,
        **fields,
    )


def claimed(institution, task_id: str, **fields) -> CineLoop:
    fields.setdefault("processing_started_at", timezone.now())
    return make_loop(institution, status=Status.PROCESSING, task_id=task_id, **fields)


def exception_info(exc: BaseException) -> ExceptionInfo:
    try:
        raise exc
    except type(exc):
        return ExceptionInfo()


@pytest.fixture
def worker_request(monkeypatch):
    """A worker's ``Request`` for a ``loop_process_task`` message, with no broker or result store:
    what Celery would send again is recorded instead."""
    task = celery_app.tasks[LOOP_PROCESS]
    backend = mock.Mock()
    backend._ensure_retryable.return_value = {"status": "STARTED"}
    monkeypatch.setattr(task, "_backend", backend)
    sent: list[dict] = []

    def record(signature, *args, **kwargs):
        sent.append({**signature.options, "kwargs": signature.kwargs})

    monkeypatch.setattr(Signature, "apply_async", record)

    def make(loop_pk: int, task_id: str, retries: int) -> Request:
        message = TaskMessage(
            LOOP_PROCESS, id=task_id, kwargs={"loop_pk": loop_pk}, retries=retries
        )
        request = Request(message, app=celery_app, task=task)
        request.sent = sent
        return request

    return make


def test_a_lost_pool_process_is_retried_with_the_same_task_id(worker_request, hospital):
    loop = claimed(hospital, "the-message")
    request = worker_request(loop.pk, "the-message", retries=0)

    request.on_failure(exception_info(WorkerLostError("Worker exited prematurely: signal 9")))

    [retry] = request.sent
    assert retry["task_id"] == "the-message"  # what _may_take_over recognises
    assert retry["retries"] == 1
    assert retry["countdown"] == loop_process_task.default_retry_delay == 10
    assert retry["kwargs"] == {"loop_pk": loop.pk}
    loop.refresh_from_db()
    assert loop.status == Status.PROCESSING  # the retry will take it over


def test_a_file_that_keeps_killing_its_worker_fails_the_loop(worker_request, hospital):
    """The poison message: once max_retries are spent Celery gives up instead of requeueing,
    and the task_failure handler (worker main process) marks the loop failed."""
    loop = claimed(hospital, "the-message")
    request = worker_request(loop.pk, "the-message", retries=loop_process_task.max_retries)

    request.on_failure(exception_info(WorkerLostError("Worker exited prematurely: signal 9")))

    assert request.sent == []  # not sent again
    assert request.acknowledged  # and not rejected back to the broker either
    loop.refresh_from_db()
    assert (loop.status, loop.error_code) == (Status.FAILED, "worker_lost")
    assert loop.error_message == (
        "Processing stopped unexpectedly several times; the file may be too large or damaged."
    )


def test_the_hard_time_limit_fails_the_loop(worker_request, hospital):
    loop = claimed(hospital, "the-message")
    request = worker_request(loop.pk, "the-message", retries=0)

    request.on_timeout(soft=False, timeout=processing.TIME_LIMIT)

    loop.refresh_from_db()
    assert (loop.status, loop.error_code) == (Status.FAILED, "timeout")
    assert loop.error_message == "Processing took too long and was stopped."


def test_the_failure_message_is_translated(hospital):
    from django.utils import translation

    loop = make_loop(hospital, status=Status.FAILED, error_code="worker_lost")

    with translation.override("zh-hans"):
        assert loop.error_message == "处理多次意外中断，文件可能过大或已损坏。"  # noqa: RUF001


def test_a_failed_message_leaves_a_loop_another_message_took_over(hospital):
    loop = claimed(hospital, "the-new-message")

    task_failure.send(
        sender=loop_process_task,
        task_id="an-old-message",
        exception=WorkerLostError("Worker exited prematurely"),
        kwargs={"loop_pk": loop.pk},
    )

    loop.refresh_from_db()
    assert (loop.status, loop.task_id) == (Status.PROCESSING, "the-new-message")


def test_other_tasks_failures_are_ignored(hospital):
    loop = claimed(hospital, "the-message")

    task_failure.send(
        sender=sweep_task,
        task_id="the-message",
        exception=WorkerLostError("Worker exited prematurely"),
        kwargs={"loop_pk": loop.pk},
    )

    assert CineLoop.objects.get(pk=loop.pk).status == Status.PROCESSING


def test_the_failure_handler_never_raises(hospital, monkeypatch, caplog):
    loop = claimed(hospital, "the-message")

    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "loop_abandon", database_down)
    task_failure.send(
        sender=loop_process_task,
        task_id="the-message",
        exception=TimeLimitExceeded(processing.TIME_LIMIT),
        kwargs={"loop_pk": loop.pk},
    )

    assert f"cine loop {loop.pk}: could not be marked failed" in caplog.text


@pytest.mark.parametrize(
    ("exception", "code"),
    [
        (WorkerLostError("lost"), "worker_lost"),
        (TimeLimitExceeded(60), "timeout"),
        (processing.LoopBusy("locked"), "internal"),
        (None, "internal"),
    ],
)
def test_failure_codes(exception, code):
    assert tasks.failure_code(exception) == code


# --- The sweep run by Celery beat -----------------------------------------------------------


def age(loop: CineLoop, **delta) -> None:
    CineLoop.objects.filter(pk=loop.pk).update(updated_at=timezone.now() - timedelta(**delta))


def test_loops_waiting_too_long_are_queued_again(hospital, queued_messages, settings):
    settings.CINE_STALLED_AFTER_MINUTES = 15
    lost = make_loop(hospital, status=Status.QUEUED)
    never_sent = make_loop(hospital, status=Status.UPLOADED)
    recent = make_loop(hospital, status=Status.QUEUED)
    done = make_loop(hospital, status=Status.READY)
    for loop in (lost, never_sent, done):
        age(loop, minutes=16)
    age(recent, minutes=14)

    result = services.loops_requeue_stalled()

    assert result == {"requeued": 2}
    assert sorted(m["loop_pk"] for m in queued_messages) == sorted([lost.pk, never_sent.pk])
    assert CineLoop.objects.get(pk=never_sent.pk).status == Status.QUEUED
    # Touched: the next sweep leaves them alone for as long again.
    assert services.loops_requeue_stalled() == {"requeued": 0}
    assert len(queued_messages) == 2


def test_a_requeued_duplicate_is_harmless(tmp_path, instructor):
    """The sweep cannot tell a lost message from one still waiting: both may arrive."""
    source = good_cine(tmp_path / "in.dcm")
    uploaded = SimpleUploadedFile("upload.dcm", source.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    age(loop, hours=1)
    assert services.loops_requeue_stalled()["requeued"] == 1

    assert processing.loop_process(loop_pk=loop.pk, task_id="the-original") == Status.READY
    assert processing.loop_process(loop_pk=loop.pk, task_id="the-duplicate") == (
        "skipped: already ready"
    )


def test_the_sweep_stops_while_the_broker_is_down(hospital, monkeypatch):
    loops = [make_loop(hospital, status=Status.UPLOADED) for _ in range(3)]
    for loop in loops:
        age(loop, hours=1)
    calls = []

    def unreachable(**kwargs):
        calls.append(kwargs)
        raise BrokerError("Connection refused.")

    monkeypatch.setattr(loop_process_task, "delay", unreachable)

    assert services.loops_requeue_stalled() == {"requeued": 0}
    assert len(calls) == 1  # not one timeout per loop
    assert set(CineLoop.objects.values_list("status", flat=True)) == {Status.UPLOADED}


def test_the_sweep_task_runs_the_service(hospital, queued_messages):
    loop = make_loop(hospital, status=Status.QUEUED)
    age(loop, hours=1)

    assert sweep_task.apply().get() == {
        "requeued": 1,
        "recovered": 0,
        "failed": 0,
        "uploads_deleted": 0,
    }
    assert sweep_task.name == "cineloops.sweep"
    assert sweep_task.acks_late is True


def test_beat_runs_the_sweep_at_the_configured_interval(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cineloops-requeue-stalled"]

    assert entry["task"] == sweep_task.name
    assert entry["schedule"] == settings.CINE_SWEEP_INTERVAL_SECONDS == 60
    # A run that died is noticed within its heartbeat timeout plus one sweep: minutes.
    assert settings.CINE_HEARTBEAT_TIMEOUT_SECONDS + entry["schedule"] <= 5 * 60
    assert entry["options"]["expires"] <= entry["schedule"]
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    schedule_file = settings.CELERY_BEAT_SCHEDULE_FILENAME
    assert schedule_file == str(settings.CELERY_DIR / "beat-schedule")
    assert settings.CELERY_DIR.is_dir()
