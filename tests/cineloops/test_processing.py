"""Processing: upload → task → outputs; safe to run twice; redelivery after a killed worker;
each bad input fails with its own reason; the original goes once de-identified."""

import itertools
import json
import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from cineloops import processing, services, storage
from cineloops.models import CineLoop
from cineloops.tasks import loop_process_task
from tests.cineloops.samples import BAD_INPUTS, good_cine, ybr_cine
from tests.cineloops.stored import output_bytes, outputs_of

# Tests that need the task to run inside the test body use real commits (transaction=True):
# the service dispatches on commit. The others call the service directly.
pytestmark = pytest.mark.django_db
Status = CineLoop.Status


def upload(path, by) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    return services.loop_create_from_upload(uploaded_file=uploaded, by=by)


def output_listing(loop: CineLoop) -> dict[str, object]:
    store = storage.media()
    return {name: store.get_modified_time(name) for name in outputs_of(loop.pk)}


@pytest.mark.django_db(transaction=True)
def test_upload_is_processed_into_ready_outputs(celery_eager, instructor, tmp_path, cine_dirs):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    loop.refresh_from_db()
    assert loop.status == Status.READY
    assert loop.progress == 100
    assert (loop.frames, loop.rows, loop.columns) == (6, 48, 64)
    assert loop.fps == pytest.approx(25.0)
    assert loop.pixel_cleaning == "outside_regions"
    assert loop.regions[0]["cm_per_pixel_x"] == pytest.approx(0.05)
    names = {
        storage.output_name(loop.pk, loop.output_run, loop.file_name(kind))
        for kind in CineLoop.FILE_FIELDS
    }
    assert set(outputs_of(loop.pk)) == names  # one run's files, each one stored
    meta = json.loads(output_bytes(loop, "metadata"))
    assert meta["frames"] == 6
    assert loop.original_name == ""  # deleted once de-identified
    assert not any(p.is_file() for p in cine_dirs.uploads.rglob("*"))  # nor copies left over


@pytest.mark.django_db(transaction=True)
def test_regions_that_do_not_fit_need_review(celery_eager, instructor):
    loop = upload(ybr_cine(), instructor)

    loop.refresh_from_db()
    assert loop.status == Status.NEEDS_REVIEW
    assert loop.pixel_cleaning == "review_required"
    assert (loop.frames, loop.rows, loop.columns) == (30, 240, 320)
    assert output_bytes(loop, "video")


@pytest.mark.django_db(transaction=True)
def test_originals_are_kept_when_configured(celery_eager, instructor, settings, tmp_path):
    settings.CINE_KEEP_ORIGINALS = True

    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    loop.refresh_from_db()
    assert loop.status == Status.READY
    assert storage.original_exists(loop.original_name)


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_message_yields_one_result_and_no_new_files(celery_eager, instructor, tmp_path):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    before = output_listing(loop)

    result = loop_process_task.apply(kwargs={"loop_pk": loop.pk}).get()

    assert result == "skipped: already ready"
    assert output_listing(loop) == before
    assert CineLoop.objects.count() == 1


def test_a_duplicate_while_processing_leaves_the_loop_to_the_first_run(instructor, tmp_path):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)  # not eager: only queued
    CineLoop.objects.filter(pk=loop.pk).update(
        status=Status.PROCESSING, task_id="first-message", processing_started_at=timezone.now()
    )

    result = processing.loop_process(loop_pk=loop.pk, task_id="second-message")

    assert result == "skipped: being processed by another run"
    loop.refresh_from_db()
    assert (loop.status, loop.task_id) == (Status.PROCESSING, "first-message")
    assert not outputs_of(loop.pk)


def test_a_killed_worker_s_message_is_processed_again_when_redelivered(instructor, tmp_path):
    """retry_on_worker_lost: Celery sends the task again with the same task id (the broker
    redelivers it, if the whole worker died). The loop was left 'processing' with half of a
    run's outputs stored."""
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    CineLoop.objects.filter(pk=loop.pk).update(
        status=Status.PROCESSING,
        task_id="the-message",
        processing_started_at=timezone.now(),
        progress=40,
    )
    leftover = storage.output_name(loop.pk, "killedrun", "video.mp4")
    storage.media().save(leftover, ContentFile(b"half a video"))

    result = loop_process_task.apply(kwargs={"loop_pk": loop.pk}, task_id="the-message").get()

    assert result == Status.READY
    loop.refresh_from_db()
    assert (loop.status, loop.progress) == (Status.READY, 100)
    assert not storage.media().exists(leftover)
    assert {name.split("/")[2] for name in outputs_of(loop.pk)} == {loop.output_run}


