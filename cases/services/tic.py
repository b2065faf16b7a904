"""Time-intensity curves of ROI annotations: requested on save, computed by a task.

The curve is ``cine.tic.roi_curve`` over the loop's ``intensity.npy`` (linearised with the
case's display dynamic range), with the loop's own frame times, analysed by
``cine.tic_fit.analyse_curve`` relative to the injection when the loop's injection time is
known. Safe to run twice: a curve already ready for the same signature is left alone, and a
result is written only if the ROI did not change while it was computed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import cache as case_cache
from cases.geometry import to_roi
from cases.models import Annotation, Case, RoiCurve, TicStatus
from cases.tasks import tic_compute_task
from cases.timeline import injection_on_loop
from cine.tic import Roi, roi_curve
from cine.tic_fit import TicParameters, analyse_curve
from cineloops import storage
from cineloops.models import CineLoop
from cineloops.selectors import loop_facts
from training.tasks import dispatch, dispatch_on_commit

logger = logging.getLogger(__name__)

ERRORS = {
    "not_processed": _("The loop has no intensity data (it is not processed)."),
    "bad_data": _("The loop's intensity data could not be read."),
    "outside": _("The region lies outside the image."),
}


class CurveError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def error_text(code: str) -> str:
    return str(ERRORS.get(code, code)) if code else ""


@dataclass(frozen=True)
class Curve:
    times_s: tuple[float, ...]  # from the injection, or from the loop's first frame
    values: tuple[float, ...]  # mean linear echo power in the ROI, per frame
    parameters: TicParameters
    time_origin: str  # "injection" or "recording"

    def to_json(self) -> dict[str, Any]:
        """``times_s``, ``values`` and ``parameters`` as ``RoiCurve`` stores them and the API
        sends them: 6 significant digits, NaN and infinities as null."""
        return {
            "times_s": list(self.times_s),
            "values": _rounded(list(self.values)),
            "parameters": _rounded(self.parameters.to_dict()),
        }


def _rounded(value: Any) -> Any:
    """JSON-safe values with 6 significant digits (NaN and infinities become null)."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def compute_curve(
    loop: CineLoop, roi: Roi, *, injection_s: float | None, dynamic_range_db: float
) -> Curve:
    """Curve and parameters of ``roi`` on ``loop``; raises ``CurveError``."""
    facts = loop_facts(loop)
    name = loop.output_name("intensity")
    if facts is None or name is None:
        raise CurveError("not_processed")
    times = facts.timing.frame_times_s
    try:
        # A path: the stack is memory-mapped, only the ROI's box is read.
        with storage.local_file(storage.media(), name) as path:
            values = roi_curve(
                path, roi, scale=facts.intensity.scale, dynamic_range_db=dynamic_range_db
            )
    except FileNotFoundError as exc:
        raise CurveError("not_processed") from exc
    except ValueError as exc:
        raise CurveError("outside" if "outside" in str(exc) else "bad_data") from exc
    if len(times) != len(values):
        raise CurveError("bad_data")
    parameters = analyse_curve(times, values, injection_time_s=injection_s, domain="linear")
    shift = injection_s or 0.0
    return Curve(
        times_s=tuple(round(t - shift, 4) for t in times),
        values=tuple(float(v) for v in values),
        parameters=parameters,
        time_origin="injection" if injection_s is not None else "recording",
    )


def loop_injection_times(case: Case) -> dict[int, float | None]:
    """The injection time on each loop's own timeline: the case's t0 for the first loop,
    minus the recording's start after injection for the others (None when unknown)."""
    links = case.case_loops.order_by("order", "pk")
    return {link.loop_id: injection_on_loop(case, link, index) for index, link in enumerate(links)}


