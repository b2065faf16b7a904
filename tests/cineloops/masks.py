"""Checks that a loop cleaned with keep-rectangles is blank outside them on every frame, in
every derived file: the de-identified DICOM (lossless: exact), the video (H.264: within a
grey level or two), the poster and the intensity stack."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pydicom
from PIL import Image

from cineloops.models import CineLoop
from tests.cine.cine_factory import make_cine
from tests.cineloops.stored import output_file

ROWS, COLUMNS, FRAMES = 96, 128, 8
# Lossy outputs (H.264, JPEG) may leave a faint halo: this many grey levels at most.
LOSSY_TOLERANCE = 3


def cine_without_regions(path: Path) -> Path:
    """A grey cine with no ultrasound regions and BurnedInAnnotation YES: needs review."""
    return make_cine(path, frames=FRAMES, rows=ROWS, columns=COLUMNS, regions=[])


def keep_of(rectangles: list[list[int]], rows: int, columns: int) -> np.ndarray:
    keep = np.zeros((rows, columns), bool)
    for x0, y0, x1, y1 in rectangles:
        keep[y0 : y1 + 1, x0 : x1 + 1] = True
    return keep


def assert_blank_outside(loop: CineLoop, rectangles: list[list[int]], source: Path) -> None:
    original = pydicom.dcmread(source).pixel_array
    frames = pydicom.dcmread(output_file(loop, "dicom")).pixel_array
    assert frames.shape == original.shape == (FRAMES, ROWS, COLUMNS)
    keep = keep_of(rectangles, ROWS, COLUMNS)
    for index in range(FRAMES):
        assert not frames[index][~keep].any(), f"frame {index}: pixels left outside the mask"
        assert (frames[index][keep] == original[index][keep]).all(), f"frame {index}: inside"

    decoded = 0
    with av.open(str(output_file(loop, "video"))) as container:
        for frame in container.decode(video=0):
            grey = frame.to_ndarray(format="gray")[:ROWS, :COLUMNS]
            assert grey[~keep].max() <= LOSSY_TOLERANCE, f"video frame {decoded}"
            assert grey[keep].mean() > 20, f"video frame {decoded}: the kept part is dark"
            decoded += 1
    assert decoded == FRAMES

    poster = np.asarray(Image.open(output_file(loop, "poster")).convert("L"))
    assert poster[~keep].max() <= LOSSY_TOLERANCE and poster[keep].mean() > 20
    stack = np.load(output_file(loop, "intensity"))  # full size here: the image is small
    assert stack.shape == (FRAMES, ROWS, COLUMNS)
    assert not stack[:, ~keep].any()
