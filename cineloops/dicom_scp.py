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

pynetdicom runs each association in its own thread, so each handler closes that thread's
database connection when the association ends. Its DIMSE logging would print UIDs and
identifiers: it is switched off.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from pydicom.dataset import Dataset
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt
from pynetdicom.sop_class import Verification

from accounts.models import Institution
from cine.errors import CineError, UnsupportedSopClassError
from cine.reader import US_SOP_CLASSES, read_dataset_header, require_ultrasound
from cineloops import storage
from cineloops.models import CineLoop

logger = logging.getLogger(__name__)

SUCCESS = 0x0000
OUT_OF_RESOURCES = 0xA700  # Refused: Out of Resources (PS3.4 Table B.2-1)
CANNOT_UNDERSTAND = 0xC000  # Error: Cannot understand
DOES_NOT_MATCH = 0xA900  # Error: Data Set does not match SOP Class

Receiver = Callable[[Path], CineLoop]


def build_ae(ae_title: str) -> AE:
    """The application entity, with the ultrasound contexts in all transfer syntaxes."""
    _config.LOG_HANDLER_LEVEL = "none"  # the standard handlers log UIDs and identifiers
    _config.LOG_REQUEST_IDENTIFIERS = False
    _config.LOG_RESPONSE_IDENTIFIERS = False
    ae = AE(ae_title=ae_title)
    for sop_class in US_SOP_CLASSES:
        ae.add_supported_context(sop_class, ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(Verification)
    return ae


def loop_receiver(institution: Institution) -> Receiver:
    """What to do with a received file: a loop of ``institution``, processing queued."""
    from cineloops.services import loop_create_from_path

    def receive(path: Path) -> CineLoop:
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


def store_handlers(receive: Receiver, *, max_bytes: int | None = None) -> list:
    """Event handlers for ``AE.start_server``: C-STORE, and tidy-up at association end."""
    limit = settings.CINE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes

    def handle_store(event) -> int:
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
            loop = receive(path)
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

    return [
        (evt.EVT_C_STORE, handle_store),
        (evt.EVT_RELEASED, handle_end),
        (evt.EVT_ABORTED, handle_end),
    ]


def start_listener(
    *,
    ae_title: str,
    host: str,
    port: int,
    receive: Receiver,
    block: bool,
):
    """Start the SCP; with ``block=False`` returns the running server (``.shutdown()``)."""
    ae = build_ae(ae_title)
    return ae.start_server((host, port), block=block, evt_handlers=store_handlers(receive))
