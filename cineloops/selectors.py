"""Reads about cine loops that the pages and the API need, and the DICOM senders."""

from __future__ import annotations

import json

from django.db.models import Q, QuerySet

from cineloops.models import CineLoop, DicomSender


def loops_for(user, *, ids: list[int] | None = None) -> QuerySet[CineLoop]:
    """Loops ``user`` may see; only those of ``ids`` when given (a client polling a batch)."""
    loops = CineLoop.objects.for_user(user)
    return loops.filter(pk__in=ids) if ids is not None else loops


def loops_to_edit(user) -> QuerySet[CineLoop]:
    """Loops ``user`` may edit, with their institution (the instructors' list)."""
    return CineLoop.objects.editable_by(user).select_related("institution")


def thumbnail_strip(loop: CineLoop) -> dict | None:
    """The thumbnail strip's layout from the loop's metadata (count, frame size, the source
    frame of each), or None when the loop has no strip or its metadata cannot be read."""
    strip_path, meta_path = loop.file_path("thumbnails"), loop.file_path("metadata")
    if strip_path is None or meta_path is None:
        return None
    try:
        section = json.loads(meta_path.read_text("utf-8")).get("thumbnails") or {}
        count, width, height = int(section["count"]), int(section["width"]), int(section["height"])
        indices = [int(i) for i in section.get("frame_indices") or range(count)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if count < 1 or width < 1 or height < 1:
        return None
    return {"count": count, "width": width, "height": height, "frame_indices": indices}


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
