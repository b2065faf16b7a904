"""The beat sweep: what nothing else would finish or remove (``sweep``, run by Celery beat).

* Loops waiting too long (``uploaded`` / ``queued``): queued again
  (``cineloops.services.loops_requeue_stalled``).
* Dead claims (``loops_recover_dead_claims``): a loop ``processing`` whose run stopped beating
  for ``CINE_HEARTBEAT_TIMEOUT_SECONDS`` — its whole worker died and, on a filesystem broker,
  the message with it. It is queued again, whatever the broker, at most as many times as the
  task retries a lost pool process; after that it fails (``worker_lost``), so a file that kills
  its worker cannot loop for ever.
* Abandoned uploads (``uploads_delete_abandoned``, also run when a worker starts): patient
  data left by an upload cut off mid-way (the server stopped) in this host's ``incoming/``,
  work folders of runs killed with their worker on this host, and stored originals no loop
  row points at (stopped between storing the file and creating the row). Only files
  untouched for ``CINE_INCOMING_MAX_AGE_MINUTES`` (work folders: older than a run may last):
  an upload still streaming in, or a ZIP being expanded, on another web server is never cut
  off. Originals a loop still names (failed or needing review, or kept by
  ``CINE_KEEP_ORIGINALS``) are never touched.

Nothing logged here holds patient data: loop ids and counts, never file names.
"""

from __future__ import annotations

import logging
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cineloops import storage
from cineloops.models import CineLoop
from cineloops.processing import TIME_LIMIT, heartbeat_cutoff
from cineloops.services import REQUEUE_BATCH, loop_requeue_locked, loops_requeue_stalled
from cineloops.signals import loops_updated
from cineloops.tasks import loop_process_task
from core.locking import lock

logger = logging.getLogger(__name__)
Status = CineLoop.Status

__all__ = ["loops_recover_dead_claims", "sweep", "uploads_delete_abandoned"]

# ``storage.new_original_name``: what a stored original is called (anything else is not ours).
ORIGINAL_NAME = re.compile(r"[0-9a-f]{32}")


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of the beat sweep; safe to run twice, or on two beats. Returns counts."""
    now = now or timezone.now()
    return {
        **loops_requeue_stalled(now=now),
        **loops_recover_dead_claims(now=now),
        "uploads_deleted": uploads_delete_abandoned(now=now),
    }


def _dead_claims(now: datetime) -> Q:
    cutoff = heartbeat_cutoff(now)
    return Q(status=Status.PROCESSING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, processing_started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, processing_started_at__isnull=True)
    )


def loops_recover_dead_claims(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again the loops whose run stopped beating; fail those recovered too often.

    Returns how many were queued again (``recovered``) and how many marked failed.
    """
    now = now or timezone.now()
    dead = _dead_claims(now)
    pks = list(
        CineLoop.objects.filter(dead).order_by("pk").values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    recovered, failed = 0, []
    for pk in pks:
        with transaction.atomic():
            # The same conditions again, under the lock: a run that beat meanwhile keeps it.
            loop = lock(CineLoop, pk, where=dead, missing_ok=True)
            if loop is None:
                continue
            if loop.recoveries >= loop_process_task.max_retries:
                _fail(loop, "worker_lost", now)
                failed.append(pk)
                continue
            loop.recoveries += 1
            try:
                loop_requeue_locked(loop=loop, also_save=["recoveries"])
            except ValidationError:
                _fail(loop, "original_missing", now)
                failed.append(pk)
                continue
            recovered += 1
            transaction.on_commit(lambda pk=pk: loops_updated.send(sender=CineLoop, pks=[pk]))
    if recovered:
        logger.warning("cine loops whose run stopped beating: %s queued again", recovered)
    if failed:
        logger.warning("cine loops whose run stopped beating: %s failed (%s)", len(failed), failed)
        loops_updated.send(sender=CineLoop, pks=failed)
    return {"recovered": recovered, "failed": len(failed)}


def _fail(loop: CineLoop, code: str, now: datetime) -> None:
    CineLoop.objects.filter(pk=loop.pk).update(
        status=Status.FAILED, error_code=code, error="", processed_at=now, updated_at=now
    )


def uploads_delete_abandoned(*, now: datetime | None = None) -> int:
    """Delete partial uploads and unclaimed originals untouched for the configured age.

    Returns how many files were deleted.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CINE_INCOMING_MAX_AGE_MINUTES)
    deleted = 0
    for path in storage.incoming_dir().iterdir():
        if path.is_file() and _untouched_since(path, cutoff.timestamp()):
            deleted += _delete(path)
    # A run lasts at most its hard time limit: a work folder older than that is a dead run's.
    dead_run = min(cutoff, now - timedelta(seconds=2 * TIME_LIMIT)).timestamp()
    for path in storage.work_dir().iterdir():
        if path.is_dir() and _untouched_since(path, dead_run):
            shutil.rmtree(path, ignore_errors=True)
            deleted += 1
    candidates = [name for name in storage.original_names() if ORIGINAL_NAME.fullmatch(name)]
    claimed = set(
        CineLoop.objects.filter(original_name__in=candidates).values_list(
            "original_name", flat=True
        )
    )
    originals = storage.originals()
    for name in candidates:
        if name not in claimed and _stored_before(originals, name, cutoff):
            originals.delete(name)
            deleted += 1
    if deleted:
        logger.warning("abandoned uploads: %s files of patient data deleted", deleted)
    return deleted


def _untouched_since(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:  # renamed into place or deleted meanwhile
        return False


def _stored_before(store: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return store.get_modified_time(name) < cutoff
    except FileNotFoundError:  # deleted meanwhile
        return False


def _delete(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1
