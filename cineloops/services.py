"""Creating, queueing and deleting cine loops.

Every way in — the upload page, the API, ``import_dicom`` and the DICOM listener — goes through
these functions, so the size limits, the private storage and the dispatch are the same
everywhere. Keyword-only arguments; rights are checked here (views narrow their querysets too)
with ``PermissionDenied`` / ``ValidationError``. Processing itself is ``loop_process``
(``cineloops.processing``), run by ``loop_process_task`` after the row is committed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, User
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.processing import loop_process
from cineloops.signals import loops_updated
from cineloops.tasks import loop_process_task
from cineloops.uploads import dicom_refusal, too_large_message
from cineloops.zips import expand_zip, is_zip, looks_like_zip
from core.locking import lock
from core.scoping import acts_for
from training.tasks import dispatch

logger = logging.getLogger(__name__)
Source = CineLoop.Source
Status = CineLoop.Status

__all__ = [
    "Accepted",
    "Batch",
    "Rejected",
    "loop_create_from_path",
    "loop_create_from_upload",
    "loop_delete",
    "loop_enqueue",
    "loop_process",
    "loop_reprocess",
    "loop_requeue_locked",
    "loops_create_for_member",
    "loops_create_from_files",
    "loops_create_from_path",
    "loops_create_from_zip",
    "loops_owner",
    "loops_requeue_stalled",
]


@dataclass(frozen=True)
class Accepted:
    file: int  # position of the file in the request / on the command line (0-based)
    loop: CineLoop
    entry: int | None = None  # position inside a ZIP (1-based)


@dataclass(frozen=True)
class Rejected:
    file: int
    message: str
    entry: int | None = None
    code: str = ""  # e.g. "not_dicom", "too_large", "zip_entry_symlink"


@dataclass
class Batch:
    accepted: list[Accepted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def loops(self) -> list[CineLoop]:
        return [item.loop for item in self.accepted]

    def extend(self, other: Batch) -> None:
        self.accepted += other.accepted
        self.rejected += other.rejected

    def refreshed(self) -> Batch:
        """The same batch with its loops read again (processing may have moved them on)."""
        fresh = CineLoop.objects.in_bulk([item.loop.pk for item in self.accepted])
        accepted = [
            replace(item, loop=fresh[item.loop.pk])
            for item in self.accepted
            if item.loop.pk in fresh
        ]
        return Batch(accepted, list(self.rejected))


def _owner(by: User | None, institution: Institution | None) -> Institution:
    """The institution that will own new loops; ``by=None`` is the system (commands)."""
    if by is not None:
        if not getattr(by, "can_author", False):
            raise PermissionDenied(_("Only instructors can upload cine loops."))
        if institution is None:
            institution = by.institution
        elif not acts_for(by, institution.pk):
            raise PermissionDenied(_("You can only upload loops for your own institution."))
    if institution is None:
        raise ValidationError(_("Choose the institution that owns the loops."), "institution")
    return institution


def loops_owner(*, by: User | None, institution: Institution | None = None) -> Institution:
    """The institution that will own what ``by`` uploads, checked as for every upload: for a
    way in that accepts a file long before it stores it (``cineloops.resumable``)."""
    return _owner(by, institution)


def _create(
    *, institution: Institution, by: User | None, name: str, size: int, source: str
) -> CineLoop:
    try:
        with transaction.atomic():
            loop = CineLoop.objects.create(
                institution=institution,
                uploaded_by=by,
                source=source,
                original_name=name,
                original_size=size,
            )
            _enqueue_on_commit(loop.pk)
    except BaseException:
        storage.delete_original(name)  # no row points at it: do not leave patient data behind
        raise
    logger.info("cine loop %s: stored (%s bytes, %s)", loop.pk, size, source)
    return loop


def loop_enqueue(*, loop_pk: int) -> bool:
    """Queue processing for an uploaded loop; False (loop stays 'uploaded') if the broker is
    unreachable, so that it is queued again later (``loops_requeue_stalled``, run by beat)."""
    now = timezone.now()
    if CineLoop.objects.filter(pk=loop_pk, status=Status.UPLOADED).update(
        status=Status.QUEUED, updated_at=now
    ):
        loops_updated.send(sender=CineLoop, pks=[loop_pk])
    if dispatch(loop_process_task, loop_pk=loop_pk):
        return True
    if CineLoop.objects.filter(pk=loop_pk, status=Status.QUEUED).update(
        status=Status.UPLOADED, updated_at=timezone.now()
    ):
        loops_updated.send(sender=CineLoop, pks=[loop_pk])
    return False


def _enqueue_on_commit(loop_pk: int) -> None:
    # After the commit, or the worker could look for a row it cannot see yet. Not
    # ``dispatch_on_commit``: the loop's status follows the send (queued, or back to uploaded).
    transaction.on_commit(lambda: loop_enqueue(loop_pk=loop_pk), robust=True)


def loop_create_from_upload(
    *,
    uploaded_file: UploadedFile,
    by: User | None,
    institution: Institution | None = None,
    source: str = Source.UPLOAD,
) -> CineLoop:
    """Store one uploaded DICOM file privately and queue its processing.

    The client's file name is never read: it may be the patient's name. A file that does not
    start like DICOM is refused (``ValidationError``, nothing stored).
    """
    owner = _owner(by, institution)
    limit = settings.CINE_MAX_UPLOAD_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError(too_large_message(limit), "too_large")
    uploaded_file.seek(0)
    _refuse_unless_dicom(uploaded_file.read(132))
    uploaded_file.seek(0)
    temporary = getattr(uploaded_file, "temporary_file_path", None)
    if temporary is not None and Path(temporary()).parent == storage.incoming_dir():
        name, size = storage.adopt_original(Path(temporary()))  # streamed there: just rename
    else:
        try:
            name, size = storage.write_original(uploaded_file.chunks(), limit=limit)
        except storage.LimitExceeded:
            raise ValidationError(too_large_message(limit), "too_large") from None
    return _create(institution=owner, by=by, name=name, size=size, source=source)


def _refuse_unless_dicom(head: bytes) -> None:
    refusal = dicom_refusal(head)
    if refusal is not None:
        raise refusal


def loop_create_from_path(
    *,
    path: str | os.PathLike[str],
    by: User | None = None,
    institution: Institution | None = None,
    source: str = Source.IMPORT,
    move: bool = False,
) -> CineLoop:
    """Store a DICOM file from this machine's disk (copied, or moved when ``move``)."""
    owner = _owner(by, institution)
    path = Path(path)
    limit = settings.CINE_MAX_UPLOAD_BYTES
    if path.stat().st_size > limit:
        raise ValidationError(too_large_message(limit), "too_large")
    with open(path, "rb") as src:
        _refuse_unless_dicom(src.read(132))
    if move:
        name, size = storage.adopt_original(path)
    else:
        try:
            name, size = storage.write_original(storage.file_chunks(path), limit=limit)
        except storage.LimitExceeded:  # grew while we read it
            raise ValidationError(too_large_message(limit), "too_large") from None
    return _create(institution=owner, by=by, name=name, size=size, source=source)


