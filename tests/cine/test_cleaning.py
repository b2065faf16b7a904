"""Clean Pixel Data decisions and the blanking itself."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset

from cine.cleaning import CleaningReason, clean_frame, plan_cleaning, polygons_mask, regions_mask
from cine.errors import InvalidMaskError
from cine.regions import parse_regions

from .cine_factory import region_item


def regions(*items):
    ds = Dataset()
    ds.SequenceOfUltrasoundRegions = list(items)
    return parse_regions(ds)


TWO_D = region_item((10, 20, 59, 69))
WAVEFORM = region_item((10, 80, 89, 89), spatial_format=4, units=4)
GRAPHICS = region_item((0, 0, 99, 9), spatial_format=5)


def test_mask_is_the_union_of_image_regions_with_inclusive_bounds() -> None:
    mask = regions_mask(regions(TWO_D, WAVEFORM, GRAPHICS), 100, 100)
    assert mask[20, 10] and mask[69, 59] and not mask[70, 59] and not mask[69, 60]
    assert mask[85, 50]  # waveform kept
    assert not mask[5, 50]  # graphics (format 5) is not image content
    assert mask.sum() == 50 * 50 + 80 * 10


@pytest.mark.parametrize(
    ("items", "burned_in", "decision"),
    [
        ((TWO_D,), "YES", "outside_regions"),
        ((TWO_D,), "NO", "outside_regions"),  # regions present: blank anyway
        ((), "NO", "not_needed"),
        ((), "YES", "review_required"),
        ((), None, "review_required"),
        ((), "no ", "not_needed"),
        ((), "MAYBE", "review_required"),
        ((region_item((0, 0, 99, 99)),), "YES", "review_required"),  # covers the image
        ((region_item((0, 0, 99, 99)),), "NO", "not_needed"),
        ((region_item((0, 0, 400, 99)),), "YES", "review_required"),  # does not fit
        ((GRAPHICS,), "YES", "review_required"),
    ],
)
def test_decision(items, burned_in, decision: str) -> None:
    plan = plan_cleaning(regions(*items), 100, 100, burned_in)
    assert plan.decision == decision
    assert plan.blanks is (decision == "outside_regions")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ((TWO_D,), "regions"),
        ((), "no_regions"),
        ((GRAPHICS,), "no_regions"),  # no image region: graphics only
        ((region_item((0, 0, 99, 99)),), "regions_cover_image"),
        ((region_item((0, 0, 400, 99)),), "regions_do_not_fit"),
    ],
)
def test_every_decision_carries_a_stable_reason_code(items, code: str) -> None:
    """Callers translate the code; the English ``reason`` is only for logs and the CLI."""
    for burned_in in ("YES", "NO"):
        plan = plan_cleaning(regions(*items), 100, 100, burned_in)
        assert plan.reason_code == code and plan.reason_code == CleaningReason(code)
    mask = plan_cleaning(regions(*items), 100, 100, "YES", manual_mask=[[(1, 1), (5, 5)]])
    assert mask.reason_code == CleaningReason.MANUAL_MASK


def test_region_covering_94_percent_is_still_usable() -> None:
    plan = plan_cleaning(regions(region_item((0, 0, 93, 99))), 100, 100, "YES")
    assert plan.decision == "outside_regions"


def test_manual_mask_wins_over_regions_and_header() -> None:
    keep = np.zeros((100, 100), bool)
    keep[40:60, 40:60] = True
    plan = plan_cleaning(regions(TWO_D), 100, 100, "NO", manual_mask=keep)
    assert plan.decision == "manual_mask"
    assert plan.keep.sum() == 400


def test_polygons_and_rectangles() -> None:
    mask = polygons_mask([[(0, 0), (9, 9)], [(20, 20), (29, 20), (29, 29), (20, 29)]], 40, 40)
    assert mask[:10, :10].all() and mask[20:30, 20:30].all()
    assert mask.sum() == 200


def test_bad_manual_masks_are_refused() -> None:
    with pytest.raises(InvalidMaskError):
        plan_cleaning((), 10, 10, "YES", manual_mask=np.ones((5, 5), bool))
    with pytest.raises(InvalidMaskError):
        plan_cleaning((), 10, 10, "YES", manual_mask=[[(1, 1)]])
    with pytest.raises(InvalidMaskError):
        plan_cleaning((), 10, 10, "YES", manual_mask=np.zeros((10, 10), bool))


@pytest.mark.parametrize("colour", [False, True])
def test_blanking_equals_multiplying_by_the_mask(colour: bool) -> None:
    rng = np.random.default_rng(1)
    shape = (100, 100, 3) if colour else (100, 100)
    frame = rng.integers(1, 256, shape, dtype=np.uint8)
    plan = plan_cleaning(regions(TWO_D, WAVEFORM), 100, 100, "YES")
    keep = plan.keep if not colour else plan.keep[..., None]
    expected = frame * keep
    readonly = frame.copy()
    readonly.flags.writeable = False
    assert np.array_equal(clean_frame(readonly, plan), expected)  # copy, not in place
    assert np.array_equal(clean_frame(frame, plan), expected)
    assert np.array_equal(frame, expected)  # in place when writeable


def test_not_needed_and_review_leave_pixels_alone() -> None:
    frame = np.full((10, 10), 7, np.uint8)
    for burned_in in ("NO", "YES"):
        plan = plan_cleaning((), 10, 10, burned_in)
        assert clean_frame(frame, plan) is frame
