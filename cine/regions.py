"""Ultrasound regions (0018,6011) as frozen values, and calibrated distances.

A region is a rectangle of the image with its own physical meaning: a 2D tissue view, an
M-mode strip, a Doppler spectrum, an ECG trace. Bounds are inclusive pixel coordinates (PS3.3
C.8.5.5.1). A distance in cm is only meaningful when both points lie in one region whose X and
Y units are both cm; anything else is refused rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset

SPATIAL_FORMATS = {0: "none", 1: "2D", 2: "M-mode", 3: "spectral", 4: "waveform", 5: "graphics"}
DATA_TYPES = {  # PS3.3 C.8.5.5.1.2
    0: "none",
    1: "tissue",
    2: "color_flow",
    3: "pw_doppler",
    4: "cw_doppler",
    5: "doppler_mean_trace",
    6: "doppler_mode_trace",
    7: "doppler_max_trace",
    8: "volume_trace",
    9: "d_volume_dt_trace",
    10: "ecg_trace",
    11: "pulse_trace",
    12: "phonocardiogram_trace",
    13: "gray_bar",
    14: "color_bar",
    15: "integrated_backscatter",
    16: "area_trace",
    17: "d_area_dt_trace",
    18: "other_physiological_input",
}
UNITS = {
    0: "none",
    1: "percent",
    2: "dB",
    3: "cm",
    4: "s",
    5: "hertz",
    6: "dB/s",
    7: "cm/s",
    8: "cm2",
    9: "cm2/s",
    10: "cm3",
    11: "cm3/s",
    12: "degrees",
}
CM = 3
# Spatial formats that show image content (2D, M-mode, spectral, waveform): kept when cleaning.
IMAGE_FORMATS = frozenset({1, 2, 3, 4})


class MeasurementRefused(ValueError):
    """A distance that cannot be given in cm (different regions, or not calibrated in cm)."""


@dataclass(frozen=True)
class Region:
    """One ultrasound region; bounds are inclusive pixel coordinates."""

    min_x: int
    min_y: int
    max_x: int
    max_y: int
    spatial_format: int
    data_type: int
    units_x: int
    units_y: int
    delta_x: float | None
    delta_y: float | None

    @property
    def width(self) -> int:
        return self.max_x - self.min_x + 1

    @property
    def height(self) -> int:
        return self.max_y - self.min_y + 1

    @property
    def is_calibrated_cm(self) -> bool:
        return self.cm_per_pixel is not None

    @property
    def cm_per_pixel(self) -> tuple[float, float] | None:
        """(x, y) cm per pixel, only when both directions are in cm."""
        dx, dy = self.delta_x, self.delta_y
        if self.units_x != CM or self.units_y != CM or dx is None or dy is None:
            return None
        return (float(dx), float(dy)) if dx > 0 and dy > 0 else None

    def fits(self, rows: int, columns: int) -> bool:
        """False when the region reaches past the image: it describes another pixel grid
        (e.g. a rescaled copy), so neither its calibration nor its bounds can be trusted.

        One pixel too far is tolerated (and clipped when masking): several scanners write the
        exclusive bound (Max = Columns or Rows), e.g. the Mindray and Philips samples."""
        return self.max_x <= columns and self.max_y <= rows

    def contains(self, x: float, y: float) -> bool:
        # Inclusive bounds: a point on the last pixel column/row is inside.
        return self.min_x <= x <= self.max_x and self.min_y <= y <= self.max_y

    def as_dict(self) -> dict[str, Any]:
        """The serialised form (metadata.json, and the platform's copy): names instead of codes,
        and the cm per pixel when calibrated; ``from_dict`` reads it back."""
        cm = self.cm_per_pixel
        return {
            "bounds": [self.min_x, self.min_y, self.max_x, self.max_y],
            "spatial_format": SPATIAL_FORMATS.get(self.spatial_format, str(self.spatial_format)),
            "data_type": DATA_TYPES.get(self.data_type, str(self.data_type)),
            "units_x": UNITS.get(self.units_x, str(self.units_x)),
            "units_y": UNITS.get(self.units_y, str(self.units_y)),
            "delta_x": self.delta_x,
            "delta_y": self.delta_y,
            "cm_per_pixel_x": cm[0] if cm else None,
            "cm_per_pixel_y": cm[1] if cm else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Region:
        """The region ``as_dict`` wrote (a number stands for a code without a name); raises
        KeyError, TypeError or ValueError for anything else."""
        min_x, min_y, max_x, max_y = (int(v) for v in data["bounds"])
        return cls(
            min_x=min_x,
            min_y=min_y,
            max_x=max_x,
            max_y=max_y,
            spatial_format=_code(SPATIAL_FORMATS, data.get("spatial_format")),
            data_type=_code(DATA_TYPES, data.get("data_type")),
            units_x=_code(UNITS, data.get("units_x")),
            units_y=_code(UNITS, data.get("units_y")),
            delta_x=_delta(data.get("delta_x")),
            delta_y=_delta(data.get("delta_y")),
        )


def _code(names: Mapping[int, str], value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)  # as_dict() writes a code without a name as its number
    return next((code for code, name in names.items() if name == value), 0)


def _delta(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(item: Dataset, keyword: str, default: int = 0) -> int:
    value = item.get(keyword)
    try:
        return int(value) if value is not None and value != "" else default
    except (TypeError, ValueError):
        return default


def _float(item: Dataset, keyword: str) -> float | None:
    value = item.get(keyword)
    try:
        result = float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None
    return result if result is not None and math.isfinite(result) else None


def parse_regions(ds: Dataset) -> tuple[Region, ...]:
    """Regions of SequenceOfUltrasoundRegions; items with inverted bounds are skipped."""
    regions = []
    for item in ds.get("SequenceOfUltrasoundRegions", None) or ():
        try:
            region = Region(
                min_x=_int(item, "RegionLocationMinX0"),
                min_y=_int(item, "RegionLocationMinY0"),
                max_x=_int(item, "RegionLocationMaxX1", -1),
                max_y=_int(item, "RegionLocationMaxY1", -1),
                spatial_format=_int(item, "RegionSpatialFormat"),
                data_type=_int(item, "RegionDataType"),
                units_x=_int(item, "PhysicalUnitsXDirection"),
                units_y=_int(item, "PhysicalUnitsYDirection"),
                delta_x=_float(item, "PhysicalDeltaX"),
                delta_y=_float(item, "PhysicalDeltaY"),
            )
        except Exception:  # a malformed item must not stop the rest
            continue
        if region.max_x >= region.min_x >= 0 and region.max_y >= region.min_y >= 0:
            regions.append(region)
    return tuple(regions)


def regions_fitting(regions: Iterable[Region], rows: int, columns: int) -> tuple[Region, ...]:
    """The regions that lie inside a rows x columns image (see ``Region.fits``)."""
    return tuple(r for r in regions if r.fits(rows, columns))


def region_at(point: Sequence[float], regions: Iterable[Region]) -> Region | None:
    """The first region containing ``point`` (x, y), or None."""
    x, y = point
    return next((r for r in regions if r.contains(x, y)), None)


def distance_cm(p1: Sequence[float], p2: Sequence[float], regions: Iterable[Region]) -> float:
    """Distance between two (x, y) pixel points in cm.

    Raises MeasurementRefused when the points are not in one common region or that region is
    not calibrated in cm in both directions.
    """
    regions = tuple(regions)
    (x1, y1), (x2, y2) = p1, p2
    common = [r for r in regions if r.contains(x1, y1) and r.contains(x2, y2)]
    if not common:
        raise MeasurementRefused("the two points are not inside one ultrasound region")
    # Overlapping regions (e.g. colour box inside the 2D view): any calibrated one will do,
    # preferring 2D tissue regions.
    common.sort(key=lambda r: (r.spatial_format != 1, r.data_type != 1))
    for region in common:
        cm = region.cm_per_pixel
        if cm:
            return math.hypot((x2 - x1) * cm[0], (y2 - y1) * cm[1])
    raise MeasurementRefused("the region is not calibrated in cm in both directions")