def curve_signature(annotation: Annotation, injection_s: float | None, dr: float) -> str:
    payload = {
        "loop": annotation.loop_id,
        "kind": annotation.kind,
        "geometry": annotation.geometry,
        "t0": injection_s,
        "dr": dr,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def request_curve(annotation: Annotation, *, injection_s: float | None, dr: float) -> bool:
    """Mark the ROI's curve pending and queue it after commit; False when it is up to date.

    With the broker down the curve stays pending: the sweep (``curves_requeue_pending``) queues
    it again, and so does saving the annotations again."""
    signature = curve_signature(annotation, injection_s, dr)
    current = RoiCurve.objects.filter(annotation=annotation).only("signature", "status").first()
    pk = annotation.pk
    if current is not None and current.signature == signature:
        if current.status == TicStatus.PENDING:  # its message may have been lost: resend
            dispatch_on_commit(tic_compute_task, annotation_pk=pk)
        return False
    RoiCurve.objects.update_or_create(
        annotation=annotation,
        defaults={
            "status": TicStatus.PENDING,
            "signature": signature,
            "dynamic_range_db": dr,
            "injection_time_s": injection_s,
            "times_s": [],
            "values": [],
            "parameters": None,
            "error": "",
            "computed_at": None,
        },
    )
    dispatch_on_commit(tic_compute_task, annotation_pk=pk)
    return True


def refresh_case_curves(*, case: Case) -> int:
    """Request curves for every ROI of the case whose inputs changed; drop the curves of
    annotations that are no longer ROIs. Returns how many were requested."""
    times = loop_injection_times(case)
    requested = 0
    for annotation in case.annotations.all():
        if annotation.is_roi:
            injection_s = times.get(annotation.loop_id)
            requested += request_curve(
                annotation, injection_s=injection_s, dr=case.dynamic_range_db
            )
    RoiCurve.objects.filter(annotation__case=case).exclude(
        annotation__kind__in=("ellipse", "polygon"),
        annotation__roi_role__in=("lesion", "reference"),
    ).delete()
    return requested


def tic_compute(*, annotation_pk: int) -> str:
    """Compute one ROI's curve (the ``cases.tic_compute`` task); returns what happened."""
    curve = (
        RoiCurve.objects.select_related("annotation__case", "annotation__loop")
        .filter(annotation_id=annotation_pk)
        .first()
    )
    if curve is None:
        return "skipped: no curve requested"
    if curve.status != TicStatus.PENDING:
        # Done for this signature (a new one resets it to pending): a duplicate message, e.g.
        # the original arriving after the sweep's, computes nothing.
        return f"skipped: already {curve.status}"
    annotation = curve.annotation
    injection_s, dr = curve.injection_time_s, curve.dynamic_range_db
    fields: dict[str, Any]
    try:
        result = compute_curve(
            annotation.loop,
            to_roi(annotation.kind, annotation.geometry),
            injection_s=injection_s,
            dynamic_range_db=dr,
        )
    except CurveError as exc:
        fields = {"status": TicStatus.FAILED, "error": exc.code}
    else:
        fields = {"status": TicStatus.READY, **result.to_json(), "error": ""}
    # Only if the ROI was not changed meanwhile: a newer request has its own task.
    written = RoiCurve.objects.filter(pk=curve.pk, signature=curve.signature).update(
        computed_at=timezone.now(), updated_at=timezone.now(), **fields
    )
    if written:
        case_cache.changed()  # an update() sends no signal; the case page shows the curve's status
    return str(fields["status"]) if written else "skipped: changed meanwhile"


# At most this many curves are queued again per sweep; the next sweep takes the rest.
REQUEUE_BATCH = 500


def curves_requeue_pending(*, now: datetime | None = None) -> int:
    """Queue again the curves pending for ``CASES_TIC_STALLED_AFTER_MINUTES`` (the broker was
    down when they were requested, or their message was lost); run by Celery beat.

    Like ``cineloops.services.loops_requeue_stalled``: each curve is touched first, so the
    next sweep leaves it alone for as long again, and the sweep stops at the first broker
    error. A duplicate of a message still waiting is harmless: ``tic_compute`` skips a curve
    that is no longer pending, and a result is written only for the signature it computed.
    Returns how many curves were queued again.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.CASES_TIC_STALLED_AFTER_MINUTES)
    stalled = list(
        RoiCurve.objects.filter(status=TicStatus.PENDING, updated_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", "annotation_id")[:REQUEUE_BATCH]
    )
    requeued = 0
    for pk, annotation_pk in stalled:
        touched = RoiCurve.objects.filter(pk=pk, status=TicStatus.PENDING, updated_at__lt=cutoff)
        if not touched.update(updated_at=now):  # no bump: nothing a page shows changed
            continue  # computed or requested again meanwhile
        if not dispatch(tic_compute_task, annotation_pk=annotation_pk):
            break  # the broker is down: the next sweep tries again
        requeued += 1
    if requeued:
        logger.warning("pending time-intensity curves: %s queued again", requeued)
    return requeued
