"""Geometry behind the hotspot and outline scores: where a click lies against an answer ROI,
how far it is from the outline (in pixels, or in mm on a calibrated loop), and how much a drawn
outline overlaps the ROI. Pure functions over ``cine.tic`` ROIs and stored loop regions; whether
a point lies in an ROI is ``cine.tic.roi_contains``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import shapely
from shapely.geometry import Polygon as ShapelyPolygon

from cases.measure import loop_regions
from cine.regions import MeasurementRefused, Region, distance_cm
from cine.tic import Ellipse, Roi
from quizzes.models.choices import OverlapMetric

# Vertices of the polygon standing for an ellipse in overlap computations.
ELLIPSE_VERTICES = 720


def _closest_on_ellipse(a: float, b: float, px: float, py: float) -> tuple[float, float]:
    """Closest point to (px, py) on the outline of the centred ellipse x²/a² + y²/b² = 1.

    D. Eberly, "Distance from a point to an ellipse" (2013): bisection on the root of the
    normal-line equation, which converges to full double precision (~1e-12 of the radii) in at
    most ~1100 halvings and is robust for points inside, outside, on the axes and at the centre.
    """
    sx, sy = math.copysign(1.0, px), math.copysign(1.0, py)
    x, y = abs(px), abs(py)
    swap = a < b
    if swap:  # the algorithm wants the major semi-axis first
        a, b, x, y = b, a, y, x
    if y > 0:
        if x > 0:
            z0, z1 = x / a, y / b
            g = z0 * z0 + z1 * z1 - 1
            if g == 0:
                qx, qy = x, y
            else:
                r0 = (a / b) ** 2
                n0 = r0 * z0
                s0, s1 = z1 - 1, (0.0 if g < 0 else math.hypot(n0, z1) - 1)
                s = s0
                for _ in range(1100):
                    s = (s0 + s1) / 2
                    if s in (s0, s1):
                        break
                    g = (n0 / (s + r0)) ** 2 + (z1 / (s + 1)) ** 2 - 1
                    if g > 0:
                        s0 = s
                    elif g < 0:
                        s1 = s
                    else:
                        break
                qx, qy = r0 * x / (s + r0), y / (s + 1)
        else:
            qx, qy = 0.0, b
    else:
        numer, denom = a * x, a * a - b * b
        if numer < denom:
            ratio = numer / denom
            qx, qy = a * ratio, b * math.sqrt(max(0.0, 1 - ratio * ratio))
        else:
            qx, qy = a, 0.0
    if swap:
        qx, qy = qy, qx
    return sx * qx, sy * qy


def _closest_on_segment(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2
    t = min(1.0, max(0.0, t))
    return a[0] + t * dx, a[1] + t * dy


def closest_on_outline(
    roi: Roi, x: float, y: float, scale: tuple[float, float] = (1.0, 1.0)
) -> tuple[tuple[float, float], float]:
    """The point of ``roi``'s outline closest to (x, y), in PIXELS, and its distance measured
    after scaling x and y by ``scale`` (units per pixel, e.g. mm per pixel: anisotropic pixels
    make the physical closest point differ from the pixel one, so it is searched in physical
    space). An axis-aligned ellipse stays one under anisotropic scaling, so it is solved
    exactly (``_closest_on_ellipse``); polygons are exact segment by segment."""
    kx, ky = scale
    if isinstance(roi, Ellipse):
        qx, qy = _closest_on_ellipse(roi.rx * kx, roi.ry * ky, (x - roi.cx) * kx, (y - roi.cy) * ky)
        return (roi.cx + qx / kx, roi.cy + qy / ky), math.hypot(
            qx - (x - roi.cx) * kx, qy - (y - roi.cy) * ky
        )
    p = (x * kx, y * ky)
    points = [(px * kx, py * ky) for px, py in roi.points]
    best, best_d = points[0], math.inf
    for a, b in zip(points, points[1:] + points[:1], strict=True):
        q = _closest_on_segment(p, a, b)
        d = math.hypot(q[0] - p[0], q[1] - p[1])
        if d < best_d:
            best, best_d = q, d
    return (best[0] / kx, best[1] / ky), best_d


def _calibrated_regions_at(x: float, y: float, regions: Sequence[Region]) -> list[Region]:
    # Same preference as cine.regions.distance_cm: 2D tissue regions first.
    found = [r for r in regions if r.contains(x, y) and r.cm_per_pixel]
    found.sort(key=lambda r: (r.spatial_format != 1, r.data_type != 1))
    return found


def distance_mm(
    roi: Roi, x: float, y: float, inside: bool, stored: Iterable[Mapping[str, Any]] | None
) -> float | None:
    """Physical distance from the click to the outline, None when not measurable: the click and
    its closest outline point must lie in one region calibrated in cm both ways."""
    regions = loop_regions(stored or ())
    for region in _calibrated_regions_at(x, y, regions):
        if inside:
            return 0.0
        cm_x, cm_y = region.cm_per_pixel
        closest, _ = closest_on_outline(roi, x, y, (cm_x * 10, cm_y * 10))
        try:
            return distance_cm((x, y), closest, regions) * 10
        except MeasurementRefused:
            continue  # the outline point lies outside this region: try an overlapping one
    return None


def _ellipse_polygon(roi: Ellipse, vertices: int = ELLIPSE_VERTICES) -> list[tuple[float, float]]:
    # Radii scaled so the polygon has the ellipse's exact area (an inscribed 720-gon would lose
    # 1.3e-5 of it); its outline then stays within 7e-6 of the radius from the true one.
    n = vertices
    k = math.sqrt(2 * math.pi / (n * math.sin(2 * math.pi / n)))
    return [
        (
            roi.cx + k * roi.rx * math.cos(2 * math.pi * i / n),
            roi.cy + k * roi.ry * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    ]


def _shape(points: Sequence[Sequence[float]]):
    """A valid shapely area from a ring of points. A self-intersecting outline (a "bow tie")
    is repaired with ``make_valid``, which keeps every lobe as a part of a MultiPolygon, so
    each enclosed piece counts once; stray lines and points of the repair have no area."""
    shape = ShapelyPolygon([(float(x), float(y)) for x, y in points])
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
        parts = [g for g in getattr(shape, "geoms", [shape]) if g.geom_type.endswith("Polygon")]
        shape = shapely.union_all(parts) if parts else ShapelyPolygon()
    return shape


def overlap(drawn: Sequence[Sequence[float]], roi: Roi, metric: str = OverlapMetric.IOU) -> float:
    """IoU (intersection / union) or Dice (2 * intersection / (area A + area B)) of the drawn
    polygon and the answer ROI, in pixel space (both are invariant to pixel anisotropy);
    0 when the drawing has no area."""
    answer = _shape(_ellipse_polygon(roi) if isinstance(roi, Ellipse) else roi.points)
    drawing = _shape(drawn)
    if drawing.area <= 0 or answer.area <= 0:
        return 0.0
    intersection = drawing.intersection(answer).area
    if metric == OverlapMetric.DICE:
        return 2 * intersection / (drawing.area + answer.area)
    union = drawing.area + answer.area - intersection
    return intersection / union if union > 0 else 0.0
