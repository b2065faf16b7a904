"""Poster and thumbnail sprite, both collected while the frames stream past.

The poster is the frame with the highest mean intensity inside the 2D region (for CEUS: the
enhancement peak), scored on the small luma frame the pipeline computes anyway; only the best
frame so far is kept. The sprite holds ``count`` evenly spaced small frames side by side in one
JPEG strip (left to right = start to end) for scrubbing previews; only those thumbnails are
ever kept in memory (the pipeline hands over the small frames it computes anyway).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

POSTER_QUALITY = 90
THUMB_QUALITY = 80


def save_jpeg(frame: np.ndarray, path: str | Path, quality: int = POSTER_QUALITY) -> None:
    Image.fromarray(frame).save(path, "JPEG", quality=quality, optimize=True)


class PosterPicker:
    """Keeps a copy of the frame with the highest score (the first one on ties)."""

    def __init__(self) -> None:
        self.index: int | None = None
        self.score = -np.inf
        self.frame: np.ndarray | None = None

    def offer(self, index: int, score: float, frame: np.ndarray) -> None:
        if score > self.score:
            self.index, self.score = index, float(score)
            self.frame = np.array(frame, copy=True)


def thumbnail_indices(frames: int, count: int) -> tuple[int, ...]:
    """``count`` evenly spaced frame indices from first to last (fewer if the loop is short)."""
    if frames <= 0 or count <= 0:
        return ()
    if count == 1:
        return (0,)
    picks = np.linspace(0, frames - 1, num=min(count, frames))
    return tuple(sorted({round(p) for p in picks}))


class ThumbnailStrip:
    """Collects the (already small) frames of ``indices``, all the same size."""

    def __init__(self, indices: tuple[int, ...]) -> None:
        self.indices = indices
        self._wanted = set(indices)
        self._thumbs: dict[int, np.ndarray] = {}

    def offer(self, index: int, small_frame: np.ndarray) -> None:
        if index in self._wanted:
            self._thumbs[index] = np.array(small_frame, copy=True)

    @property
    def collected(self) -> tuple[int, ...]:
        return tuple(sorted(self._thumbs))

    def sprite(self) -> np.ndarray:
        thumbs = [self._thumbs[i] for i in self.collected]
        if not thumbs:
            raise ValueError("no thumbnails were collected")
        return np.concatenate(thumbs, axis=1)

    def save(self, path: str | Path, quality: int = THUMB_QUALITY) -> None:
        save_jpeg(self.sprite(), path, quality)
