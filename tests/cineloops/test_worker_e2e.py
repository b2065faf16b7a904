"""End to end on real services: upload through the API, a real Celery worker (Redis broker,
PostgreSQL) processes the loop, and its files are served here. Run by ``.ci/run``: on folders
shared by this process and the worker, and again with the files in an object store, this
process and the worker on separate ``var/`` directories (they share nothing else).

Also the delivery guarantees of ``platform_task`` on that worker: a pool process killed in the
middle of a loop gets its task retried (same task id) and the loop finished by it; killed on
the task's last attempt, the loop is marked failed instead of being retried for ever; two
messages for one loop process it once.
"""

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pydicom
import pytest
from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom.encaps import encapsulate, generate_frames

from cineloops import storage
from cineloops.models import CineLoop
from cineloops.tasks import loop_process_task
from tests.cine.cine_factory import make_cine, region_item
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import fetch, object_store, output_bytes, outputs_of
from training.celery import app as celery_app

pytestmark = pytest.mark.services
TIMEOUT = 60
# The killed-worker test needs a loop that takes seconds, not milliseconds: 1000 frames of
# 320x240 colour JPEG (~19 MB) take 2-3.5 s in the worker on two cores; the kill comes
# ~0.2 s in, at 5 %.
LONG_FRAMES, LONG_CYCLE = 1000, 50
OUTPUTS = {
    "video.mp4",
    "poster.jpg",
    "thumbs.jpg",
    "deidentified.dcm",
    "intensity.npy",
    "metadata.json",
}
T = TypeVar("T")


@pytest.fixture
def shared_dirs(celery_worker_process, settings):
    """With folder storages, point this process at the folders the worker uses (its own var/
    unless set by env); with an object store there is nothing to share but the bucket."""
    if not object_store():
        var = celery_worker_process.var_dir
        settings.CINE_UPLOAD_DIR = Path(os.environ.get("CINE_UPLOAD_DIR") or var / "uploads")
        settings.CINE_MEDIA_DIR = Path(os.environ.get("CINE_MEDIA_DIR") or var / "cine")
    return celery_worker_process


def wait_for(what: str, check: Callable[[], T], timeout: float, log: Callable[[], str]) -> T:
    """Poll ``check`` until it returns something truthy; fail with the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n--- worker log ---\n{log()}")


def finished(loop_id: int) -> CineLoop | None:
    loop = CineLoop.objects.get(pk=loop_id)
    return loop if loop.is_done else None


def long_cine(path: Path, frames: int = LONG_FRAMES) -> Path:
    """``frames`` JPEG frames of 320x240 colour: ``make_cine``'s first ``LONG_CYCLE`` frames
    over and over (encoding each one would take longer than processing them)."""
    region = region_item((8, 16, 311, 231))  # fits: cleaned automatically, so: ready
    make_cine(
        path,
        frames=LONG_CYCLE,
        rows=240,
        columns=320,
        encoding="jpeg",
        colour=True,
        regions=[region],
    )
    ds = pydicom.dcmread(path)
    cycle = list(generate_frames(ds.PixelData, number_of_frames=LONG_CYCLE))
    ds.PixelData = encapsulate([cycle[i % LONG_CYCLE] for i in range(frames)])
    ds["PixelData"].VR = "OB"
    ds.NumberOfFrames = frames
    ds.save_as(path, enforce_file_format=True)
    return path


def post_upload(api, path: Path) -> int:
    upload = SimpleUploadedFile("upload.dcm", path.read_bytes())
    response = api.post("/api/v1/cineloops/", {"file": upload})
    assert response.status_code == 202, response.content
    return response.json()["accepted"][0]["loop"]["id"]


def pool_children(main_pid: int) -> set[int]:
    """The worker's pool processes: the children of its main process."""
    pids: set[int] = set()
    for children in Path(f"/proc/{main_pid}/task").glob("*/children"):
        pids.update(int(pid) for pid in children.read_text().split())
    return pids


def running_pid(worker_name: str, task_id: str) -> int | None:
    """The pid of the pool process running ``task_id``, from the worker's own report."""
    inspect = celery_app.control.inspect(destination=[worker_name], timeout=1.0, limit=1)
    for task in (inspect.active() or {}).get(worker_name, []):
        if task["id"] == task_id:
            return task["worker_pid"]
    return None


def assert_outputs_complete(loop: CineLoop) -> None:
    """Every output, once: the loop's stored files are the one run it points at (nothing of a
    killed run), and that run the one set of files the loop points at."""
    prefix = f"{storage.loop_prefix(loop.pk)}/{loop.output_run}/"
    # The lower renditions recorded on the row (the full video is "high", video.mp4).
    renditions = {r["file"] for r in loop.renditions if r["name"] != "high"}
    assert renditions, loop.renditions  # these loops are large enough to get them
    assert {prefix + name for name in OUTPUTS | renditions} == set(outputs_of(loop.pk))
    for field in CineLoop.FILE_FIELDS.values():
        name = getattr(loop, field)
        assert name in OUTPUTS, field
        assert storage.media().size(prefix + name) > 0, name
    for name in renditions:
        assert storage.media().size(prefix + name) > 0, name


