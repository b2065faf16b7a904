"""Calibrated lengths of ``measure`` annotations, from a loop's stored ultrasound regions.

``CineLoop.regions`` keeps each region as ``cine.regions.Region.as_dict()`` (names instead of
codes, plus ``fits_image``); this rebuilds the frozen ``Region`` values and lets
``cine.regions.distance_cm`` decide, so the rule (same region, cm in both directions) lives in
one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cine.regions import DATA_TYPES, SPATIAL_FORMATS, UNITS, Region, distance_cm

_CODES = {
    "spatial_format": {name: code for code, name in SPATIAL_FORMATS.items()},
    "data_type": {name: code for code, name in DATA_TYPES.items()},
    "units": {name: code for code, name in UNITS.items()},
}


def _code(table: str, value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)  # as_dict() writes unknown codes as their number
    return _CODES[table].get(value, 0)


def _delta(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def region_from_dict(data: Mapping[str, Any]) -> Region:
    min_x, min_y, max_x, max_y = (int(v) for v in data["bounds"])
    return Region(
        min_x=min_x,
        min_y=min_y,
        max_x=max_x,
        max_y=max_y,
        spatial_format=_code("spatial_format", data.get("spatial_format")),
        data_type=_code("data_type", data.get("data_type")),
        units_x=_code("units", data.get("units_x")),
        units_y=_code("units", data.get("units_y")),
        delta_x=_delta(data.get("delta_x")),
        delta_y=_delta(data.get("delta_y")),
    )


def loop_regions(stored: Iterable[Mapping[str, Any]]) -> tuple[Region, ...]:
    """Regions usable for measuring: those whose bounds fit the image (see ``Region.fits``)."""
    regions = []
    for data in stored or ():
        if data.get("fits_image") is False:
            continue
        try:
            regions.append(region_from_dict(data))
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
