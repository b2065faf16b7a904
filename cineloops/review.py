"""Resolving a loop that needs review: the pipeline found no usable ultrasound regions, so it
blanked nothing and burned-in patient text may remain.

An editor of the loop's institution looks at its frames and either

* ``loop_confirm_no_burned_in_text`` — no frame shows burned-in text: the loop becomes ready
  as it is, with who and when recorded; or
* ``loop_apply_keep_mask`` — draws rectangles around the parts to keep: the loop is processed
  again from its stored original by the usual task, which blanks everything outside them on
  every frame (``cine``'s manual mask), and becomes ready.

Until then the loop is served only to its institution's editors (``cineloops.visibility``
reaches others' loops only when ready), and its original is kept (``cineloops.processing``)
because the mask is applied to the original's pixels; it is deleted once the loop is ready.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.services import loop_requeue_locked
from cineloops.signals import loops_updated
from core.locking import lock

logger = logging.getLogger(__name__)
Status = CineLoop.Status
Resolution = CineLoop.Resolution

__all__ = [
    "MAX_RECTANGLES",
    "clean_rectangles",
    "loop_apply_keep_mask",
    "loop_confirm_no_burned_in_text",
]

# More would be a scribble, not a mask: ultrasound images have one or two image areas.
MAX_RECTANGLES = 20


def _locked_for_review(loop: CineLoop, by: User) -> CineLoop:
    """The loop's row, locked, when ``by`` may review it and it still needs review."""
    if not loop.is_editable_by(by):
        raise PermissionDenied(_("You cannot review this loop."))
    locked = lock(loop)
    if locked.status != Status.NEEDS_REVIEW:
        raise ValidationError(_("This loop does not need review."), "not_needs_review")
    return locked


def loop_confirm_no_burned_in_text(
    *, loop: CineLoop, by: User, now: datetime | None = None
) -> CineLoop:
    """An instructor checked every frame: no burned-in text. The loop becomes ready as is."""
    with transaction.atomic():
        locked = _locked_for_review(loop, by)
        locked.status = Status.READY
        locked.review_resolution = Resolution.NO_TEXT
        locked.reviewed_by = by
        locked.reviewed_at = now or timezone.now()
        original, locked.original_name = locked.original_name, ""
        if settings.CINE_KEEP_ORIGINALS:
            locked.original_name = original
        locked.save(
            update_fields=[
                "status",
                "review_resolution",
                "reviewed_by",
                "reviewed_at",
                "original_name",
                "updated_at",
            ]
        )
        pk = locked.pk
        if not settings.CINE_KEEP_ORIGINALS:
            transaction.on_commit(lambda: storage.delete_original(original))
        transaction.on_commit(lambda: loops_updated.send(sender=CineLoop, pks=[pk]))
    logger.info("cine loop %s: confirmed free of burned-in text (user %s)", pk, by.pk)
    return locked


def clean_rectangles(rectangles: object, *, rows: int, columns: int) -> list[list[int]]:
    """``[[x0, y0, x1, y1], …]`` in inclusive original pixels, each inside the image, at least
    one, at most ``MAX_RECTANGLES``; corners may come in any order. Raises ``ValidationError``."""
    if not isinstance(rectangles, list | tuple) or not rectangles:
        raise ValidationError(_("Draw at least one rectangle to keep."), "no_rectangles")
    if len(rectangles) > MAX_RECTANGLES:
        raise ValidationError(
            _("Draw at most %(count)s rectangles.") % {"count": MAX_RECTANGLES}, "too_many"
        )
    cleaned = []
    for rectangle in rectangles:
        if (
            not isinstance(rectangle, list | tuple)
            or len(rectangle) != 4
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in rectangle)
        ):
            raise ValidationError(
                _("A rectangle is four whole pixel numbers: x0, y0, x1, y1."), "malformed"
            )
        x0, y0, x1, y1 = rectangle
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        if x0 < 0 or y0 < 0 or x1 >= columns or y1 >= rows:
            raise ValidationError(_("Every rectangle must lie inside the image."), "outside")
        cleaned.append([x0, y0, x1, y1])
    return cleaned


def loop_apply_keep_mask(
    *,
    loop: CineLoop,
    by: User,
    rectangles: Sequence[Sequence[int]],
    now: datetime | None = None,
) -> CineLoop:
    """Keep only ``rectangles`` on every frame: the loop is processed again with this mask
    (``loop_process_task``, after commit) and is ready once it is done."""
    with transaction.atomic():
        locked = _locked_for_review(loop, by)
        locked.keep_mask = clean_rectangles(
            rectangles, rows=locked.rows or 0, columns=locked.columns or 0
        )
        locked.review_resolution = Resolution.KEEP_MASK
        locked.reviewed_by = by
        locked.reviewed_at = now or timezone.now()
        loop_requeue_locked(
            loop=locked,
            also_save=["keep_mask", "review_resolution", "reviewed_by", "reviewed_at"],
        )
    logger.info(
        "cine loop %s: %s keep rectangles drawn (user %s)", locked.pk, len(locked.keep_mask), by.pk
    )
    return locked
