"""JPEG XL frames (PS3.5 8.2.15: one codestream per frame) decoded with imagecodecs (libjxl).

The codestream's own colour description drives decoding (PS3.5 8.2.15): libjxl returns grey,
or RGB whatever the encoder stored — XYB for lossy JPEG XL, and the original JPEG's YCbCr for
JPEG recompression (.111) are both converted by libjxl itself. So the header's YBR_FULL(_422)
or XYB is never converted again here. Without imagecodecs (or a build without libjxl) the
syntaxes are refused like any other without a decoder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cine.errors import InconsistentImageError

if TYPE_CHECKING:
    from cine.reader import PixelLayout

# PS3.5 Table 8.2.15-1, plus YBR_FULL_422, what the JPEG of a recompressed frame usually said.
PHOTOMETRICS = frozenset(
    {"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL", "YBR_FULL_422", "XYB"}
)


def available() -> bool:
    try:
        import imagecodecs
    except ImportError:
        return False
    return bool(imagecodecs.JPEGXL.available)


def decode_frame(data: bytes, layout: PixelLayout) -> np.ndarray:
    """One frame: rows x columns (grey or palette indices) or rows x columns x 3 RGB."""
    import imagecodecs

    if not imagecodecs.jpegxl_check(data):
        raise InconsistentImageError("a frame of the pixel data is not a JPEG XL codestream")
    arr = imagecodecs.jpegxl_decode(data)
    check_frame(arr, layout)
    return arr


def check_frame(arr: np.ndarray, layout: PixelLayout) -> None:
    """The codestream must be what the header says: size, samples and bit depth."""
    if arr.shape[:2] != (layout.rows, layout.columns):
        raise InconsistentImageError("Rows and Columns do not match the compressed frame size")
    samples = 1 if arr.ndim == 2 else arr.shape[2]
    if arr.ndim > 3 or samples != layout.samples_per_pixel:
        raise InconsistentImageError("the JPEG XL frames do not match SamplesPerPixel")
    if arr.dtype.itemsize * 8 != layout.bits_allocated:
        raise InconsistentImageError("the JPEG XL frames do not match BitsAllocated")
