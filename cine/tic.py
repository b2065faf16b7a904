"""Time-intensity curves (TIC) from a region of interest on the intensity stack.

ROIs are drawn in ORIGINAL image pixel coordinates, continuous, with pixel (0, 0) covering
[0, 1) x [0, 1). The intensity stack (T x h x w uint8 luma) is the original downsampled by
`scale` = (sx, sy) original pixels per stack pixel, so stack pixel (j, i) covers
[j*sx, (j+1)*sx) x [i*sy, (i+1)*sy); it belongs to the ROI when its centre does.

Scanner video is log-compressed: grey level g is turned back into echo power with
P = 10^(g * DR / (255 * 10)) before averaging (DR = display dynamic range in dB), otherwise
every parameter is biased. Only the ROI's bounding box is read from a memory-mapped stack.
"""

import math
import os
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

DEFAULT_DYNAMIC_RANGE_DB = 60.0
# Working-set cap for one chunk of ROI samples (elements): keeps memory flat for large ROIs.
_CHUNK_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class Ellipse:
    """Axis-aligned ellipse: centre (cx, cy) and semi-axes (rx, ry), original pixels."""

    cx: float
    cy: float
    rx: float
    ry: float

    def __post_init__(self) -> None:
        if not (self.rx > 0 and self.ry > 0):
            raise ValueError("ellipse semi-axes must be positive")


@dataclass(frozen=True)
class Polygon:
    """Closed polygon (even-odd rule) given by its vertices (x, y), original pixels."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        points = tuple((float(x), float(y)) for x, y in self.points)
        if len(points) < 3:
            raise ValueError("a polygon needs at least three points")
        object.__setattr__(self, "points", points)


Roi = Ellipse | Polygon


@dataclass(frozen=True)
class RoiMask:
    """ROI rasterised on the stack grid: a boolean mask of its bounding box at (y0, x0)."""

    y0: int
    x0: int
    mask: np.ndarray

    @property
    def pixel_count(self) -> int:
        return int(self.mask.sum())

    @property
    def bounds(self) -> tuple[slice, slice]:
        height, width = self.mask.shape
        return slice(self.y0, self.y0 + height), slice(self.x0, self.x0 + width)


def _extent(roi: Roi) -> tuple[float, float, float, float]:
    if isinstance(roi, Ellipse):
        return roi.cx - roi.rx, roi.cx + roi.rx, roi.cy - roi.ry, roi.cy + roi.ry
    xs, ys = zip(*roi.points, strict=True)
    return min(xs), max(xs), min(ys), max(ys)


def _centre(roi: Roi) -> tuple[float, float]:
    if isinstance(roi, Ellipse):
        return roi.cx, roi.cy
    xs, ys = zip(*roi.points, strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def roi_contains(roi: Roi, x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Which points (x, y), in original pixels, lie in ``roi`` (broadcast; a 0-d array for one
    point): the ellipse's outline included, polygons by the even-odd rule (their outline is
    left to the caller: the quiz scoring decides it with a distance)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if isinstance(roi, Ellipse):
        return np.asarray(((x - roi.cx) / roi.rx) ** 2 + ((y - roi.cy) / roi.ry) ** 2 <= 1.0)
    inside = np.zeros(np.broadcast_shapes(x.shape, y.shape), dtype=bool)
    points = roi.points
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if y1 == y2:
            continue  # horizontal edges never cross a horizontal ray
        crosses = (y1 > y) != (y2 > y)
        x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_cross)
    return inside


def roi_mask(roi: Roi, grid_shape: tuple[int, int], scale: tuple[float, float]) -> RoiMask:
    """Rasterise `roi` on a stack grid of `grid_shape` (h, w) with `scale` (sx, sy)."""
    height, width = grid_shape
    sx, sy = float(scale[0]), float(scale[1])
    if sx <= 0 or sy <= 0:
        raise ValueError("scale factors must be positive")
    xmin, xmax, ymin, ymax = _extent(roi)
    j0 = max(0, math.ceil(xmin / sx - 0.5))
    j1 = min(width - 1, math.floor(xmax / sx - 0.5))
    i0 = max(0, math.ceil(ymin / sy - 0.5))
    i1 = min(height - 1, math.floor(ymax / sy - 0.5))
    if j0 <= j1 and i0 <= i1:
        xs = (np.arange(j0, j1 + 1) + 0.5) * sx
        ys = (np.arange(i0, i1 + 1) + 0.5) * sy
        mask = roi_contains(roi, xs[np.newaxis, :], ys[:, np.newaxis])
        if mask.any():
            return RoiMask(y0=i0, x0=j0, mask=mask)
    # Smaller than one stack pixel: use the pixel under its centre, if that is on the image.
    cx, cy = _centre(roi)
    j, i = int(cx // sx), int(cy // sy)
    if 0 <= j < width and 0 <= i < height:
        return RoiMask(y0=i, x0=j, mask=np.ones((1, 1), dtype=bool))
    raise ValueError("the ROI lies outside the image")


def linearisation_lut(dynamic_range_db: float = DEFAULT_DYNAMIC_RANGE_DB) -> np.ndarray:
    """Echo power (arbitrary units, 1 at grey 0) for each 8-bit grey level."""
    if not dynamic_range_db > 0:
        raise ValueError("the dynamic range must be positive (dB)")
    return 10.0 ** (np.arange(256, dtype=np.float64) * dynamic_range_db / (255.0 * 10.0))


def linearise(grey: np.ndarray, dynamic_range_db: float = DEFAULT_DYNAMIC_RANGE_DB) -> np.ndarray:
    """Turn log-compressed grey levels (0-255) into linear echo power."""
    grey = np.asarray(grey)
    if grey.dtype == np.uint8:
        return np.asarray(linearisation_lut(dynamic_range_db)[grey])
    return np.asarray(10.0 ** (grey.astype(np.float64) * dynamic_range_db / (255.0 * 10.0)))


def load_stack(path: str | os.PathLike) -> np.ndarray:
    """Memory-map the pipeline's ``intensity.npy`` (T x h x w uint8) without reading it."""
    stack: np.ndarray = np.load(path, mmap_mode="r")
    if stack.ndim != 3 or stack.dtype != np.uint8:
        raise ValueError("the intensity stack must be a T x h x w uint8 array")
    return stack


def roi_curve(
    stack: np.ndarray | str | os.PathLike,
    roi: Roi,
    *,
    scale: tuple[float, float],
    dynamic_range_db: float | None = DEFAULT_DYNAMIC_RANGE_DB,
) -> np.ndarray:
    """Mean intensity inside `roi` for every frame (float64, length T).

    Linear echo power when `dynamic_range_db` is given, else the mean grey level (log domain).
    """
    if not isinstance(stack, np.ndarray):
        stack = load_stack(stack)
    if stack.ndim != 3 or stack.dtype != np.uint8:
        raise ValueError("the intensity stack must be a T x h x w uint8 array")
    rmask = roi_mask(roi, stack.shape[1:], scale)
    rows, cols = rmask.bounds
    box = stack[:, rows, cols]  # a view: a memory-mapped stack is read only here
    if dynamic_range_db is None:
        lut = np.arange(256, dtype=np.float64)
    else:
        lut = linearisation_lut(dynamic_range_db)
    count = rmask.pixel_count
    n_frames = stack.shape[0]
    curve = np.empty(n_frames, dtype=np.float64)
    step = max(1, _CHUNK_ELEMENTS // max(count, 1))
    for start in range(0, n_frames, step):
        samples = np.asarray(box[start : start + step])[:, rmask.mask]
        curve[start : start + step] = lut[samples].sum(axis=1) / count
    return curve