def loops_create_from_zip(
    *,
    path: str | os.PathLike[str],
    by: User | None,
    institution: Institution | None = None,
    file_index: int = 0,
) -> Batch:
    """One loop per file in the ZIP at ``path``; refused entries are reported by position.

    Raises ``ValidationError`` when the archive as a whole is refused (nothing is stored).
    The ZIP itself is left where it is: the caller owns it.
    """
    owner = _owner(by, institution)
    batch = Batch()
    entries = expand_zip(
        Path(path),
        limit=settings.CINE_MAX_UPLOAD_BYTES,
        max_entries=settings.CINE_MAX_ZIP_MEMBERS,
        max_total=settings.CINE_MAX_ZIP_EXPANDED_BYTES,
    )
    for entry in entries:
        if entry.error:
            batch.rejected.append(Rejected(file_index, entry.error, entry.number, entry.code))
            continue
        loop = _create(
            institution=owner, by=by, name=entry.original_name, size=entry.size, source=Source.ZIP
        )
        batch.accepted.append(Accepted(file_index, loop, entry.number))
    return batch


def _zip_path(uploaded_file: UploadedFile) -> Path | None:
    """The on-disk path of an upload that is a ZIP (written to disk first if in memory)."""
    temporary = getattr(uploaded_file, "temporary_file_path", None)
    if temporary is not None:
        path = Path(temporary())
        return path if is_zip(path) else None
    uploaded_file.seek(0)
    head = uploaded_file.read(132)
    uploaded_file.seek(0)
    if not looks_like_zip(head):
        return None
    path, _size = storage.write_incoming(uploaded_file.chunks(), limit=uploaded_file.size or 0)
    return path


