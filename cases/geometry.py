"""Annotation geometry: validation, normalisation and conversion to ``cine.tic`` ROIs.

Coordinates are ORIGINAL image pixels, continuous, with pixel (0, 0) covering [0, 1) x [0, 1)
(the convention of ``cine.tic``), so a shape lies on the image when every coordinate is within
[0, columns] x [0, rows].
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cine.tic import Ellipse, Polygon, Roi

# Keys of each kind's geometry, in order; polygons have "points" instead.
POINT_KEYS = {
    "point": ("x", "y"),
    "text": ("x", "y"),
    "arrow": ("x1", "y1", "x2", "y2"),
    "measure": ("x1", "y1", "x2", "y2"),
    "ellipse": ("cx", "cy", "rx", "ry"),
}
MAX_POLYGON_POINTS = 500
ROI_KINDS = frozenset({"ellipse", "polygon"})


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(_("“%(name)s” must be a number.") % {"name": name}, "invalid")
    number = float(value)
    if not math.isfinite(number):
        raise ValidationError(_("“%(name)s” must be a finite number.") % {"name": name}, "invalid")
    return round(number, 3)


def _on_image(x: float, y: float, size: tuple[int, int] | None) -> None:
    if size is None:
        return
    columns, rows = size
    if not (0 <= x <= columns and 0 <= y <= rows):
        raise ValidationError(_("The shape reaches outside the image."), "outside")


def clean_geometry(kind: str, geometry: Any, size: tuple[int, int] | None = None) -> dict[str, Any]:
    """The geometry as plain rounded floats; ``size`` = (columns, rows) of the loop's image.

    Raises ``ValidationError`` for a missing or extra key, a non-number, a degenerate shape
    (ellipse radius 0, polygon of fewer than three points, zero-length arrow or measurement)
    or, when the size is known, a shape outside the image.
    """
    if not isinstance(geometry, dict):
        raise ValidationError(_("The geometry must be an object."), "invalid")
    if kind == "polygon":
        return _clean_polygon(geometry, size)
    keys = POINT_KEYS.get(kind)
    if keys is None:
        raise ValidationError(_("Unknown annotation kind."), "invalid")
    if set(geometry) != set(keys):
        raise ValidationError(
            _("A %(kind)s needs exactly these values: %(keys)s.")
            % {"kind": kind, "keys": ", ".join(keys)},
            "invalid",
        )
    clean = {key: _number(geometry[key], key) for key in keys}
    if kind == "ellipse":
        if clean["rx"] <= 0 or clean["ry"] <= 0:
            raise ValidationError(_("An ellipse needs positive radii."), "invalid")
        _on_image(clean["cx"] - clean["rx"], clean["cy"] - clean["ry"], size)
        _on_image(clean["cx"] + clean["rx"], clean["cy"] + clean["ry"], size)
    elif len(keys) == 4:
        if (clean["x1"], clean["y1"]) == (clean["x2"], clean["y2"]):
            raise ValidationError(_("The two ends must be different points."), "invalid")
        _on_image(clean["x1"], clean["y1"], size)
        _on_image(clean["x2"], clean["y2"], size)
    else:
        _on_image(clean["x"], clean["y"], size)
    return clean


def _clean_polygon(geometry: dict[str, Any], size: tuple[int, int] | None) -> dict[str, Any]:
    points = geometry.get("points")
    if set(geometry) != {"points"} or not isinstance(points, list):
        raise ValidationError(_("A polygon needs a list of points."), "invalid")
    if not 3 <= len(points) <= MAX_POLYGON_POINTS:
        raise ValidationError(
            _("A polygon needs between 3 and %(max)s points.") % {"max": MAX_POLYGON_POINTS},
            "invalid",
        )
    clean = []
    for point in points:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ValidationError(_("Each polygon point is a pair [x, y]."), "invalid")
        x, y = _number(point[0], "x"), _number(point[1], "y")
        _on_image(x, y, size)
        clean.append([x, y])
    if _area(clean) == 0:
        raise ValidationError(_("The polygon has no area."), "invalid")
    return {"points": clean}


def _area(points: list[list[float]]) -> float:
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


def to_roi(kind: str, geometry: dict[str, Any]) -> Roi:
    """The ``cine.tic`` ROI of a cleaned ellipse or polygon geometry."""
    if kind == "ellipse":
        return Ellipse(geometry["cx"], geometry["cy"], geometry["rx"], geometry["ry"])
    if kind == "polygon":
        return Polygon(tuple((x, y) for x, y in geometry["points"]))
    raise ValueError(f"{kind} is not a region of interest")


def parse_roi_parameter(value: str) -> tuple[str, dict[str, Any]]:
    """An ad-hoc ROI from a query string: ``ellipse:cx,cy,rx,ry`` or ``polygon:x,y;x,y;…``.

    Returns (kind, geometry) for ``clean_geometry``; raises ``ValidationError`` otherwise.
    """
    kind, sep, rest = value.partition(":")
    try:
        if sep and kind == "ellipse":
            cx, cy, rx, ry = (float(part) for part in rest.split(","))
            return kind, {"cx": cx, "cy": cy, "rx": rx, "ry": ry}
        if sep and kind == "polygon":
            points = [[float(v) for v in pair.split(",")] for pair in rest.split(";") if pair]
            if any(len(point) != 2 for point in points):
                raise ValueError
            return kind, {"points": points}
    except ValueError:
        pass
    raise ValidationError(
        _("Give an annotation id, “ellipse:cx,cy,rx,ry” or “polygon:x,y;x,y;…”."), "invalid"
    )
