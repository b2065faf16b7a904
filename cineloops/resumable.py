"""Resumable uploads: a file sent in parts that survives a dropped link or a closed laptop.

The protocol is tus 1.0 (core, creation, expiration, checksum, termination; tus.io), served
by ``cineloops.api.uploads`` and used in the browser through the vendored ``tus-js-client``;
any tus client (``tuspy`` for scripts) works too. A client creates an upload with the file's
length, sends parts with ``PATCH`` at the offset the server has (``HEAD`` tells it after a
break), each part optionally with a checksum; the last part completes it.

Why tus, and why our own server side: tus is a published protocol with maintained clients
(``tus-js-client`` 4.x for browsers: retries with backoff, remembering uploads across page
reloads), so our API is documented by a standard rather than by us alone. No Python server
library fits. ``drf-tus`` (2.0.3, January 2026) appends every part to one temporary file on
the web host's own disk, so with several web hosts behind a load balancer the parts of one
upload land on different machines; it also pins ``django-fsm`` 2.8.1, an archived project.
``django-tus`` was last released in October 2020. ``tuspyserver`` and ``asgi-tus`` serve
FastAPI and Starlette, not Django. The subset we serve is small, and here it is built on what
this app already has: the storage API, row locks and the upload service.

How: the upload is a ``ResumableUpload`` row (offset, length, owner, expiry); each part
received is streamed to this host's private ``incoming/`` folder (never whole in memory),
checked against its checksum, then stored through the storage API as its own file under
``partial/<upload id>/`` of the originals' storage (a folder, or the S3 bucket) and recorded
as an ``UploadPart`` row under the upload's row lock — so any web host may receive any part,
and a part is appended once or not at all. The part that completes the file queues the join
(``cineloops.upload_finish``, light queue: a copy, seconds for a usual file, and never inside a
web request that a proxy or gunicorn's timeout would cut): the parts are streamed in order
into one private file and handed to ``cineloops.services.loops_create_from_files``, the path
of every other upload (same checks, same ZIP expansion, same limits), inside the row's
transaction, so that a join cut off half-way leaves no loop behind and a second attempt makes
them once. The limits apply to the whole file: a declared length above
``CINE_MAX_UPLOAD_BYTES`` is refused at creation and no part may pass the declared length.
The first part is checked like the start of any upload, so a file that is neither DICOM nor a
ZIP is refused before the rest of it is sent.

Parts are patient data: an upload untouched for ``CINE_PARTIAL_UPLOAD_HOURS`` (every part
received pushes its expiry back) is deleted with its parts by ``uploads_delete_expired``, run
by beat on the light queue; so is the record of a complete one, which holds only loop ids. The
same sweep queues again a join whose message was lost (the broker was down).

Public functions: ``upload_create``, ``upload_check_open``, ``upload_append``,
``upload_finish``, ``upload_discard``, ``upload_batch``, ``uploads_delete_expired``;
``UploadRefused`` says why a request is refused.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from cineloops import services, storage
from cineloops.models import CineLoop, ResumableUpload, UploadPart
from cineloops.tasks import upload_finish_task
from cineloops.uploads import PrivateUploadedFile, dicom_refusal, too_large_message
from cineloops.zips import looks_like_zip
from core.locking import is_lock_conflict, lock
from training.tasks import dispatch, dispatch_on_commit

logger = logging.getLogger(__name__)
Status = ResumableUpload.Status

__all__ = [
    "CHECKSUMS",
    "UploadRefused",
    "upload_append",
    "upload_batch",
    "upload_check_open",
    "upload_create",
    "upload_discard",
    "upload_finish",
    "uploads_delete_expired",
]

# tus checksum extension: the algorithms a part's ``Upload-Checksum`` may use (sha1 required).
CHECKSUMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "md5": hashlib.md5,
}
# The upload page sends parts of this size: a part cut off on a 256 kbit/s uplink costs about
# a minute, and a 2 GB file takes about a thousand requests.
BROWSER_PART_BYTES = 2 * 1024**2
# Unfinished uploads one person may have at once: each may hold up to the size limit.
MAX_OPEN_UPLOADS = 20
# A join not done after this long lost its message (the broker was down): the sweep queues it
# again (one still running keeps its row lock, and the second attempt returns at once).
JOIN_STALLED_AFTER = timedelta(minutes=10)
# Rows the sweep handles per pass; the next pass takes the rest.
SWEEP_BATCH = 500


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class UploadRefused(Exception):
    """A request the upload refuses: ``code`` for programs (the API maps it to a status),
    ``message`` for people, and ``offset``, the server's, when the client must learn it."""

    def __init__(self, code: str, message: str, *, offset: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.offset = offset


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=settings.CINE_PARTIAL_UPLOAD_HOURS)


