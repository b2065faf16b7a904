"""Turn a stored original into de-identified teaching material (``loop_process``).

Safe to run twice. The row is claimed under a row lock taken with ``nowait``: a loop that is
done is left alone, and a loop another message is processing is left to it. A row locked at
that very moment raises ``LoopBusy``, which the task retries shortly. The message that claimed
a loop may claim it again — that is a retry: of a transient error, or after its pool process
died (``retry_on_worker_lost`` keeps the task id) — and so may anyone once the claimant has
stopped beating: the run stamps ``heartbeat_at`` with every progress save (at least every few
per cent of the frames, at most once a second), and a claim whose last beat is older than
``CINE_HEARTBEAT_TIMEOUT_SECONDS`` belongs to a run that died with its whole worker (the
message lost with it on a filesystem broker). ``cineloops.recovery`` queues such loops again.
A beat is written only while the claim is still this run's: a run that was given up for dead
and wakes up finds its claim taken (``ClaimLost``) and stops, leaving the loop to the new one.
The run reads the original and writes the outputs through the storages (``cineloops.storage``):
the original is used in place or streamed down to a private work folder, the pipeline writes
there, and each output is stored under a folder of this run's own; the row points at it only
once all are stored, and the older runs' folders are deleted after that commit, so a rerun
replaces rather than adds files and a half-stored set is never served.

A run can also end outside ``loop_process``: its pool process died more often than the task
retries, or it hit the hard time limit. ``loop_abandon`` then marks the loop failed (from the
``task_failure`` signal, see ``cineloops.tasks``); the beat sweep (``cineloops.recovery``)
catches what even that missed.

Nothing logged here holds patient data: ids, sizes, codes and ``CineError`` texts (which
never quote header values). Other exceptions are logged by type and code location only,
since their messages may quote a header value.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, OperationalError, transaction
from django.utils import timezone

from cine.dataset_checks import quiet_pydicom
from cine.errors import CineError
from cine.pipeline import ProcessResult, deidentified_dicom_writer, process
from cineloops import storage
from cineloops.messages import error_code
from cineloops.models import CineLoop
from cineloops.playback import rendition_entries
from cineloops.signals import loops_updated
from core.locking import is_lock_conflict, lock
from training.tasks import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)
Status = CineLoop.Status

# Two cores make ~140 frames/s (DOMAIN §7): a 2 GiB loop takes minutes, so this is a hang.
SOFT_TIME_LIMIT = 30 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 5 * 60


class LoopBusy(Exception):
    """The loop's row is locked by another transaction right now (a run claiming it, or an
    instructor asking for it to be processed again): try again in a moment."""


PROGRESS_STEP, PROGRESS_SECONDS = 5, 1.0


def loop_process(*, loop_pk: int, task_id: str = "", may_retry: bool = True) -> str:
    """Process the loop; returns what happened ('ready', 'failed', 'skipped: …').

    ``task_id`` identifies the message (Celery keeps it across retries and redeliveries).
    Transient database errors propagate for the task to retry; when ``may_retry`` is False
    (the last attempt) the loop is marked failed first. Any other error fails the loop.
    """
    loop, why = _claim(loop_pk, task_id)
    if loop is None:
        logger.info("cine loop %s: skipped (%s)", loop_pk, why)
        return f"skipped: {why}"
    started = time.monotonic()
    try:
        result = _run(loop)
    except CineError as exc:
        return _fail(loop, error_code(exc), str(exc))
    except OriginalMissing:
        return _fail(loop, "original_missing")
    except LoopDeleted:
        return "deleted meanwhile"
    except ClaimLost:
        logger.warning("cine loop %s: claim taken over by another run; stopped", loop_pk)
        return "skipped: taken over by another run"
    except SoftTimeLimitExceeded:
        return _fail(loop, "timeout")
    except TRANSIENT_ERRORS as exc:
        logger.warning("cine loop %s: database unavailable (%s)", loop_pk, type(exc).__name__)
        if not may_retry:
            _fail_quietly(loop)
        raise
    except Exception as exc:
        _log_unexpected(loop_pk, exc)
        return _fail(loop, "internal")
    try:
        status = _finish(loop, result)
    except ClaimLost:
        logger.warning("cine loop %s: claim taken over by another run; result dropped", loop_pk)
        return "skipped: taken over by another run"
    logger.info(
        "cine loop %s: %s (%s frames, %.1f s)",
        loop_pk,
        status,
        loop.frames,
        time.monotonic() - started,
    )
    return status


def _claim(loop_pk: int, task_id: str) -> tuple[CineLoop | None, str]:
    try:
        with transaction.atomic():
            loop = _lock(loop_pk)
            if loop is None:
                return None, "no such loop"
            if loop.is_done:
                return None, f"already {loop.status}"
            if loop.status == Status.PROCESSING and not _may_take_over(loop, task_id):
                return None, "being processed by another run"
            if not loop.original_name:
                _fail(loop, "original_missing")
                return None, "original missing"
            loop.status = Status.PROCESSING
            loop.task_id = task_id
            loop.processing_started_at = loop.heartbeat_at = timezone.now()
            loop.progress = 0
            loop.error_code = loop.error = ""
            loop.save(
                update_fields=[
                    "status",
                    "task_id",
                    "processing_started_at",
                    "heartbeat_at",
                    "progress",
                    "error_code",
                    "error",
                    "updated_at",
                ]
            )
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        # A plain read does not wait for the lock: a loop already done needs no retry.
        status = CineLoop.objects.filter(pk=loop_pk).values_list("status", flat=True).first()
        if status is None:
            return None, "no such loop"
        if status in CineLoop.DONE:
            return None, f"already {status}"
        raise LoopBusy(f"cine loop {loop_pk} is locked by another transaction") from exc
    return loop, ""


def _lock(loop_pk: int) -> CineLoop | None:
    return lock(CineLoop, loop_pk, nowait=True, missing_ok=True)


def _may_take_over(loop: CineLoop, task_id: str) -> bool:
    if task_id and loop.task_id == task_id:
        return True  # this very task again: a retry (its pool process may have died)
    return claim_is_dead(loop.heartbeat_at or loop.processing_started_at)


def heartbeat_cutoff(now: datetime | None = None) -> datetime:
    """A claim whose last beat is older than this belongs to a run that is not alive."""
    return (now or timezone.now()) - timedelta(seconds=settings.CINE_HEARTBEAT_TIMEOUT_SECONDS)


def claim_is_dead(last_beat: datetime | None) -> bool:
    return last_beat is None or last_beat < heartbeat_cutoff()


class _Progress:
    """Saves the percentage now and then — every few percent or every second at most — with
    the claim's heartbeat, only while the claim is still this run's."""

    def __init__(self, loop: CineLoop) -> None:
        self.loop = loop
        self.saved, self.at = -PROGRESS_STEP, 0.0

    def __call__(self, percent: int) -> None:
        percent = min(int(percent), 99)  # 100 means done: set with the final status
        now = time.monotonic()
        if percent - self.saved < PROGRESS_STEP and now - self.at < PROGRESS_SECONDS:
            return
        self.saved, self.at = percent, now
        self.loop.progress = percent
        beat(self.loop)

    def keep_alive(self) -> None:
        """A beat while the outputs are stored (at most once a second), so that the claim
        stays alive and a run that was taken over stops."""
        now = time.monotonic()
        if now - self.at >= PROGRESS_SECONDS:
            self.at = now
            beat(self.loop)


def beat(loop: CineLoop) -> None:
    """Save the loop's progress and stamp its heartbeat, if the claim is still ``loop``'s.

    Raises ``LoopDeleted`` (its files removed) when the row is gone, ``ClaimLost`` when
    another run holds the claim now.
    """
    now = timezone.now()
    with transaction.atomic():  # a savepoint, as in _save
        saved = CineLoop.objects.filter(
            pk=loop.pk, status=Status.PROCESSING, task_id=loop.task_id
        ).update(progress=loop.progress, heartbeat_at=now, updated_at=now)
    if saved:
        loop.heartbeat_at = loop.updated_at = now
        return
    if not CineLoop.objects.filter(pk=loop.pk).exists():
        storage.delete_outputs(loop.pk)
        storage.delete_original(loop.original_name)
        raise LoopDeleted
    raise ClaimLost


def _run(loop: CineLoop) -> ProcessResult:
    """Process into a work folder of this host, then store the outputs as a new run (its name
    set on ``loop.output_run``, saved by ``_finish``), beating while they are stored."""
    storage.delete_outputs(loop.pk, keep=loop.output_run)  # what a killed run stored
    writer = deidentified_dicom_writer(
        settings.CINE_DEID_SECRET.encode(), lossy=settings.CINE_DICOM_LOSSY
    )
    progress = _Progress(loop)
    with storage.work_folder() as work:
        try:
            source = storage.original_on_disk(loop.original_name, work)
        except FileNotFoundError:
            raise OriginalMissing from None
        # pydicom's value-validation warnings quote header values: keep them out of the logs.
        with quiet_pydicom():
            result = process(
                source,
                work / "outputs",
                manual_mask=keep_mask_polygons(loop.keep_mask),
                progress=progress,
                dicom_writer=writer,
            )
        loop.output_run = storage.store_outputs(
            loop.pk, work / "outputs", after_each=progress.keep_alive
        )
    return result


def keep_mask_polygons(rectangles: list) -> list | None:
    """The instructor's rectangles ([x0, y0, x1, y1], inclusive) as ``cine`` mask polygons
    (two corners each); None when there are none."""
    return [[(x0, y0), (x1, y1)] for x0, y0, x1, y1 in rectangles] if rectangles else None


class OriginalMissing(Exception):
    """The stored original is gone (deleted by hand, or a volume not mounted)."""


class LoopDeleted(Exception):
    """The row went away while its loop was processed (an instructor deleted it)."""


class ClaimLost(Exception):
    """Another run holds the loop's claim now: this one was taken for dead (no heartbeat for
    too long) and the loop queued again, or an instructor asked for it to be redone."""


def _finish(loop: CineLoop, result: ProcessResult) -> str:
    facts = result.facts
    cleaning = facts.cleaning
    # Text may remain burned into the pixels until an instructor draws a mask
    # (``cineloops.review``); an instructor's own mask is publishable.
    loop.status = Status.READY if cleaning.publishable else Status.NEEDS_REVIEW
    loop.progress = 100
    loop.processed_at = timezone.now()
    loop.video_file = facts.video.file if facts.video else ""
    loop.renditions = rendition_entries(facts.video)
    loop.poster_file = facts.poster.file
    loop.thumbnails_file = facts.thumbnails.file
    loop.dicom_file = facts.dicom.file if facts.dicom else ""
    loop.intensity_file = facts.intensity.file
    loop.metadata_file = "metadata.json"
    loop.frames = facts.source.frames
    loop.fps = facts.timing.fps
    loop.duration_s = facts.timing.duration_s
    loop.rows, loop.columns = facts.source.rows, facts.source.columns
    loop.regions = [region.to_json() for region in facts.regions]
    loop.pixel_cleaning = str(cleaning.decision)
    loop.pixel_cleaning_reason = cleaning.reason[:300]
    loop.pixel_cleaning_code = str(cleaning.reason_code or "")[:40]
    fields = [
        "status",
        "progress",
        "processed_at",
        "output_run",
        *CineLoop.FILE_FIELDS.values(),
        "renditions",
        "frames",
        "fps",
        "duration_s",
        "rows",
        "columns",
        "regions",
        "pixel_cleaning",
        "pixel_cleaning_reason",
        "pixel_cleaning_code",
        "updated_at",
    ]
    if not _save_claimed(loop, fields):
        return "deleted meanwhile"
    pk, run = loop.pk, loop.output_run
    transaction.on_commit(lambda: storage.delete_outputs(pk, keep=run))  # earlier runs' files
    # Only now: a failed save above is retried, and the retry needs the original. A loop that
    # needs review keeps it too: an instructor's mask is applied to the original's pixels.
    if not settings.CINE_KEEP_ORIGINALS and loop.status == Status.READY:
        storage.delete_original(loop.original_name)
        loop.original_name = ""
        _save(loop, ["original_name", "updated_at"])
    return loop.status


def _save_claimed(loop: CineLoop, fields: list[str]) -> bool:
    """Save the end of a run only while the claim is still this run's (as ``beat`` does): a run
    taken for dead that wakes up must neither overwrite its successor's row nor, afterwards,
    delete its successor's files as "earlier runs". Raises ``ClaimLost`` (this run's own stored
    files removed); False (and the loop's files removed) when the loop was deleted meanwhile."""
    loop.updated_at = timezone.now()
    values = {name: getattr(loop, name) for name in fields}
    with transaction.atomic():  # a savepoint, as in _save
        saved = CineLoop.objects.filter(
            pk=loop.pk, status=Status.PROCESSING, task_id=loop.task_id
        ).update(**values)
    if saved:
        return True
    if CineLoop.objects.filter(pk=loop.pk).exists():
        if loop.output_run:
            storage.delete_tree(storage.media(), storage.run_prefix(loop.pk, loop.output_run))
        raise ClaimLost
    storage.delete_outputs(loop.pk)
    storage.delete_original(loop.original_name)
    return False


def _save(loop: CineLoop, fields: list[str]) -> bool:
    """Save; False (and its files removed) when the loop was deleted while it was processed."""
    try:
        with transaction.atomic():  # a savepoint: a failed save must not poison a caller's
            loop.save(update_fields=fields)
    except DatabaseError:
        if CineLoop.objects.filter(pk=loop.pk).exists():
            raise
        storage.delete_outputs(loop.pk)
        storage.delete_original(loop.original_name)
        return False
    return True


def _fail(loop: CineLoop, code: str, detail: str = "") -> str:
    loop.status = Status.FAILED
    loop.error_code, loop.error = code, detail[:500]
    loop.processed_at = timezone.now()
    logger.info("cine loop %s: failed (%s) %s", loop.pk, code, loop.error)
    try:
        _save_claimed(loop, ["status", "error_code", "error", "processed_at", "updated_at"])
    except ClaimLost:  # the successor's outcome stands, not this run's failure
        logger.warning("cine loop %s: claim taken over by another run; failure dropped", loop.pk)
        return "skipped: taken over by another run"
    return "failed"


def loop_abandon(*, loop_pk: int, task_id: str, code: str) -> bool:
    """Mark failed (``code``) a loop whose run ended without ``loop_process`` finishing it.

    Only a loop still claimed by that run (its task id): a loop another message took over,
    or one already done, is left alone. True when the loop was marked.
    """
    if not task_id:
        return False
    now = timezone.now()
    marked = CineLoop.objects.filter(pk=loop_pk, status=Status.PROCESSING, task_id=task_id).update(
        status=Status.FAILED, error_code=code, error="", processed_at=now, updated_at=now
    )
    if marked:
        logger.warning("cine loop %s: failed (%s) outside its run", loop_pk, code)
        loops_updated.send(sender=CineLoop, pks=[loop_pk])
    return bool(marked)


def _fail_quietly(loop: CineLoop) -> None:
    try:
        _fail(loop, "internal")
    except DatabaseError:
        logger.warning("cine loop %s: could not be marked failed", loop.pk)


def _log_unexpected(loop_pk: int, exc: BaseException) -> None:
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    logger.error("cine loop %s: unexpected %s at %s", loop_pk, type(exc).__name__, where)
