"""Turn decoded frames into 8-bit display frames (grey HxW or RGB HxWx3), and shrink them.

The reader already yields RGB for every colour photometric (YBR_FULL, YBR_FULL_422, YBR_ICT,
YBR_RCT, and the codec-specific YBR_PARTIAL_420 of H.264/HEVC and XYB of JPEG XL are converted
once, by the decoder), so nothing here converts YBR again. What is left:

* PALETTE COLOR — the LUT (8- or 16-bit entries, plain or segmented, any first mapped value) is
  expanded once into a table over every possible index; a frame is then one ``take``.
* MONOCHROME1 — inverted, so that more signal is brighter, as on the scanner.
* greyscale deeper than 8 bits or signed — Modality LUT (rescale), then the first
  WindowCenter/WindowWidth (linear, PS3.3 C.11.2.1.2). Without a window, the first frame's
  min-max range is used for the whole loop, so brightness never jumps between frames.
* 16-bit colour — the top 8 stored bits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut

from cine.errors import InconsistentImageError

SUPPORTED_PHOTOMETRIC = frozenset(
    {
        "MONOCHROME1",
        "MONOCHROME2",
        "PALETTE COLOR",
        "RGB",
        "YBR_FULL",
        "YBR_FULL_422",
        "YBR_ICT",
        "YBR_RCT",
        "YBR_PARTIAL_420",  # H.264 / HEVC only (cine.reader checks which syntax allows which)
        "XYB",  # JPEG XL only
    }
)
Converter = Callable[[np.ndarray], np.ndarray]

if TYPE_CHECKING:  # the reader imports SUPPORTED_PHOTOMETRIC from here: no run-time cycle
    from cine.reader import PixelLayout


def _native(arr: np.ndarray) -> np.ndarray:
    """Big-endian files decode to '>u2' arrays; tables and Pillow want native byte order."""
    return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))


def palette_table(ds: Dataset, bits_stored: int) -> np.ndarray:
    """(2**bits_stored, 3) uint8 RGB for every possible palette index."""
    if bits_stored > 16:
        raise InconsistentImageError("palette indices deeper than 16 bits are not supported")
    indices = np.arange(2**bits_stored, dtype=np.uint16 if bits_stored > 8 else np.uint8)
    try:
        rgb = apply_color_lut(indices, ds)[..., :3]
    except (ValueError, AttributeError, KeyError, IndexError) as exc:
        raise InconsistentImageError("the palette colour lookup table is invalid") from exc
    if rgb.dtype != np.uint8:
        if rgb.max() <= 255:
            # Some scanners declare 16-bit entries but store 8-bit values.
            return rgb.astype(np.uint8)
        return ((rgb.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    return np.ascontiguousarray(rgb)


def _first(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str | bytes) and hasattr(value, "__iter__"):
            value = next(iter(value))  # MultiValue: the first window is the default one
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, StopIteration):
        return None


def window_bounds(ds: Dataset, first_frame: np.ndarray) -> tuple[float, float]:
    """(low, high) modality values mapped to 0 and 255."""
    centre, width = _first(ds.get("WindowCenter")), _first(ds.get("WindowWidth"))
    if centre is not None and width is not None and width >= 1:
        low = centre - 0.5 - (width - 1) / 2
        return low, low + max(width - 1, 1)
    values = _rescale(_native(first_frame).astype(np.float64), ds)
    low, high = float(values.min()), float(values.max())
    return low, max(high, low + 1)


def _rescale(values: np.ndarray, ds: Dataset) -> np.ndarray:
    slope = _first(ds.get("RescaleSlope"))
    intercept = _first(ds.get("RescaleIntercept"))
    if slope is not None and slope != 1:
        values = values * slope
    if intercept:
        values = values + intercept
    return values


def _grey_table(
    ds: Dataset, bits: int, signed: bool, low: float, high: float, invert: bool
) -> np.ndarray:
    raw = np.arange(2**bits, dtype=np.int64)
    if signed:
        raw = np.where(raw >= 2 ** (bits - 1), raw - 2**bits, raw)  # index = unsigned view
    scaled = (_rescale(raw.astype(np.float64), ds) - low) / (high - low) * 255
    table = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    return 255 - table if invert else table


def display_converter(ds: Dataset, layout: PixelLayout, first_frame: np.ndarray) -> Converter:
    """A function mapping each decoded frame of this file to an 8-bit display frame.

    ``layout`` is the reader's ``PixelLayout``; ``first_frame`` the first decoded frame (for
    the windowing fallback and the decoded dtype).
    """
    photometric = layout.photometric
    if photometric not in SUPPORTED_PHOTOMETRIC:
        raise InconsistentImageError("the PhotometricInterpretation is not supported")
    dtype = first_frame.dtype
    if photometric == "PALETTE COLOR":
        if first_frame.ndim != 2:
            raise InconsistentImageError("palette colour data must have one sample per pixel")
        table = palette_table(ds, min(layout.bits_stored, dtype.itemsize * 8))
        unsigned = np.dtype(f"u{dtype.itemsize}")
        if len(table) == 2 ** (8 * dtype.itemsize):
            return lambda a: table[_native(a).view(unsigned)]
        mask = len(table) - 1  # unused high bits must not index past the table
        return lambda a: table[np.bitwise_and(_native(a).view(unsigned), mask)]

    if first_frame.ndim == 3:  # RGB after decoding
        shift = max(layout.bits_stored, 8) - 8 if dtype != np.uint8 else 0
        if dtype == np.uint8:
            return lambda a: a
        return lambda a: (_native(a) >> shift).astype(np.uint8)

    invert = photometric == "MONOCHROME1"
    if dtype == np.uint8 and layout.bits_stored == 1:
        return lambda a: np.subtract(1, a, dtype=np.uint8) * 255 if invert else a * 255
    plain = "RescaleSlope" not in ds and "WindowWidth" not in ds
    if dtype == np.uint8 and layout.bits_stored >= 8 and plain:
        return (lambda a: 255 - a) if invert else (lambda a: a)
    low, high = window_bounds(ds, first_frame)
    if dtype.itemsize <= 2:
        bits = dtype.itemsize * 8
        table = _grey_table(ds, bits, dtype.kind == "i", low, high, invert)
        unsigned = np.dtype(f"u{dtype.itemsize}")
        return lambda a: table[_native(a).view(unsigned)]

    def deep(a: np.ndarray) -> np.ndarray:  # 32-bit data: arithmetic, no table
        scaled = (_rescale(_native(a).astype(np.float64), ds) - low) / (high - low) * 255
        out = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
        return 255 - out if invert else out

    return deep


def reduce_factor(rows: int, columns: int, long_side: int) -> int:
    """Smallest integer factor that brings the longer side to at most ``long_side``."""
    return max(1, -(-max(rows, columns) // long_side))


def reduce(frame: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor`` x ``factor`` blocks (Pillow ``reduce``, ~3x faster than a resize).

    The result has ``rows // factor`` x ``columns // factor`` pixels: stack pixel (i, j) is
    the mean of original pixels [i*f, (i+1)*f) x [j*f, (j+1)*f); a remainder of fewer than
    ``factor`` pixels at the right/bottom edge is left out.
    """
    if factor == 1:
        return frame
    h, w = frame.shape[0] // factor, frame.shape[1] // factor
    return np.asarray(Image.fromarray(frame).reduce(factor, box=(0, 0, w * factor, h * factor)))


def luma(frame: np.ndarray) -> np.ndarray:
    """8-bit luma (ITU-R BT.601 weights, as in JPEG's Y) of a grey or RGB display frame."""
    if frame.ndim == 2:
        return frame
    return np.asarray(Image.fromarray(frame).convert("L"))