def test_a_run_interrupted_mid_way_is_redone_by_the_same_message(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    real_call = processing._Progress.__call__

    def killed_at_half(self, percent):
        real_call(self, percent)
        if percent >= 50:
            raise SystemExit("worker killed")  # not an Exception: nothing is marked

    monkeypatch.setattr(processing._Progress, "__call__", killed_at_half)
    with pytest.raises(SystemExit):
        processing.loop_process(loop_pk=loop.pk, task_id="the-message")
    loop.refresh_from_db()
    assert loop.status == Status.PROCESSING
    assert storage.original_exists(loop.original_name)

    monkeypatch.setattr(processing._Progress, "__call__", real_call)
    assert processing.loop_process(loop_pk=loop.pk, task_id="the-message") == Status.READY


def test_a_claim_that_stopped_beating_is_taken_over(instructor, tmp_path, settings):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    silent = timezone.now() - timedelta(seconds=settings.CINE_HEARTBEAT_TIMEOUT_SECONDS + 1)
    CineLoop.objects.filter(pk=loop.pk).update(
        status=Status.PROCESSING,
        task_id="lost-message",
        processing_started_at=silent - timedelta(minutes=5),
        heartbeat_at=silent,
    )

    assert processing.loop_process(loop_pk=loop.pk, task_id="new-message") == Status.READY


def test_a_claim_still_beating_is_left_to_its_run(instructor, tmp_path, settings):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    CineLoop.objects.filter(pk=loop.pk).update(
        status=Status.PROCESSING,
        task_id="live-message",
        processing_started_at=timezone.now() - timedelta(hours=1),  # a long loop
        heartbeat_at=timezone.now() - timedelta(seconds=5),
    )

    assert processing.loop_process(loop_pk=loop.pk, task_id="new-message") == (
        "skipped: being processed by another run"
    )


def test_the_task_is_declared_with_the_platform_guarantees():
    assert loop_process_task.acks_late is True
    assert loop_process_task.retry_on_worker_lost is True  # capped by max_retries, same task id
    assert loop_process_task.reject_on_worker_lost is True  # only if that retry cannot be sent
    assert loop_process_task.max_retries == 5
    assert loop_process_task.autoretry_for == (*processing.TRANSIENT_ERRORS, processing.LoopBusy)
    assert loop_process_task.soft_time_limit < loop_process_task.time_limit


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.name)
def test_each_bad_input_fails_with_its_reason(bad, celery_eager, instructor, tmp_path):
    loop = upload(bad.make(tmp_path / "bad.dcm"), instructor)

    loop.refresh_from_db()
    assert loop.status == Status.FAILED
    assert loop.error_code == bad.error_code
    assert bad.detail in loop.error_message
    assert "Traceback" not in loop.error_message
    assert not outputs_of(loop.pk)


def test_an_unexpected_error_fails_the_loop_with_a_generic_message(
    instructor, tmp_path, monkeypatch, caplog
):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    def broken(*args, **kwargs):
        raise ValueError("Invalid value for PatientName: ZZPHI-42")

    monkeypatch.setattr(processing, "process", broken)
    assert processing.loop_process(loop_pk=loop.pk, task_id="t") == "failed"

    loop.refresh_from_db()
    assert (loop.status, loop.error_code) == (Status.FAILED, "internal")
    assert "internal error" in loop.error_message
    assert "ZZPHI" not in caplog.text  # logged by type and place only
    assert "ValueError" in caplog.text


def test_a_transient_database_error_is_retried_by_the_same_message(
    instructor, tmp_path, monkeypatch
):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    real_process = processing.process
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_process(*args, **kwargs)

    monkeypatch.setattr(processing, "process", flaky)
    with pytest.raises(OperationalError):
        processing.loop_process(loop_pk=loop.pk, task_id="the-message")
    assert CineLoop.objects.get(pk=loop.pk).status == Status.PROCESSING

    assert processing.loop_process(loop_pk=loop.pk, task_id="the-message") == Status.READY