def loops_create_from_files(
    *,
    files: Sequence[UploadedFile],
    by: User | None,
    institution: Institution | None = None,
) -> Batch:
    """The upload page and the API: each file is a DICOM file or a ZIP of them.

    One bad file never stops the others: its problem is reported by its position.
    """
    owner = _owner(by, institution)
    batch = Batch()
    limit = settings.CINE_MAX_UPLOAD_BYTES
    for index, uploaded in enumerate(files):
        if uploaded.size is not None and uploaded.size > limit:
            batch.rejected.append(Rejected(index, too_large_message(limit), code="too_large"))
            continue
        zip_path = _zip_path(uploaded)
        try:
            if zip_path is None:
                loop = loop_create_from_upload(uploaded_file=uploaded, by=by, institution=owner)
                batch.accepted.append(Accepted(index, loop))
            else:
                batch.extend(
                    loops_create_from_zip(path=zip_path, by=by, institution=owner, file_index=index)
                )
        except ValidationError as exc:
            batch.rejected.append(Rejected(index, " ".join(exc.messages), code=_code(exc)))
        finally:
            if zip_path is not None:
                zip_path.unlink(missing_ok=True)  # the archive is patient data too
    return batch


def loops_create_for_member(*, member: User, files: Sequence[UploadedFile]) -> Batch:
    """Loops any member of an institution uploads with a record of theirs (a logbook entry, a
    consultation), through the same pipeline.

    The upload page is for instructors only (``_owner``); here the pipeline runs on the
    system's behalf (``by=None``) for the member's own institution, and the loops are then
    marked as the member's uploads. The caller attaches them to the member's record, through
    which the member sees them once processed cleanly.
    """
    if not member.institution_id:
        raise PermissionDenied(_("Only members of an institution can upload loops."))
    batch = loops_create_from_files(files=files, by=None, institution=member.institution)
    if batch.accepted:
        CineLoop.objects.filter(pk__in=[loop.pk for loop in batch.loops]).update(uploaded_by=member)
    return batch


def _code(exc: ValidationError) -> str:
    return str(getattr(exc, "code", "") or "")


def loops_create_from_path(
    *,
    path: str | os.PathLike[str],
    by: User | None = None,
    institution: Institution | None = None,
    file_index: int = 0,
) -> Batch:
    """``import_dicom``: one file on disk, DICOM or ZIP (the file itself is left in place)."""
    path = Path(path)
    try:
        if is_zip(path):
            return loops_create_from_zip(
                path=path, by=by, institution=institution, file_index=file_index
            )
        loop = loop_create_from_path(path=path, by=by, institution=institution)
    except ValidationError as exc:
        return Batch(rejected=[Rejected(file_index, " ".join(exc.messages), code=_code(exc))])
    return Batch(accepted=[Accepted(file_index, loop)])