def test_an_uploaded_loop_is_made_ready_by_a_real_worker(
    shared_dirs, transactional_db, api, client, instructor, tmp_path
):
    upload = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "a.dcm").read_bytes())

    response = api.post("/api/v1/cineloops/", {"file": upload})

    assert response.status_code == 202, response.content
    loop_id = response.json()["accepted"][0]["loop"]["id"]
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        loop = CineLoop.objects.get(pk=loop_id)
        if loop.is_done:
            break
        time.sleep(0.2)
    assert loop.status == CineLoop.Status.READY, (loop.error_message, shared_dirs.log())
    assert loop.task_id  # claimed by the worker's message
    detail = api.get(f"/api/v1/cineloops/{loop_id}/").json()
    client.force_login(instructor)
    video = fetch(client, detail["files"]["video"], HTTP_RANGE="bytes=0-99")
    assert video.status == 206
    assert video.body == output_bytes(loop, "video")[:100]
    assert video.redirected == object_store()


def kill_mid_way(worker, loop_id: int) -> tuple[str, int, int]:
    """Kill the pool process running the loop once it has made progress; returns the task id,
    the killed pid and where the worker log stood before the kill."""

    def started() -> CineLoop | None:
        loop = CineLoop.objects.get(pk=loop_id)
        if loop.is_done:
            why = f"the loop ended ({loop.status}) before it could be interrupted: make it longer"
            pytest.fail(f"{why}\n--- worker log ---\n{worker.log()}")
        return loop if loop.status == CineLoop.Status.PROCESSING and loop.progress > 0 else None

    task_id = wait_for("the worker to start on the loop", started, TIMEOUT, worker.log).task_id
    assert task_id
    pid = wait_for(
        "the worker to report the pool process running the task",
        lambda: running_pid(worker.name, task_id),
        10,
        worker.log,
    )
    assert pid in pool_children(worker.process.pid), "not one of the worker's pool processes"
    seen = len(worker.log())

    os.kill(pid, signal.SIGKILL)

    def reported() -> bool:
        new = worker.log()[seen:]
        return f"pid:{pid} exited with 'signal 9 (SIGKILL)'" in new and "WorkerLostError" in new

    # At once when the pool notices the exit, else on its 5 s maintenance timer.
    wait_for("the worker to report the lost pool process", reported, 10, worker.log)
    return task_id, pid, seen


def test_a_loop_whose_pool_process_is_killed_is_finished_by_the_retried_task(
    shared_dirs, transactional_db, api, tmp_path
):
    worker = shared_dirs
    loop_id = post_upload(api, long_cine(tmp_path / "long.dcm"))

    task_id, pid, seen = kill_mid_way(worker, loop_id)

    # retry_on_worker_lost: sent again after the task's default_retry_delay (10 s).
    loop = wait_for("the loop to be finished", lambda: finished(loop_id), TIMEOUT, worker.log)
    assert loop.status == CineLoop.Status.READY, (loop.error_code, loop.error, worker.log())
    assert loop.task_id == task_id  # the same task, sent again, took the loop over
    assert f"[{task_id}] retry: Retry in 10s: WorkerLostError" in worker.log()[seen:]
    assert worker.log()[seen:].count(f"[{task_id}] received") == 1  # sent again once
    assert AsyncResult(task_id, app=celery_app).get(timeout=10) == "ready"
    assert loop.frames == LONG_FRAMES
    assert_outputs_complete(loop)
    assert worker.alive()
    assert pid not in pool_children(worker.process.pid)


def test_two_messages_for_one_loop_process_it_once(
    shared_dirs, transactional_db, instructor, tmp_path
):
    worker = shared_dirs
    # Long enough (0.5-1 s) for the two pool processes to take the messages at the same time.
    source = long_cine(tmp_path / "a.dcm", frames=200)
    name, size = storage.write_original(storage.file_chunks(source), limit=1 << 30)
    loop = CineLoop.objects.create(
        institution=instructor.institution,
        uploaded_by=instructor,
        source=CineLoop.Source.UPLOAD,
        original_name=name,
        original_size=size,
        status=CineLoop.Status.QUEUED,
    )

    messages = [loop_process_task.delay(loop_pk=loop.pk), loop_process_task.delay(loop_pk=loop.pk)]

    results = {m.id: m.get(timeout=TIMEOUT) for m in messages}
    assert sorted(results.values())[0] == "ready", (results, worker.log())
    skipped = sorted(results.values())[1]
    # A claim that collided on the row lock was retried a moment later (LoopBusy).
    assert skipped in {
        "skipped: being processed by another run",
        "skipped: already ready",
    }, (results, worker.log())
    loop.refresh_from_db()
    assert loop.status == CineLoop.Status.READY
    assert results[loop.task_id] == "ready"  # the claim belongs to the message that did it
    assert_outputs_complete(loop)
    stored_at = storage.media().get_modified_time(loop.output_name("metadata"))
    assert stored_at <= loop.processed_at  # stored before 'ready'
    log = worker.log()
    assert log.count(f"cine loop {loop.pk}: ready") == 1, log
    assert log.count(f"cine loop {loop.pk}: skipped") == 1, log


