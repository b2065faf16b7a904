"""The beat sweep's recoveries (``cineloops.recovery``): a run whose whole worker died (no
heartbeat) is queued again whatever the broker, capped; uploads cut off mid-way and unclaimed
originals are deleted, by the sweep and when a worker starts; files a loop needs are kept.
``test_worker_e2e`` kills a real worker."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery.signals import worker_ready
from django.utils import timezone

from cineloops import processing, recovery, storage
from cineloops.models import CineLoop
from cineloops.tasks import loop_process_task
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import original_file

pytestmark = pytest.mark.django_db
Status = CineLoop.Status


def stored_original() -> str:
    name, _size = storage.write_original([b"DICM original bytes"], limit=1 << 20)
    return name


def claimed(institution, *, beat_seconds_ago: float, **fields) -> CineLoop:
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    fields.setdefault("original_name", stored_original())
    return CineLoop.objects.create(
        institution=institution,
        source=CineLoop.Source.UPLOAD,
        status=Status.PROCESSING,
        task_id="the-dead-run",
        processing_started_at=beat - timedelta(minutes=2),
        heartbeat_at=beat,
        progress=40,
        **fields,
    )


def test_a_claim_that_stopped_beating_is_queued_again(
    hospital, queued_messages, settings, django_capture_on_commit_callbacks
):
    timeout = settings.CINE_HEARTBEAT_TIMEOUT_SECONDS
    dead = claimed(hospital, beat_seconds_ago=timeout + 5)
    alive = claimed(hospital, beat_seconds_ago=timeout - 30)

    with django_capture_on_commit_callbacks(execute=True):
        result = recovery.sweep()

    assert (result["recovered"], result["failed"]) == (1, 0)
    assert queued_messages == [{"loop_pk": dead.pk}]
    dead.refresh_from_db()
    assert (dead.status, dead.task_id, dead.progress, dead.recoveries) == (
        Status.QUEUED,
        "",  # the dead run's claim is void: it stops if it ever wakes up (ClaimLost)
        0,
        1,
    )
    assert dead.heartbeat_at is None
    alive.refresh_from_db()
    assert (alive.status, alive.task_id, alive.recoveries) == (Status.PROCESSING, "the-dead-run", 0)
    assert recovery.sweep()["recovered"] == 0  # queued now: left to the waiting-loop rule


def test_a_recovered_loop_is_finished_by_the_new_message(hospital, tmp_path, settings):
    name, _ = storage.write_original(
        storage.file_chunks(good_cine(tmp_path / "in.dcm")), limit=1 << 30
    )
    loop = claimed(
        hospital,
        beat_seconds_ago=settings.CINE_HEARTBEAT_TIMEOUT_SECONDS + 1,
        original_name=name,
    )
    assert recovery.loops_recover_dead_claims()["recovered"] == 1

    assert processing.loop_process(loop_pk=loop.pk, task_id="the-new-message") == Status.READY


def test_a_loop_recovered_too_often_fails(hospital, queued_messages, settings):
    loop = claimed(
        hospital,
        beat_seconds_ago=settings.CINE_HEARTBEAT_TIMEOUT_SECONDS + 5,
        recoveries=loop_process_task.max_retries,
    )

    assert recovery.loops_recover_dead_claims() == {"recovered": 0, "failed": 1}

    assert queued_messages == []  # a file that kills its worker cannot loop for ever
    loop.refresh_from_db()
    assert (loop.status, loop.error_code) == (Status.FAILED, "worker_lost")
    assert original_file(loop.original_name).is_file()  # kept: it may be redone


def test_a_dead_claim_without_its_original_fails(hospital, queued_messages, settings):
    loop = claimed(
        hospital,
        beat_seconds_ago=settings.CINE_HEARTBEAT_TIMEOUT_SECONDS + 5,
        original_name="0" * 32,
    )

    assert recovery.loops_recover_dead_claims() == {"recovered": 0, "failed": 1}
    loop.refresh_from_db()
    assert (loop.status, loop.error_code) == (Status.FAILED, "original_missing")


def test_an_instructor_s_reprocess_resets_the_count(
    instructor, queued_messages, django_capture_on_commit_callbacks
):
    from cineloops.services import loop_reprocess

    loop = CineLoop.objects.create(
        institution=instructor.institution,
        source=CineLoop.Source.UPLOAD,
        status=Status.FAILED,
        error_code="worker_lost",
        original_name=stored_original(),
        recoveries=loop_process_task.max_retries,
    )

    with django_capture_on_commit_callbacks(execute=True):
        loop_reprocess(loop=loop, by=instructor)

    loop.refresh_from_db()
    assert (loop.status, loop.recoveries) == (Status.QUEUED, 0)


# --- Abandoned uploads ----------------------------------------------------------------------


def aged(path: Path, minutes: float) -> Path:
    when = time.time() - minutes * 60
    os.utime(path, (when, when))
    return path


def partial(name: str, minutes: float) -> Path:
    path = storage.incoming_dir() / name
    path.write_bytes(b"the first half of a patient's cine")
    return aged(path, minutes)


def test_the_sweep_deletes_uploads_cut_off_mid_way(hospital, settings):
    settings.CINE_INCOMING_MAX_AGE_MINUTES = 60
    streamed = partial(".upload-abc123", 61)  # Django's upload handler's file
    copied = partial(storage.new_original_name(), 61)  # write_original's partial
    received = partial(f".scp-{storage.new_original_name()}", 61)  # the DICOM listener's
    streaming = partial(".upload-def456", 59)  # may still be arriving on another web server

    assert recovery.sweep()["uploads_deleted"] == 3

    assert not streamed.exists() and not copied.exists() and not received.exists()
    assert streaming.exists()


def test_the_sweep_deletes_originals_no_loop_claims(hospital, settings):
    settings.CINE_INCOMING_MAX_AGE_MINUTES = 60
    orphan = aged(original_file(stored_original()), 61)
    needed = {}
    for status in (Status.NEEDS_REVIEW, Status.FAILED, Status.READY, Status.QUEUED):
        name = stored_original()
        aged(original_file(name), 24 * 60)
        CineLoop.objects.create(
            institution=hospital, source=CineLoop.Source.UPLOAD, status=status, original_name=name
        )
        needed[status] = original_file(name)
    fresh = original_file(stored_original())  # its row is being created right now
    not_ours = storage.upload_dir() / "README.txt"
    not_ours.write_text("kept")
    aged(not_ours, 24 * 60)

    assert recovery.uploads_delete_abandoned() == 1

    assert not orphan.exists()
    assert all(path.exists() for path in needed.values())
    assert fresh.exists() and not_ours.exists()


def test_the_sweep_deletes_work_folders_of_runs_killed_with_their_worker(hospital, settings):
    settings.CINE_INCOMING_MAX_AGE_MINUTES = 60
    folders = {}
    for minutes in (60 + 1, 2 * processing.TIME_LIMIT / 60 + 1):
        folder = storage.work_dir() / f"run-{int(minutes)}"
        folder.mkdir()
        (folder / "original").write_bytes(b"a copy of a patient's cine")
        folders[minutes] = aged(folder, minutes)

    assert recovery.uploads_delete_abandoned() == 1

    young, old = folders.values()
    assert young.exists()  # its run may still be going: a run lasts up to its time limit
    assert not old.exists()


def test_a_starting_worker_deletes_abandoned_uploads(hospital, settings):
    settings.CINE_INCOMING_MAX_AGE_MINUTES = 60
    left = partial(".upload-left-by-a-stopped-server", 120)
    streaming = partial(".upload-still-arriving", 1)

    worker_ready.send(sender=None)

    assert not left.exists()
    assert streaming.exists()
