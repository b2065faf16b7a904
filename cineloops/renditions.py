"""Lower renditions for loops processed before renditions existed (``manage.py make_renditions``).

New runs make their renditions in the decode pass (``cine.pipeline``). For an older loop, its
de-identified DICOM (the cleaned frames, lossless unless ``CINE_DICOM_LOSSY``) goes through the
same cine code (``cine.renditions.renditions_from_dicom``) at the timestamps of its full video,
on the cine queue. The files are stored in the loop's current run folder under names of this
attempt's own (``video-low-<token>.mp4``), then recorded on the row (``CineLoop.renditions``)
under a row lock, only while that run is still the loop's and nothing recorded renditions
first; otherwise the attempt deletes what it stored. Safe to run twice: a loop with renditions
is left alone. The run's ``metadata.json`` stays as processed (stored outputs never change).

Public functions:
    loops_without_renditions() -> QuerySet[CineLoop]
    renditions_queue(*, loop_pks=None) -> list[int]
    loop_make_renditions(*, loop_pk) -> str
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Sequence
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet

from cine.dataset_checks import quiet_pydicom
from cine.errors import CineError
from cine.facts import RenditionFacts
from cine.renditions import kbps, renditions_from_dicom
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.playback import rendition_entries
from cineloops.selectors import loop_facts
from cineloops.tasks import loop_make_renditions_task
from core.locking import lock
from training.tasks import dispatch

logger = logging.getLogger(__name__)
Status = CineLoop.Status


def loops_without_renditions() -> QuerySet[CineLoop]:
    """Processed loops with a video and a de-identified DICOM whose renditions were never made
    (a run of this release records at least the full video's entry)."""
    return (
        CineLoop.objects.filter(status__in=[Status.READY, Status.NEEDS_REVIEW], renditions=[])
        .exclude(video_file="")
        .exclude(dicom_file="")
        .exclude(output_run="")
        .order_by("pk")
    )


def renditions_queue(*, loop_pks: Sequence[int] | None = None) -> list[int]:
    """Queue the making of renditions for those loops (only ``loop_pks`` when given); the ids
    sent. Stops at the first send the broker refuses: the rest would fail alike."""
    loops = loops_without_renditions()
    if loop_pks is not None:
        loops = loops.filter(pk__in=list(loop_pks))
    sent = []
    for pk in loops.values_list("pk", flat=True):
        if not dispatch(loop_make_renditions_task, loop_pk=pk):
            break
        sent.append(pk)
    return sent


def _why_not(loop: CineLoop | None) -> str:
    if loop is None:
        return "no such loop"
    if not loop.has_outputs or not loop.output_run:
        return f"not processed ({loop.status})"
    if loop.renditions:
        return "renditions made already"
    if not loop.video_file or not loop.dicom_file:
        return "no video or no de-identified DICOM"
    return ""


def loop_make_renditions(*, loop_pk: int) -> str:
    """Make and record the renditions of one loop; what happened ('made: medium, low',
    'skipped: …', 'failed: …')."""
    loop = CineLoop.objects.filter(pk=loop_pk).first()
    facts = loop_facts(loop) if loop is not None and not _why_not(loop) else None
    if loop is None or facts is None or facts.video is None:
        why = _why_not(loop) or "metadata unreadable"
        logger.info("cine loop %s: no renditions made (%s)", loop_pk, why)
        return f"skipped: {why}"
    run, stored = loop.output_run, []
    try:
        with storage.work_folder() as work:
            made, size = _make(loop, work)
            token = secrets.token_hex(4)
            renamed: list[RenditionFacts] = []
            for rendition in made:
                name = f"{Path(rendition.file).stem}-{token}.mp4"
                stored.append(storage.store_output(loop.pk, run, work / rendition.file, name))
                renamed.append(dataclasses.replace(rendition, file=Path(stored[-1]).name))
    except FileNotFoundError:  # the run was replaced meanwhile, or a file went missing
        _delete(stored)
        return "skipped: outputs missing"
    except CineError as exc:
        _delete(stored)
        logger.warning("cine loop %s: renditions failed (%s)", loop_pk, exc)
        return f"failed: {exc}"
    except BaseException:
        _delete(stored)
        raise
    video = dataclasses.replace(
        facts.video,
        bytes=size,
        kbps=kbps(size, facts.timing.duration_s or 0.0),
        renditions=tuple(renamed),
    )
    if not _record(loop.pk, run, rendition_entries(video)):
        _delete(stored)
        return "skipped: processed again meanwhile"
    names = ", ".join(r.name for r in renamed) or "none worth having"
    logger.info("cine loop %s: renditions made (%s)", loop_pk, names)
    return f"made: {names}"


def _make(loop: CineLoop, work: Path) -> tuple[list[RenditionFacts], int]:
    """The renditions written into ``work`` from the stored outputs, and the video's size."""
    store = storage.media()
    dicom = storage.local_copy(store, _stored(loop, "dicom"), work / "deidentified.dcm")
    video = storage.local_copy(store, _stored(loop, "video"), work / "video.mp4")
    with quiet_pydicom():  # pydicom's warnings quote header values
        made = renditions_from_dicom(dicom, video, work)
    return made, video.stat().st_size


def _stored(loop: CineLoop, kind: str) -> str:
    name = loop.output_name(kind)
    if name is None:
        raise FileNotFoundError(kind)
    return name


def _record(pk: int, run: str, entries: list[dict]) -> bool:
    with transaction.atomic():
        loop = lock(CineLoop, pk, missing_ok=True)
        if loop is None or _why_not(loop) or loop.output_run != run:
            return False
        loop.renditions = entries
        loop.save(update_fields=["renditions", "updated_at"])
    return True


def _delete(names: list[str]) -> None:
    for name in names:
        storage.media().delete(name)