def upload_create(
    *,
    by: User,
    length: int,
    institution: Institution | None = None,
    now: datetime | None = None,
) -> ResumableUpload:
    """Open an upload of ``length`` bytes for ``by`` (checked as every upload is:
    ``PermissionDenied``, ``ValidationError``); refused (``UploadRefused``) when the file is
    empty or larger than the limit, or when ``by`` has too many unfinished uploads."""
    owner = services.loops_owner(by=by, institution=institution)
    limit = settings.CINE_MAX_UPLOAD_BYTES
    if length > limit:
        raise UploadRefused("too_large", too_large_message(limit))
    if length <= 0:
        raise UploadRefused("empty_file", _("The file is empty."))
    open_uploads = ResumableUpload.objects.filter(created_by=by).exclude(status=Status.COMPLETE)
    if open_uploads.count() >= MAX_OPEN_UPLOADS:
        raise UploadRefused(
            "too_many_uploads",
            _(
                "You have %(count)s unfinished uploads: finish them, or wait until they "
                "expire, before starting another."
            )
            % {"count": MAX_OPEN_UPLOADS},
        )
    now = now or timezone.now()
    upload = ResumableUpload.objects.create(
        created_by=by, institution=owner, length=length, expires_at=_expiry(now)
    )
    logger.info("resumable upload %s: opened (%s bytes)", upload.pk, length)
    return upload


def upload_check_open(upload: ResumableUpload, *, now: datetime | None = None) -> None:
    """Raise ``UploadRefused`` unless the upload still takes parts (complete, or expired)."""
    now = now or timezone.now()
    if upload.status != Status.RECEIVING:
        raise UploadRefused(
            "upload_complete",
            _("This upload is already complete: it takes no more data."),
            offset=upload.offset,
        )
    if upload.expires_at <= now:
        raise UploadRefused("expired", _("This upload has expired: upload the file again."))


def _offset_conflict(offset: int) -> UploadRefused:
    return UploadRefused(
        "offset_mismatch",
        _("The part does not start where the upload stands (byte %(offset)s).")
        % {"offset": offset},
        offset=offset,
    )


def _beyond_length() -> UploadRefused:
    return UploadRefused(
        "beyond_length", _("The part goes past the length declared for the upload.")
    )


def _body_chunks(body: Readable, hasher) -> Iterator[bytes]:
    while True:
        try:
            chunk = body.read(storage.CHUNK)
        except OSError:  # the client went away (Django: UnreadablePostError)
            return
        if not chunk:
            return
        if hasher is not None:
            hasher.update(chunk)
        yield chunk


def _first_part_refusal(path: Path, size: int, length: int) -> ValidationError | None:
    """Why a file starting like this part is refused, when the part shows enough to tell."""
    if size < min(132, length):
        return None
    with open(path, "rb") as src:
        head = src.read(132)
    return None if looks_like_zip(head) else dicom_refusal(head)


