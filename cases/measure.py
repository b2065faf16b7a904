"""Calibrated lengths of ``measure`` annotations, from a loop's stored ultrasound regions.

``CineLoop.regions`` keeps each region as ``cine.regions.Region.as_dict()`` (names instead of
codes, plus ``fits_image``); this rebuilds the frozen ``Region`` values (``Region.from_dict``)
and lets ``cine.regions.distance_cm`` decide, so the rule (same region, cm in both directions)
lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cine.regions import Region, distance_cm


def loop_regions(stored: Iterable[Mapping[str, Any]]) -> tuple[Region, ...]:
    """Regions usable for measuring: those whose bounds fit the image (see ``Region.fits``)."""
    regions = []
    for data in stored or ():
        if data.get("fits_image") is False:
            continue
        try:
            regions.append(Region.from_dict(data))
        except (KeyError, TypeError, ValueError):
            continue  # a malformed entry measures nothing
    return tuple(regions)


def length_mm(
    p1: Sequence[float], p2: Sequence[float], stored: Iterable[Mapping[str, Any]]
) -> float:
    """Distance in mm; raises ``cine.regions.MeasurementRefused`` like ``distance_cm``."""
    return distance_cm(p1, p2, loop_regions(stored)) * 10.0


def region_summary(data: Mapping[str, Any]) -> dict[str, Any]:
    """A region as the case API shows it."""
    return {
        "bounds": list(data.get("bounds") or []),
        "spatial_format": data.get("spatial_format"),
        "data_type": data.get("data_type"),
        "cm_per_px_x": data.get("cm_per_pixel_x"),
        "cm_per_px_y": data.get("cm_per_pixel_y"),
    }
