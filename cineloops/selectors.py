"""Reads about cine loops that the pages and the API need, and the DICOM senders."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cine.facts import LoopFacts, ThumbnailFacts
from cineloops import storage
from cineloops.models import CineLoop, DicomSender


def loops_for(user, *, ids: list[int] | None = None) -> QuerySet[CineLoop]:
    """Loops ``user`` may see; only those of ``ids`` when given (a client polling a batch)."""
    loops = CineLoop.objects.for_user(user)
    return loops.filter(pk__in=ids) if ids is not None else loops


def loops_to_edit(user) -> QuerySet[CineLoop]:
    """Loops ``user`` may edit, with their institution (the instructors' list)."""
    return CineLoop.objects.editable_by(user).select_related("institution")


def loop_facts(loop: CineLoop) -> LoopFacts | None:
    """What processing found and wrote (``cine.facts``, read from the loop's metadata.json
    through the media storage); None when the loop has no outputs or the file cannot be read.

    A run's outputs never change (a new run stores new names), so ``storage.read_json`` reads
    each file once per process."""
    if not loop.has_outputs or not loop.metadata_file:
        return None
    name = loop.output_name("metadata")
    if name is None:
        return None
    try:
        return LoopFacts.from_json(storage.read_json(name))
    except (*storage.STORE_ERRORS, ValueError):  # MetadataError is a ValueError
        return None


def thumbnail_strip(loop: CineLoop) -> ThumbnailFacts | None:
    """The thumbnail strip's layout (count, tile size, the source frame of each tile), or None
    when the loop has no strip or its metadata cannot be read."""
    facts = loop_facts(loop)
    if facts is None or loop.output_name("thumbnails") is None:
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