def upload_append(
    *,
    upload: ResumableUpload,
    offset: int,
    body: Readable,
    declared: int | None = None,
    checksum: tuple[str, bytes] | None = None,
    now: datetime | None = None,
) -> ResumableUpload:
    """Append the part read from ``body`` at ``offset``; returns the upload as it now stands
    (``assembling`` when this was the last part: its join is queued).

    ``declared``: the part's length as the request announced it (refused at once when it
    goes past the upload's length). ``checksum``: (algorithm, digest) the part must match,
    else nothing is appended. Without a checksum, a part cut off by the client is kept as far
    as it arrived (tus: the client then asks where to resume); with one, it is dropped.
    Raises ``UploadRefused``.
    """
    now = now or timezone.now()
    upload_check_open(upload, now=now)
    if offset != upload.offset:
        raise _offset_conflict(upload.offset)
    remaining = upload.length - upload.offset
    if declared is not None and declared > remaining:
        raise _beyond_length()
    hasher = CHECKSUMS[checksum[0]]() if checksum else None
    try:
        path, size = storage.write_incoming(_body_chunks(body, hasher), limit=remaining)
    except storage.LimitExceeded:
        raise _beyond_length() from None
    try:
        cut_short = declared is not None and size != declared
        if (
            hasher is not None
            and checksum is not None
            and (cut_short or hasher.digest() != checksum[1])
        ):
            raise UploadRefused(
                "checksum_mismatch",
                _("The part does not match its checksum: it was not kept. Send it again."),
            )
        if size == 0:
            path.unlink()
            return upload
        if offset == 0:
            refusal = _first_part_refusal(path, size, upload.length)
            if refusal is not None:
                upload_discard(upload=upload)
                raise UploadRefused(refusal.code or "refused", " ".join(refusal.messages))
        name = storage.store_partial(str(upload.pk), offset, path)
    finally:
        path.unlink(missing_ok=True)  # stored (moved or copied) or refused: not kept here
    return _record_part(upload.pk, offset, size, name, now)


def _record_part(
    pk: uuid.UUID, offset: int, size: int, name: str, now: datetime
) -> ResumableUpload:
    """Count a stored part in, under the row lock; a part that lost a race (the offset moved,
    the upload was completed, expired or cancelled meanwhile) is deleted instead."""
    with transaction.atomic():
        locked = lock(ResumableUpload, pk, missing_ok=True)
        try:
            if locked is None:
                raise UploadRefused("not_found", _("This upload no longer exists."))
            upload_check_open(locked, now=now)
            if locked.offset != offset:
                raise _offset_conflict(locked.offset)
        except UploadRefused:
            storage.originals().delete(name)
            raise
        UploadPart.objects.create(upload=locked, offset=offset, size=size, name=name)
        locked.offset += size
        locked.expires_at = _expiry(now)
        if locked.offset == locked.length:
            locked.status = Status.ASSEMBLING
            dispatch_on_commit(upload_finish_task, upload_pk=str(pk))
            logger.info("resumable upload %s: all %s bytes received", pk, locked.length)
        locked.save(update_fields=["offset", "expires_at", "status", "updated_at"])
    return locked