def test_the_last_attempt_marks_the_loop_failed(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(processing, "process", down)
    with pytest.raises(OperationalError):
        processing.loop_process(loop_pk=loop.pk, task_id="t", may_retry=False)
    assert CineLoop.objects.get(pk=loop.pk).status == Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_leaves_the_loop_uploaded(instructor, tmp_path, monkeypatch):
    def unreachable(**kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(loop_process_task, "delay", unreachable)
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    loop.refresh_from_db()
    assert loop.status == Status.UPLOADED
    assert storage.original_exists(loop.original_name)


def test_progress_is_saved_in_steps(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm", frames=40), instructor)
    seen = []
    real_beat = processing.beat

    def spy(loop):
        seen.append(loop.progress)
        return real_beat(loop)

    monkeypatch.setattr(processing, "beat", spy)
    monkeypatch.setattr(processing, "PROGRESS_SECONDS", 3600.0)
    processing.loop_process(loop_pk=loop.pk, task_id="t")

    assert seen == sorted(seen) and len(seen) <= 21
    assert all(b - a >= processing.PROGRESS_STEP for a, b in itertools.pairwise(seen))


def test_a_loop_deleted_while_processing_leaves_no_files(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    real_process = processing.process

    def deleting(*args, **kwargs):
        result = real_process(*args, **kwargs)
        CineLoop.objects.filter(pk=loop.pk).delete()
        return result

    monkeypatch.setattr(processing, "process", deleting)
    assert processing.loop_process(loop_pk=loop.pk, task_id="t") == "deleted meanwhile"
    assert not outputs_of(loop.pk)
    assert not any(storage.work_dir().iterdir())  # nor the work folder


def test_a_loop_deleted_mid_way_stops_processing(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm", frames=20), instructor)
    real_call = processing._Progress.__call__

    def deleted_at_half(self, percent):
        if percent >= 50:
            CineLoop.objects.filter(pk=loop.pk).delete()
        real_call(self, percent)

    monkeypatch.setattr(processing._Progress, "__call__", deleted_at_half)
    monkeypatch.setattr(processing, "PROGRESS_SECONDS", 0.0)

    assert processing.loop_process(loop_pk=loop.pk, task_id="t") == "deleted meanwhile"
    assert not outputs_of(loop.pk)


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_run_is_retried_not_dropped(instructor, tmp_path):
    """select_for_update(nowait=True): a run claiming the row right now wins (PostgreSQL), and
    this message is retried rather than acknowledged: it may be the loop's only one."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite locks the whole database)")
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    locked, release = threading.Event(), threading.Event()

    def other_run():
        from django.db import connection as thread_connection
        from django.db import transaction

        with transaction.atomic():
            CineLoop.objects.select_for_update().get(pk=loop.pk)
            locked.set()
            release.wait(10)
        thread_connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(10)
        try:
            processing.loop_process(loop_pk=loop.pk, task_id="t")
        except processing.LoopBusy as exc:
            result = exc
    finally:
        release.set()
        thread.join()

    assert isinstance(result, processing.LoopBusy)  # the task retries it in a moment
    assert CineLoop.objects.get(pk=loop.pk).status == Status.QUEUED


class PgLockNotAvailable(Exception):
    """What psycopg raises for ``FOR UPDATE NOWAIT`` on a locked row (SQLSTATE 55P03)."""

    sqlstate = "55P03"


def lock_conflict(*args, **kwargs):
    raise OperationalError("could not obtain lock on row") from PgLockNotAvailable()


def test_a_lock_conflict_raises_loop_busy_for_the_task_to_retry(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    monkeypatch.setattr(processing, "_lock", lock_conflict)

    with pytest.raises(processing.LoopBusy):
        processing.loop_process(loop_pk=loop.pk, task_id="t")

    assert CineLoop.objects.get(pk=loop.pk).status == loop.status  # untouched
    assert processing.LoopBusy in loop_process_task.autoretry_for


def test_a_lock_conflict_on_a_loop_already_done_is_not_retried(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    CineLoop.objects.filter(pk=loop.pk).update(status=Status.READY)
    monkeypatch.setattr(processing, "_lock", lock_conflict)

    assert processing.loop_process(loop_pk=loop.pk, task_id="t") == "skipped: already ready"


def test_other_database_errors_of_the_claim_stay_transient(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(processing, "_lock", connection_lost)

    with pytest.raises(OperationalError):
        processing.loop_process(loop_pk=loop.pk, task_id="t")


def test_the_task_processes_a_busy_loop_on_its_retry(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    attempts = []
    real_lock = processing._lock

    def busy_once(loop_pk):
        attempts.append(loop_pk)
        if len(attempts) == 1:
            lock_conflict()
        return real_lock(loop_pk)

    monkeypatch.setattr(processing, "_lock", busy_once)
    # apply() runs a retry inline, as the worker would after the countdown.
    result = loop_process_task.apply(kwargs={"loop_pk": loop.pk}, task_id="busy-message")

    assert result.get() == Status.READY
    assert len(attempts) == 2
    loop.refresh_from_db()
    assert (loop.status, loop.task_id) == (Status.READY, "busy-message")


def test_a_failed_run_s_loop_is_abandoned_only_by_its_own_task(instructor, tmp_path):
    mine = upload(good_cine(tmp_path / "a.dcm"), instructor)
    theirs = upload(good_cine(tmp_path / "b.dcm"), instructor)
    CineLoop.objects.filter(pk=mine.pk).update(status=Status.PROCESSING, task_id="mine")
    CineLoop.objects.filter(pk=theirs.pk).update(status=Status.PROCESSING, task_id="theirs")

    assert processing.loop_abandon(loop_pk=mine.pk, task_id="mine", code="worker_lost")
    assert not processing.loop_abandon(loop_pk=theirs.pk, task_id="mine", code="worker_lost")
    assert not processing.loop_abandon(loop_pk=mine.pk, task_id="mine", code="timeout")  # done
    assert not processing.loop_abandon(loop_pk=theirs.pk, task_id="", code="worker_lost")

    mine.refresh_from_db()
    assert (mine.status, mine.error_code) == (Status.FAILED, "worker_lost")
    assert "several times" in mine.error_message
    assert mine.processed_at is not None
    assert CineLoop.objects.get(pk=theirs.pk).status == Status.PROCESSING


def test_the_heartbeat_advances_while_a_loop_is_processed(instructor, tmp_path, monkeypatch):
    loop = upload(good_cine(tmp_path / "in.dcm", frames=40), instructor)
    monkeypatch.setattr(processing, "PROGRESS_SECONDS", 0.0)
    stored = []
    real_beat = processing.beat

    def spy(running):
        real_beat(running)
        stored.append(CineLoop.objects.values_list("heartbeat_at", flat=True).get(pk=loop.pk))

    monkeypatch.setattr(processing, "beat", spy)

    assert processing.loop_process(loop_pk=loop.pk, task_id="t") == Status.READY

    loop.refresh_from_db()
    assert len(stored) >= 5  # every progress step beats
    assert stored == sorted(stored) and stored[0] < stored[-1]
    assert loop.processing_started_at < stored[0]


def test_a_run_whose_claim_was_taken_over_stops(instructor, tmp_path, monkeypatch):
    """A run given up for dead (no heartbeat for too long) that wakes up: the loop was queued
    again and claimed by another message, so this one stops and leaves the row alone."""
    loop = upload(good_cine(tmp_path / "in.dcm", frames=20), instructor)
    real_call = processing._Progress.__call__

    def taken_over_at_half(self, percent):
        if percent >= 50:
            CineLoop.objects.filter(pk=loop.pk).update(task_id="the-new-run", progress=3)
        real_call(self, percent)

    monkeypatch.setattr(processing._Progress, "__call__", taken_over_at_half)
    monkeypatch.setattr(processing, "PROGRESS_SECONDS", 0.0)

    result = processing.loop_process(loop_pk=loop.pk, task_id="the-old-run")

    assert result == "skipped: taken over by another run"
    loop.refresh_from_db()
    assert (loop.status, loop.task_id, loop.progress) == (Status.PROCESSING, "the-new-run", 3)
    assert storage.original_exists(loop.original_name)
    assert not outputs_of(loop.pk)


def test_a_run_taken_over_after_its_last_beat_neither_saves_nor_deletes(
    instructor, tmp_path, monkeypatch
):
    """The take-over happens while the old run stores its outputs (after its last beat): its
    final save must not overwrite the new run's row, and its clean-up of "earlier runs" must
    not delete the new run's files."""
    loop = upload(good_cine(tmp_path / "in.dcm", frames=8), instructor)
    new_run = storage.output_name(loop.pk, "the-new-runs-folder", "video.mp4")
    real_store = storage.store_outputs

    def stored_then_taken_over(pk, folder, **kwargs):
        run = real_store(pk, folder, **kwargs)
        storage.media().save(new_run, ContentFile(b"the new run's video"))
        CineLoop.objects.filter(pk=pk).update(task_id="the-new-run", progress=7)
        return run

    monkeypatch.setattr(storage, "store_outputs", stored_then_taken_over)

    result = processing.loop_process(loop_pk=loop.pk, task_id="the-old-run")

    assert result == "skipped: taken over by another run"
    loop.refresh_from_db()
    assert (loop.status, loop.task_id, loop.progress) == (Status.PROCESSING, "the-new-run", 7)
    assert loop.output_run == ""  # the old run's folder was never recorded
    assert outputs_of(loop.pk) == [new_run]  # the old run removed only its own files
    assert storage.original_exists(loop.original_name)
