"""ROI rasterisation, linearisation and ROI curves on the intensity stack."""

import math

import numpy as np
import pytest

from cine.tic import (
    Ellipse,
    Polygon,
    linearisation_lut,
    linearise,
    load_stack,
    roi_curve,
    roi_mask,
)


def test_lut_follows_the_formula():
    lut = linearisation_lut(60.0)
    assert lut[0] == 1.0
    assert lut[255] == pytest.approx(1e6)
    g = np.array([0, 51, 128, 200])
    assert np.allclose(lut[g], 10 ** (g * 60 / 2550))
    # 10 dB of display range is a factor 10 in power: 255 * 10 / 60 grey levels.
    assert linearisation_lut(60.0)[255] / linearise(np.array(212.5), 60.0) == pytest.approx(10.0)
    assert linearisation_lut(40.0)[255] == pytest.approx(1e4)


def test_linearise_uint8_and_float_agree():
    grey = np.arange(256, dtype=np.uint8)
    assert np.allclose(linearise(grey, 50.0), linearise(grey.astype(float), 50.0))
    with pytest.raises(ValueError):
        linearisation_lut(0)


@pytest.mark.parametrize("scale", [(4.0, 4.0), (4.0, 2.0), (2.5, 3.0)])
def test_ellipse_area_close_to_analytic(scale):
    roi = Ellipse(cx=400, cy=300, rx=120, ry=80)
    mask = roi_mask(roi, (400, 400), scale)
    area = mask.pixel_count * scale[0] * scale[1]
    assert area == pytest.approx(math.pi * 120 * 80, rel=0.03)


def test_polygon_areas_convex_and_concave():
    square = Polygon(((100, 100), (300, 100), (300, 260), (100, 260)))
    assert roi_mask(square, (200, 200), (2, 2)).pixel_count * 4 == pytest.approx(200 * 160)
    # L-shape: 200x200 square minus a 100x100 corner.
    ell = Polygon(((0, 0), (200, 0), (200, 100), (100, 100), (100, 200), (0, 200)))
    assert roi_mask(ell, (100, 100), (2, 2)).pixel_count * 4 == pytest.approx(30000, rel=0.02)
    tri = Polygon(((10, 10), (210, 10), (10, 210)))
    assert roi_mask(tri, (120, 120), (2, 2)).pixel_count * 4 == pytest.approx(20000, rel=0.03)


def test_mask_position_on_the_grid():
    roi = Ellipse(cx=10, cy=30, rx=3, ry=3)  # original px; stack pixels are 4x4
    mask = roi_mask(roi, (20, 20), (4, 4))
    rows, cols = mask.bounds
    ys, xs = np.nonzero(mask.mask)
    assert (ys + rows.start).tolist() == [7] and (xs + cols.start).tolist() == [2]


def test_tiny_and_outside_rois():
    tiny = roi_mask(Ellipse(cx=5.2, cy=5.2, rx=0.1, ry=0.1), (10, 10), (4, 4))
    assert tiny.pixel_count == 1 and (tiny.y0, tiny.x0) == (1, 1)
    clipped = roi_mask(Ellipse(cx=0, cy=0, rx=20, ry=20), (10, 10), (4, 4))
    assert 0 < clipped.pixel_count < 25
    with pytest.raises(ValueError):
        roi_mask(Ellipse(cx=-100, cy=-100, rx=5, ry=5), (10, 10), (4, 4))
    with pytest.raises(ValueError):
        Polygon(((0, 0), (1, 1)))
    with pytest.raises(ValueError):
        Ellipse(1, 1, 0, 1)


def _stack_with_roi(values: np.ndarray, roi, shape=(30, 40), scale=(4.0, 4.0)) -> np.ndarray:
    stack = np.full((values.size, *shape), 255, dtype=np.uint8)
    rmask = roi_mask(roi, shape, scale)
    rows, cols = rmask.bounds
    for t, value in enumerate(values):
        stack[t, rows, cols][rmask.mask] = value
    return stack


def test_curve_is_mean_of_linearised_pixels(tmp_path):
    roi = Polygon(((20, 20), (100, 24), (90, 90), (30, 80)))
    grey = np.array([0, 10, 100, 200, 90], dtype=np.uint8)
    stack = _stack_with_roi(grey, roi)
    curve = roi_curve(stack, roi, scale=(4, 4), dynamic_range_db=60)
    assert np.allclose(curve, linearisation_lut(60)[grey])
    log_curve = roi_curve(stack, roi, scale=(4, 4), dynamic_range_db=None)
    assert np.allclose(log_curve, grey)
    path = tmp_path / "intensity.npy"
    np.save(path, stack)
    assert isinstance(load_stack(path), np.memmap)
    assert np.array_equal(roi_curve(path, roi, scale=(4, 4)), curve)


def test_linear_mean_is_not_the_log_mean():
    # Half the ROI black, half white: echo power averages towards the bright half.
    roi = Ellipse(cx=80, cy=60, rx=60, ry=40)
    stack = np.zeros((1, 30, 40), dtype=np.uint8)
    stack[:, :, 20:] = 255
    linear = roi_curve(stack, roi, scale=(4, 4))[0]
    assert linear == pytest.approx((1 + 1e6) / 2, rel=0.05)
    assert linear > 100 * linearisation_lut()[128]


def test_stack_must_be_uint8_3d():
    with pytest.raises(ValueError):
        roi_curve(np.zeros((3, 4), np.uint8), Ellipse(1, 1, 1, 1), scale=(1, 1))
    with pytest.raises(ValueError):
        roi_curve(np.zeros((3, 4, 4), np.float32), Ellipse(1, 1, 1, 1), scale=(1, 1))
