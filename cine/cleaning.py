"""Clean Pixel Data: decide how burned-in text is removed, and blank it frame by frame.

Decision (``CleaningPlan.decision``, a ``CleaningDecision``), first match wins:

1. ``"manual_mask"`` — the caller gave a mask (boolean array, or polygons/rectangles drawn by an
   instructor): keep only those pixels. An instructor's mask overrides the header.
2. ``"outside_regions"`` — the file has usable ultrasound regions: keep the union of regions
   with spatial format 1-4 (2D, M-mode, spectral, waveform; bounds inclusive), blank the rest.
   This applies even when BurnedInAnnotation is "NO": scanners put text outside the regions
   whatever the flag says, and blanking it costs nothing clinically.
3. ``"not_needed"`` — no usable regions, but BurnedInAnnotation is explicitly "NO". Anything
   else (absent, empty, "YES", garbage) counts as burned in (DOMAIN §4).
4. ``"review_required"`` — no usable regions and possibly burned-in text: nothing is blanked,
   and the outputs must not be published until an instructor draws a mask.

Regions are "not usable" when there are none, when they reach past the image (they describe
another pixel grid, e.g. a rescaled copy), or when they cover at least ``full_image_fraction``
(default 95 %) of the image: such a region hides nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from PIL import Image, ImageDraw

from cine.errors import InvalidMaskError
from cine.regions import IMAGE_FORMATS, Region

FULL_IMAGE_FRACTION = 0.95

Polygon = Sequence[Sequence[float]]


class CleaningDecision(StrEnum):
    """How the pixels were cleaned (see the module docstring); its value is what metadata.json
    and ``CineLoop.pixel_cleaning`` store."""

    OUTSIDE_REGIONS = "outside_regions"
    MANUAL_MASK = "manual_mask"
    REVIEW_REQUIRED = "review_required"
    NOT_NEEDED = "not_needed"

    @property
    def publishable(self) -> bool:
        """False while burned-in text may remain: the outputs wait for an instructor's mask."""
        return self is not CleaningDecision.REVIEW_REQUIRED


class CleaningReason(StrEnum):
    """Why a decision was taken: a stable code that callers translate (``CleaningPlan.reason``
    is its English wording, for logs and the CLI)."""

    REGIONS = "regions"
    MANUAL_MASK = "manual_mask"
    NO_REGIONS = "no_regions"
    REGIONS_DO_NOT_FIT = "regions_do_not_fit"
    REGIONS_COVER_IMAGE = "regions_cover_image"


_WHY = {
    CleaningReason.NO_REGIONS: "no ultrasound regions",
    CleaningReason.REGIONS_DO_NOT_FIT: "the ultrasound regions do not fit the image",
    CleaningReason.REGIONS_COVER_IMAGE: "the ultrasound regions cover the whole image",
}


@dataclass(frozen=True)
class CleaningPlan:
    decision: CleaningDecision
    # Pixels to keep (True) - None when nothing is blanked.
    keep: np.ndarray | None = field(default=None, compare=False, repr=False)
    reason: str = ""
    reason_code: CleaningReason | None = None
    # Bounding box of ``keep`` (y0, y1, x0, x1; ends exclusive) and whether it is all kept:
    # blanking outside a box is four memsets, ~100x faster than multiplying by the mask.
    box: tuple[int, int, int, int] | None = field(init=False, compare=False, repr=False)
    box_is_solid: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        box, solid = None, False
        if self.keep is not None and self.keep.any():
            ys, xs = np.flatnonzero(self.keep.any(1)), np.flatnonzero(self.keep.any(0))
            box = (int(ys[0]), int(ys[-1]) + 1, int(xs[0]), int(xs[-1]) + 1)
            solid = bool(self.keep[box[0] : box[1], box[2] : box[3]].all())
        object.__setattr__(self, "box", box)
        object.__setattr__(self, "box_is_solid", solid)

    @property
    def blanks(self) -> bool:
        return self.keep is not None


