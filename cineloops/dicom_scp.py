"""DICOM Storage SCP: scanners and PACS push ultrasound cines here with C-STORE.

Accepts the ultrasound storage SOP classes, current and retired, in every transfer syntax
pynetdicom knows (``AllStoragePresentationContexts`` alone offers only uncompressed ones, and
scanners send JPEG), plus Verification (C-ECHO) so a modality can test the link. Each dataset
is written as received, as a Part-10 file with its file meta (``event.encoded_dataset()``),
its header (never its pixel data) checked, handed to the same service as uploads, and answered
0x0000 at once: processing is queued, not done in the association. A dataset that cannot be
parsed is answered 0xC000 (cannot understand), one that is not the ultrasound image its
presentation context says 0xA900 (does not match SOP class), each with an Error Comment
saying why; nothing of it is kept.

Only registered senders may associate (``cineloops.models.DicomSender``, edited in the admin):
a calling AE title not registered — or registered for another address — is refused at
association with A-ASSOCIATE-RJ rejected-permanent, service-user, "calling AE title not
recognised" (PS3.8 9.3.4), and the refusal is logged with the AE title and address only.
What a sender stores becomes loops of its institution. The list is read for each association,
so a sender added or switched off in the admin counts from its next association.

pynetdicom runs each association in its own thread, so each handler closes that thread's
database connection when the association ends. Its DIMSE logging would print UIDs and
identifiers: it is switched off.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt
from pynetdicom.service_class import ServiceClass, StorageServiceClass
from pynetdicom.sop_class import Verification, register_uid, uid_to_service_class

from accounts.models import Institution
from cine.dataset_checks import US_SOP_CLASSES, read_dataset_header, require_ultrasound
from cine.errors import CineError, UnsupportedSopClassError
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.selectors import allowed_calling_ae_titles, dicom_sender_for

logger = logging.getLogger(__name__)

SUCCESS = 0x0000
OUT_OF_RESOURCES = 0xA700  # Refused: Out of Resources (PS3.4 Table B.2-1)
CANNOT_UNDERSTAND = 0xC000  # Error: Cannot understand
NOT_AUTHORIZED = 0x0124  # Refused: Not authorized (PS3.7 Table C-1)
DOES_NOT_MATCH = 0xA900  # Error: Data Set does not match SOP Class

# No AE title is this (a backslash is not allowed in one): what pynetdicom is given as the
# allow-list when nobody may call, since an empty list would let everybody in.
NOBODY = "\\"
# The retired ultrasound classes, unknown to pynetdicom as storage classes: without this their
# C-STOREs reach no handler and the association is aborted.
RETIRED_US_KEYWORDS = {
    "1.2.840.10008.5.1.4.1.1.3": "UltrasoundMultiFrameImageStorageRetired",
    "1.2.840.10008.5.1.4.1.1.6": "UltrasoundImageStorageRetired",
}

# Received files go to the institution of the sender; returns the new loop.
Receiver = Callable[[Path, Institution], CineLoop]


class AllowListAE(AE):
    """An AE whose calling-AE-title allow-list is read for each association, for the peer's
    address: pynetdicom checks it while negotiating, in the association's own thread."""

    def __init__(self, ae_title: str, institution_id: int | None = None) -> None:
        super().__init__(ae_title=ae_title)
        self.institution_id = institution_id

    @property
    def require_calling_aet(self) -> list[str]:
        requestor = getattr(threading.current_thread(), "requestor", None)
        address = getattr(requestor, "address", None)
        if not address:
            return [NOBODY]
        try:
            allowed = allowed_calling_ae_titles(address=address, institution_id=self.institution_id)
        finally:
            close_old_connections()
        return allowed or [NOBODY]


def _register_retired_classes() -> None:
    for uid, keyword in RETIRED_US_KEYWORDS.items():
        if uid_to_service_class(uid) is ServiceClass:
            register_uid(uid, keyword, StorageServiceClass)


