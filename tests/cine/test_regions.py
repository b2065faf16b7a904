"""Ultrasound regions: parsing, inclusive bounds, calibrated distances that refuse to guess."""

from __future__ import annotations

import math

import pytest
from pydicom.dataset import Dataset

from cine.regions import MeasurementRefused, Region, distance_cm, parse_regions, region_at

from .cine_factory import region_item


def regions(*items: Dataset):
    ds = Dataset()
    ds.SequenceOfUltrasoundRegions = list(items)
    return parse_regions(ds)


def test_parse_keeps_bounds_units_and_deltas() -> None:
    (region,) = regions(region_item((10, 20, 109, 219), delta=(0.02, 0.03)))
    assert (region.min_x, region.min_y, region.max_x, region.max_y) == (10, 20, 109, 219)
    assert (region.width, region.height) == (100, 200)
    assert region.cm_per_pixel == (0.02, 0.03)
    facts = region.as_dict()
    assert facts["spatial_format"] == "2D" and facts["units_x"] == "cm"
    assert facts["cm_per_pixel_y"] == 0.03


@pytest.mark.parametrize(
    ("spatial_format", "units", "delta"),
    [(1, 3, (0.02, 0.03)), (4, 4, 0.01), (2, 3, None), (77, 99, 0.5)],  # 77, 99: unnamed
)
def test_the_serialised_region_reads_back(spatial_format, units, delta) -> None:
    item = region_item((1, 2, 30, 40), spatial_format=spatial_format, units=units, delta=delta)
    if delta is None:
        del item.PhysicalDeltaX, item.PhysicalDeltaY
    (region,) = regions(item)
    assert Region.from_dict(region.as_dict()) == region


def test_inverted_or_missing_items_are_skipped() -> None:
    assert regions(region_item((50, 50, 10, 10))) == ()
    assert parse_regions(Dataset()) == ()


def test_bounds_are_inclusive() -> None:
    found = regions(region_item((10, 10, 19, 19)))
    assert region_at((19, 19), found) is not None
    assert region_at((20, 19), found) is None


def test_distance_uses_both_deltas() -> None:
    found = regions(region_item((0, 0, 99, 99), delta=(0.01, 0.02)))
    assert distance_cm((0, 0), (30, 40), found) == pytest.approx(math.hypot(0.3, 0.8))


def test_distance_across_regions_is_refused() -> None:
    found = regions(region_item((0, 0, 49, 99)), region_item((50, 0, 99, 99)))
    with pytest.raises(MeasurementRefused):
        distance_cm((10, 10), (60, 10), found)


def test_distance_outside_any_region_is_refused() -> None:
    with pytest.raises(MeasurementRefused):
        distance_cm((10, 10), (20, 20), ())


def test_distance_in_seconds_or_velocity_units_is_refused() -> None:
    spectral = region_item((0, 0, 99, 99), spatial_format=3, units=4)
    with pytest.raises(MeasurementRefused):
        distance_cm((1, 1), (5, 5), regions(spectral))


def test_region_reaching_past_the_image_does_not_fit() -> None:
    (exclusive_bound,) = regions(region_item((0, 0, 100, 50)))  # vendor off-by-one
    (rescaled,) = regions(region_item((0, 0, 300, 50)))
    assert exclusive_bound.fits(rows=60, columns=100)
    assert not rescaled.fits(rows=60, columns=100)
