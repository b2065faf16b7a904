"""A cine's frames as the outputs show them: decoded, made 8-bit display frames
(``cine.frames``), and cleaned (``cine.cleaning``) when a plan blanks anything.

One generator for every pass over the pixels: the pipeline's, and the later one that makes
renditions from a de-identified DICOM (``cine.renditions``), whose frames were cleaned already.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from cine.cleaning import CleaningPlan, clean_frame
from cine.errors import InconsistentImageError
from cine.frames import display_converter
from cine.reader import CineHeader, iter_frames


def display_frames(
    src: Path,
    header: CineHeader,
    plan: CleaningPlan | None = None,
    decode_order: list[int] | None = None,
) -> Iterator[np.ndarray]:
    """Decoded → 8-bit display → cleaned frames (``decode_order``: see ``iter_frames``)."""
    raw = iter_frames(src, header, decode_order=decode_order)
    first = next(raw, None)
    if first is None:
        raise InconsistentImageError("the pixel data holds no frames")
    convert = display_converter(header.dataset, header.layout, first)
    for arr in itertools.chain((first,), raw):
        frame = np.ascontiguousarray(convert(arr))
        yield frame if plan is None else clean_frame(frame, plan)