def build_ae(ae_title: str, institution_id: int | None = None) -> AE:
    """The application entity, with the ultrasound contexts in all transfer syntaxes, open to
    the registered senders (of ``institution_id`` only, when given)."""
    _config.LOG_HANDLER_LEVEL = "none"  # the standard handlers log UIDs and identifiers
    _config.LOG_REQUEST_IDENTIFIERS = False
    _config.LOG_RESPONSE_IDENTIFIERS = False
    _register_retired_classes()
    ae = AllowListAE(ae_title, institution_id)
    for sop_class in US_SOP_CLASSES:
        ae.add_supported_context(sop_class, ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(Verification)
    return ae


def loop_receiver() -> Receiver:
    """What to do with a received file: a loop of the sender's institution, processing queued."""
    from cineloops.services import loop_create_from_path

    def receive(path: Path, institution: Institution) -> CineLoop:
        return loop_create_from_path(
            path=path,
            institution=institution,
            source=CineLoop.Source.DICOM_NETWORK,
            move=True,
        )

    return receive


def _failure(status: int, reason: str) -> Dataset:
    answer = Dataset()
    answer.Status = status
    answer.ErrorComment = reason[:64]  # LO: 64 characters; never a header value
    return answer


def dataset_refusal(path: Path, sop_class: str) -> Dataset | None:
    """The C-STORE failure answer for the received file at ``path``, or None to accept it."""
    try:
        header = read_dataset_header(path)
        require_ultrasound(header)
    except UnsupportedSopClassError as exc:
        return _failure(DOES_NOT_MATCH, str(exc))
    except CineError as exc:
        return _failure(CANNOT_UNDERSTAND, str(exc))
    declared = str(header.get("SOPClassUID", "") or "").strip().rstrip("\x00")
    if not declared:
        return _failure(CANNOT_UNDERSTAND, "the dataset has no SOP Class UID")
    if declared != sop_class:
        return _failure(DOES_NOT_MATCH, "the SOP Class UID differs from the context's")
    return None


def store_handlers(
    receive: Receiver, *, max_bytes: int | None = None, institution_id: int | None = None
) -> list:
    """Event handlers for ``AE.start_server``: C-STORE, refusals, tidy-up at association end."""
    limit = settings.CINE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes

    def handle_store(event) -> int:
        requestor = event.assoc.requestor
        close_old_connections()
        sender = dicom_sender_for(
            ae_title=requestor.ae_title, address=requestor.address, institution_id=institution_id
        )
        if sender is None:  # switched off since the association began
            logger.warning("C-STORE: refused, %r is not a registered sender", requestor.ae_title)
            return NOT_AUTHORIZED
        try:
            data = event.encoded_dataset()
        except Exception:  # malformed request: a status, never a traceback with its data
            logger.warning("C-STORE: a request could not be read")
            return CANNOT_UNDERSTAND
        if len(data) > limit:
            logger.warning("C-STORE: refused a dataset of %s bytes (limit %s)", len(data), limit)
            return OUT_OF_RESOURCES
        path = storage.incoming_dir() / f".scp-{storage.new_original_name()}"
        close_old_connections()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            refusal = dataset_refusal(path, str(event.context.abstract_syntax))
            if refusal is not None:
                path.unlink(missing_ok=True)
                logger.warning("C-STORE: refused a dataset (0x%04X)", refusal.Status)
                return refusal
            loop = receive(path, sender.institution)
        except Exception as exc:
            path.unlink(missing_ok=True)
            logger.error("C-STORE: could not store a dataset (%s)", type(exc).__name__)
            return OUT_OF_RESOURCES
        finally:
            close_old_connections()
        logger.info("C-STORE: received loop %s (%s bytes)", loop.pk, len(data))
        return SUCCESS

    def handle_end(event) -> None:
        connection.close()  # the association's thread (where C-STORE ran) is ending

    def handle_rejected(event) -> None:
        requestor = event.assoc.requestor
        logger.warning(
            "DICOM association refused: calling AE title %r from %s is not a registered sender",
            requestor.ae_title,
            requestor.address,
        )
        connection.close()

    return [
        (evt.EVT_C_STORE, handle_store),
        (evt.EVT_RELEASED, handle_end),
        (evt.EVT_ABORTED, handle_end),
        (evt.EVT_REJECTED, handle_rejected),
    ]


def start_listener(
    *,
    ae_title: str,
    bind: str,
    port: int,
    receive: Receiver,
    block: bool,
    institution_id: int | None = None,
):
    """Start the SCP on ``bind``:``port``; with ``block=False`` returns the running server
    (``.shutdown()``). ``institution_id``: accept only that institution's senders."""
    ae = build_ae(ae_title, institution_id)
    handlers = store_handlers(receive, institution_id=institution_id)
    return ae.start_server((bind, port), block=block, evt_handlers=handlers)