def upload_finish(*, upload_pk: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Join a fully received upload's parts and make its loops, once (``upload_finish_task``).

    The row stays locked until the loops are created and the result saved, in one
    transaction: an attempt cut off leaves no loop, and a duplicate message meanwhile returns
    at once. Returns whether this call did the join.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            locked = lock(
                ResumableUpload,
                upload_pk,
                where=Q(status=Status.ASSEMBLING),
                nowait=True,
                missing_ok=True,
            )
        except OperationalError as exc:
            if is_lock_conflict(exc):
                return False  # being joined by another request right now
            raise
        if locked is None:
            return False
        parts = list(locked.parts.order_by("offset"))
        batch = _make_loops(locked, parts)
        locked.status = Status.COMPLETE
        locked.result = _result(batch)
        locked.expires_at = _expiry(now)  # the result stays readable as long
        locked.save(update_fields=["status", "result", "expires_at", "updated_at"])
        locked.parts.all().delete()
        transaction.on_commit(lambda: storage.delete_partial(str(upload_pk)))
    logger.info(
        "resumable upload %s: complete, loops %s, %s refused",
        upload_pk,
        [item["loop"] for item in locked.result["accepted"]],
        len(locked.result["rejected"]),
    )
    return True


def _make_loops(upload: ResumableUpload, parts: list[UploadPart]) -> services.Batch:
    expected = 0
    for part in parts:
        if part.offset != expected:  # never happens: parts are recorded under the lock
            raise RuntimeError(f"upload {upload.pk}: a gap in its parts at byte {expected}")
        expected += part.size
    if expected != upload.length:
        raise RuntimeError(f"upload {upload.pk}: {expected} of {upload.length} bytes stored")
    # In this host's private incoming/ folder, named "upload": what the services would get
    # from a form post (the client's file name is never sent).
    joined = PrivateUploadedFile("upload", "application/octet-stream", 0, None)
    try:
        for chunk in storage.partial_chunks(part.name for part in parts):
            joined.write(chunk)
        joined.size = expected
        joined.seek(0)
        try:
            return services.loops_create_from_files(
                files=[joined], by=upload.created_by, institution=upload.institution
            )
        except (PermissionDenied, ValidationError) as exc:  # the uploader lost the right
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            code = getattr(exc, "code", "") or "permission_denied"
            return services.Batch(rejected=[services.Rejected(0, " ".join(messages), code=code)])
    finally:
        joined.close()  # deleted, unless a service moved it into place


def _result(batch: services.Batch) -> dict:
    return {
        "accepted": [
            {"file": item.file, "entry": item.entry, "loop": item.loop.pk}
            for item in batch.accepted
        ],
        "rejected": [
            {"file": item.file, "entry": item.entry, "error": item.message, "code": item.code}
            for item in batch.rejected
        ],
    }


def upload_batch(upload: ResumableUpload) -> services.Batch:
    """What a complete upload became, as the other uploads report it (loops read afresh;
    a loop deleted since is left out)."""
    accepted = upload.result.get("accepted", [])
    loops = CineLoop.objects.in_bulk([item["loop"] for item in accepted])
    return services.Batch(
        accepted=[
            services.Accepted(item["file"], loops[item["loop"]], item["entry"])
            for item in accepted
            if item["loop"] in loops
        ],
        rejected=[
            services.Rejected(item["file"], item["error"], item["entry"], item["code"])
            for item in upload.result.get("rejected", [])
        ],
    )


def upload_discard(*, upload: ResumableUpload) -> None:
    """Delete an upload and its parts (cancelled by its owner, or refused). Refused
    (``UploadRefused``) while its parts are being joined."""
    with transaction.atomic():
        locked = lock(ResumableUpload, upload.pk, missing_ok=True)
        if locked is None:
            return
        if locked.status == Status.ASSEMBLING:
            raise UploadRefused(
                "upload_complete",
                _("This upload is complete and its file is being processed."),
                offset=locked.offset,
            )
        _delete_locked(locked)
    logger.info("resumable upload %s: deleted", upload.pk)


def _delete_locked(upload: ResumableUpload) -> None:
    pk = str(upload.pk)
    upload.delete()
    transaction.on_commit(lambda: storage.delete_partial(pk))


def uploads_delete_expired(*, now: datetime | None = None) -> dict[str, int]:
    """The sweep of resumable uploads, run by beat; safe to run twice, or on two hosts.

    Deletes every upload past its expiry with its parts (``expired``: those not complete,
    i.e. patient data), queues again the joins whose message was lost (``requeued``), deletes
    stored parts no upload row owns any more (``orphans``: a host stopped between storing a
    part and recording it, or a user was deleted). Returns those counts.
    """
    now = now or timezone.now()
    expired = requeued = orphans = 0
    for pk in ResumableUpload.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[
        :SWEEP_BATCH
    ]:
        with transaction.atomic():
            # skip_locked: one being joined right now is left for the next pass.
            locked = lock(
                ResumableUpload,
                pk,
                where=Q(expires_at__lte=now),
                skip_locked=True,
                missing_ok=True,
            )
            if locked is None:
                continue
            expired += locked.status != Status.COMPLETE
            locked.delete()
        storage.delete_partial(str(pk))  # the row is gone for good: its parts go now
    waiting = Q(status=Status.ASSEMBLING, updated_at__lt=now - JOIN_STALLED_AFTER)
    for pk in ResumableUpload.objects.filter(waiting).values_list("pk", flat=True)[:SWEEP_BATCH]:
        # Touched, so that the next pass leaves it alone for as long again.
        if ResumableUpload.objects.filter(waiting, pk=pk).update(updated_at=now):
            if not dispatch(upload_finish_task, upload_pk=str(pk)):
                break  # the broker is down: the next pass tries again
            requeued += 1
    stored = set()
    for name in storage.partial_upload_ids():
        try:
            stored.add(uuid.UUID(name))
        except ValueError:
            continue  # not a name of ours
    known = set(ResumableUpload.objects.filter(pk__in=stored).values_list("pk", flat=True))
    for pk in stored - known:
        storage.delete_partial(str(pk))
        orphans += 1
    if expired or orphans:
        logger.warning(
            "resumable uploads: %s expired unfinished, %s orphaned part folders deleted",
            expired,
            orphans,
        )
    return {"expired": expired, "requeued": requeued, "orphans": orphans}