def regions_mask(regions: Iterable[Region], rows: int, columns: int) -> np.ndarray:
    """Union of image regions (spatial format 1-4), inclusive bounds, clipped to the image."""
    mask = np.zeros((rows, columns), dtype=bool)
    for r in regions:
        if r.spatial_format in IMAGE_FORMATS:
            mask[r.min_y : r.max_y + 1, r.min_x : r.max_x + 1] = True
    return mask


def polygons_mask(polygons: Iterable[Polygon], rows: int, columns: int) -> np.ndarray:
    """Rasterise polygons of (x, y) pixel points; a 2-point polygon is a rectangle's corners."""
    image = Image.new("1", (columns, rows), 0)
    draw = ImageDraw.Draw(image)
    for polygon in polygons:
        try:
            points = [(float(x), float(y)) for x, y in polygon]
        except (TypeError, ValueError) as exc:
            raise InvalidMaskError("mask polygons are lists of (x, y) points") from exc
        if len(points) == 2:
            (x0, y0), (x1, y1) = points
            draw.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=1)
        elif len(points) >= 3:
            draw.polygon(points, fill=1, outline=1)
        else:
            raise InvalidMaskError("a mask polygon needs at least two points")
    return np.array(image, dtype=bool)


def plan_cleaning(
    regions: Iterable[Region],
    rows: int,
    columns: int,
    burned_in_annotation: str | None,
    manual_mask: np.ndarray | Iterable[Polygon] | None = None,
    full_image_fraction: float = FULL_IMAGE_FRACTION,
) -> CleaningPlan:
    """Decide how to clean the pixels of one image or cine (see the module docstring)."""
    if manual_mask is not None:
        if isinstance(manual_mask, np.ndarray):
            if manual_mask.shape != (rows, columns):
                raise InvalidMaskError("the mask must have the image's rows x columns")
            keep = manual_mask.astype(bool)
        else:
            keep = polygons_mask(manual_mask, rows, columns)
        if not keep.any():
            raise InvalidMaskError("the mask keeps no pixel of the image")
        return CleaningPlan(
            CleaningDecision.MANUAL_MASK,
            keep,
            "mask given by the caller",
            CleaningReason.MANUAL_MASK,
        )

    image_regions = [r for r in regions if r.spatial_format in IMAGE_FORMATS]
    fitting = [r for r in image_regions if r.fits(rows, columns)]
    keep = regions_mask(fitting, rows, columns)
    coverage = float(keep.mean()) if keep.size else 0.0
    if keep.any() and coverage < full_image_fraction:
        return CleaningPlan(
            CleaningDecision.OUTSIDE_REGIONS,
            keep,
            "blank outside the ultrasound regions",
            CleaningReason.REGIONS,
        )

    if not image_regions:
        code = CleaningReason.NO_REGIONS
    elif not fitting:
        code = CleaningReason.REGIONS_DO_NOT_FIT
    else:
        code = CleaningReason.REGIONS_COVER_IMAGE
    if (burned_in_annotation or "").strip().upper() == "NO":
        why = f"{_WHY[code]}; BurnedInAnnotation is NO"
        return CleaningPlan(CleaningDecision.NOT_NEEDED, None, why, code)
    why = f"{_WHY[code]}; burned-in text possible"
    return CleaningPlan(CleaningDecision.REVIEW_REQUIRED, None, why, code)


def clean_frame(frame: np.ndarray, plan: CleaningPlan) -> np.ndarray:
    """Blank (set to 0) every pixel outside ``plan.keep``.

    Works in place when ``frame`` is writeable (decoders' own arrays), else on a copy.
    """
    if plan.keep is None:
        return frame
    if not frame.flags.writeable:
        frame = frame.copy()
    if plan.box is None:
        frame[...] = 0
        return frame
    y0, y1, x0, x1 = plan.box
    frame[:y0] = 0
    frame[y1:] = 0
    frame[:, :x0] = 0
    frame[:, x1:] = 0
    if not plan.box_is_solid:
        inner = frame[y0:y1, x0:x1]
        keep = plan.keep[y0:y1, x0:x1]
        np.multiply(inner, keep if frame.ndim == 2 else keep[..., None], out=inner)
    return frame