def test_a_loop_whose_pool_process_is_killed_on_the_last_attempt_fails(
    shared_dirs, transactional_db, instructor, tmp_path
):
    """The poison message: no retry left, so the task fails and the worker's main process
    marks the loop failed (``task_failure``) instead of the message coming back for ever."""
    worker = shared_dirs
    source = long_cine(tmp_path / "long.dcm")
    name, size = storage.write_original(storage.file_chunks(source), limit=1 << 30)
    loop = CineLoop.objects.create(
        institution=instructor.institution,
        uploaded_by=instructor,
        source=CineLoop.Source.UPLOAD,
        original_name=name,
        original_size=size,
        status=CineLoop.Status.QUEUED,
    )
    # As if it had been killed max_retries times already.
    message = loop_process_task.apply_async(
        kwargs={"loop_pk": loop.pk}, retries=loop_process_task.max_retries
    )

    task_id, _pid, seen = kill_mid_way(worker, loop.pk)

    assert task_id == message.id
    loop = wait_for("the loop to be marked failed", lambda: finished(loop.pk), 30, worker.log)
    assert (loop.status, loop.error_code) == (CineLoop.Status.FAILED, "worker_lost"), worker.log()
    assert "several times" in loop.error_message
    assert AsyncResult(task_id, app=celery_app).state == "FAILURE"
    assert "retry:" not in worker.log()[seen:]
    assert storage.original_exists(loop.original_name)  # kept: it may be processed again
    assert worker.alive()


def test_a_loop_whose_whole_worker_is_killed_is_finished_after_the_sweep(
    shared_dirs, transactional_db, instructor, tmp_path, settings
):
    """The whole worker dies (its process group killed): no worker-lost retry is sent and the
    unacknowledged message stays out of reach until the broker's visibility timeout (on the
    filesystem broker it is gone). The heartbeat stops, the sweep queues the loop again, and a
    new worker finishes it. The doomed worker consumes a queue of its own, so the session's
    worker cannot take the first message."""
    from django.db import connection

    from cineloops import recovery
    from tests.services.plugin import database_url_for, start_worker, stop_worker

    settings.CINE_HEARTBEAT_TIMEOUT_SECONDS = 2  # in this process, where the sweep runs
    var_dir = shared_dirs.var_dir
    database_url = database_url_for(connection.settings_dict["NAME"])
    doomed = start_worker(
        database_url=database_url,
        log_path=tmp_path / "doomed.log",
        var_dir=var_dir,
        queues="doomed-worker",
    )
    try:
        source = long_cine(tmp_path / "long.dcm")
        name, size = storage.write_original(storage.file_chunks(source), limit=1 << 30)
        loop = CineLoop.objects.create(
            institution=instructor.institution,
            uploaded_by=instructor,
            source=CineLoop.Source.UPLOAD,
            original_name=name,
            original_size=size,
            status=CineLoop.Status.QUEUED,
        )
        loop_process_task.apply_async(kwargs={"loop_pk": loop.pk}, queue="doomed-worker")
        kill_mid_way_check = kill_whole_worker_mid_way(doomed, loop.pk)
    finally:
        stop_worker(doomed)
    assert kill_mid_way_check.status == CineLoop.Status.PROCESSING

    replacement = start_worker(
        database_url=database_url, log_path=tmp_path / "replacement.log", var_dir=var_dir
    )
    try:

        def recovered() -> bool:
            return recovery.sweep()["recovered"] == 1

        wait_for("the sweep to see the silent claim", recovered, 30, doomed.log)
        loop = wait_for(
            "the loop to be finished",
            lambda: finished(loop.pk),
            TIMEOUT,
            lambda: shared_dirs.log() + replacement.log(),
        )
    finally:
        stop_worker(replacement)
    assert loop.status == CineLoop.Status.READY, (loop.error_code, loop.error)
    assert loop.recoveries == 1
    assert loop.frames == LONG_FRAMES
    assert_outputs_complete(loop)


def kill_whole_worker_mid_way(worker, loop_id: int) -> CineLoop:
    """SIGKILL the worker's whole process group once the loop has made progress."""

    def started() -> CineLoop | None:
        loop = CineLoop.objects.get(pk=loop_id)
        if loop.is_done:
            pytest.fail(f"the loop ended ({loop.status}) before the kill\n{worker.log()}")
        return loop if loop.status == CineLoop.Status.PROCESSING and loop.progress > 0 else None

    wait_for("the worker to start on the loop", started, TIMEOUT, worker.log)
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    return CineLoop.objects.get(pk=loop_id)
