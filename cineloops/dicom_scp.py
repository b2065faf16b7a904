"""DICOM Storage SCP: scanners and PACS push ultrasound cines here with C-STORE.

Accepts the ultrasound storage SOP classes, current and retired, in every transfer syntax
pynetdicom knows (``AllStoragePresentationContexts`` alone offers only uncompressed ones, and
scanners send JPEG), plus Verification (C-ECHO) so a modality can test the link. Each dataset
is written as received, as a Part-10 file with its file meta (``event.encoded_dataset()``,
never decoded here), handed to the same service as uploads, and answered 0x0000 at once:
processing is queued, not done in the association.

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
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt
from pynetdicom.sop_class import Verification

from accounts.models import Institution
from cine.reader import US_SOP_CLASSES
from cineloops import storage
from cineloops.models import CineLoop

logger = logging.getLogger(__name__)

SUCCESS = 0x0000
OUT_OF_RESOURCES = 0xA700  # Refused: Out of Resources (PS3.4 Table B.2-1)
CANNOT_UNDERSTAND = 0xC000  # Error: Cannot understand

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
