"""Reads about cine loops that the pages need beyond the row itself, and the DICOM senders."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q

from cine.facts import LoopFacts, ThumbnailFacts, load
from cineloops.models import CineLoop, DicomSender


def loop_facts(loop: CineLoop) -> LoopFacts | None:
    """What processing found and wrote (``cine.facts``, read from the loop's metadata.json);
    None when the loop has no outputs or the file cannot be read.

    A finished loop's outputs change only when it is processed again, which changes its
    ``processed_at``: the parsed file is cached per process, keyed by both."""
    if not loop.has_outputs or not loop.metadata_file:
        return None
    path = loop.file_path("metadata")
    if path is None:
        return None
    return _read_facts(str(path), loop.processed_at.isoformat() if loop.processed_at else "")


@lru_cache(maxsize=256)
def _read_facts(path: str, stamp: str) -> LoopFacts | None:
    try:
        return load(path)
    except (OSError, ValueError):
        return None


def thumbnail_strip(loop: CineLoop) -> ThumbnailFacts | None:
    """The thumbnail strip's layout (count, tile size, the source frame of each tile), or None
    when the loop has no strip or its metadata cannot be read."""
    facts = loop_facts(loop)
    if facts is None or loop.file_path("thumbnails") is None:
        return None
    strip = facts.thumbnails
    return strip if strip.count >= 1 and strip.width >= 1 and strip.height >= 1 else None


def dicom_sender_for(
    *, ae_title: str, address: str, institution_id: int | None = None
) -> DicomSender | None:
    """The active sender ``ae_title`` calling from ``address``: one registered for that
    address first, else one registered for any address; None when it may not send
    (``institution_id``: only that institution's senders)."""
    senders = DicomSender.objects.filter(active=True, ae_title=ae_title.strip())
    if institution_id is not None:
        senders = senders.filter(institution_id=institution_id)
    by_address = {sender.address: sender for sender in senders.select_related("institution")}
    return by_address.get(address) or by_address.get(None)


def allowed_calling_ae_titles(*, address: str, institution_id: int | None = None) -> list[str]:
    """The AE titles that may call from ``address``."""
    senders = DicomSender.objects.filter(active=True).filter(
        Q(address__isnull=True) | Q(address=address)
    )
    if institution_id is not None:
        senders = senders.filter(institution_id=institution_id)
    return sorted(set(senders.values_list("ae_title", flat=True)))