def loop_delete(*, loop: CineLoop, by: User) -> None:
    """Delete a loop with its original and every derived file."""
    if not loop.is_editable_by(by):
        raise PermissionDenied(_("You cannot delete this loop."))
    pk, original = loop.pk, loop.original_name
    with transaction.atomic():
        loop.delete()
        transaction.on_commit(lambda: _delete_files(pk, original))


def _delete_files(pk: int, original: str) -> None:
    storage.delete_original(original)
    storage.delete_outputs(pk)


ORIGINAL_GONE = gettext_lazy(
    "The original file is no longer stored, so this loop cannot be processed again; "
    "upload the file again instead."
)


def loop_reprocess(*, loop: CineLoop, by: User) -> CineLoop:
    """Queue a failed or needs-review loop for processing again, from its stored original.

    Refused (``ValidationError``) when the original is gone: a failed loop keeps it, but it is
    deleted once a loop is de-identified, unless ``CINE_KEEP_ORIGINALS``. The outputs of the
    earlier run stay in place (not served: the loop is not done) until the new run replaces
    them.
    """
    if not loop.is_editable_by(by):
        raise PermissionDenied(_("You cannot process this loop again."))
    with transaction.atomic():
        # Locked: the claim of a duplicate message waits (LoopBusy, retried) until this commits.
        locked = lock(loop)
        if locked.status not in CineLoop.REPROCESSABLE:
            raise ValidationError(
                _("Only a loop that failed or needs review can be processed again."),
                "not_reprocessable",
            )
        locked.recoveries = 0  # an instructor's request starts the count of recoveries afresh
        loop_requeue_locked(loop=locked, also_save=["recoveries"])
    logger.info("cine loop %s: to be processed again (user %s)", locked.pk, by.pk)
    return locked


def loop_requeue_locked(*, loop: CineLoop, also_save: Sequence[str] = ()) -> None:
    """Reset a row locked by the caller's transaction to 'uploaded' and queue it on commit.

    ``also_save``: further fields the caller changed. Raises ``ValidationError`` when the
    original is gone (nothing to process).
    """
    if not storage.original_exists(loop.original_name):
        raise ValidationError(ORIGINAL_GONE, "original_missing")
    loop.status = Status.UPLOADED
    loop.progress = 0
    loop.error_code = loop.error = ""
    loop.task_id = ""
    loop.processing_started_at = loop.heartbeat_at = loop.processed_at = None
    loop.save(
        update_fields=[
            "status",
            "progress",
            "error_code",
            "error",
            "task_id",
            "processing_started_at",
            "heartbeat_at",
            "processed_at",
            "updated_at",
            *also_save,
        ]
    )
    _enqueue_on_commit(loop.pk)


# At most this many loops are queued again per sweep; the next sweep takes the rest.
REQUEUE_BATCH = 500


def loops_requeue_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again the loops left ``uploaded`` / ``queued`` and untouched for
    ``CINE_STALLED_AFTER_MINUTES``: the broker was down when they were queued, or their
    message was lost. A duplicate of a message still waiting is harmless (processing is
    idempotent); they are touched, so the next sweep leaves them alone for as long again.
    Part of the beat sweep (``cineloops.recovery.sweep``), which also recovers dead claims.

    Returns how many loops were queued again.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CINE_STALLED_AFTER_MINUTES)
    waiting = (Status.UPLOADED, Status.QUEUED)
    stalled = list(
        CineLoop.objects.filter(status__in=waiting, updated_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    requeued = 0
    for pk in stalled:
        touched = CineLoop.objects.filter(pk=pk, status__in=waiting, updated_at__lt=cutoff)
        if not touched.update(updated_at=now):
            continue  # picked up meanwhile
        if not loop_enqueue(loop_pk=pk):
            break  # the broker is down: the next sweep tries again
        requeued += 1
    if requeued:
        logger.warning("stalled cine loops: %s queued again", requeued)
    return {"requeued": requeued}
