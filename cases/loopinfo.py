"""Facts about a processed loop that live in its ``metadata.json`` rather than in its row:
the thumbnail strip layout, frame times and the intensity stack's scale.

A finished loop's outputs never change (processing runs once), so the parsed file is cached
per process, keyed by the loop and its processing time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cineloops.models import CineLoop


@lru_cache(maxsize=256)
def _read(path: str, stamp: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as src:
            meta = json.load(src)
    except (OSError, ValueError):
        return {}
    thumbs = meta.get("thumbnails") or {}
    return {
        "thumbnails": {
            "count": thumbs.get("count"),
            "tile_width": thumbs.get("width"),
            "tile_height": thumbs.get("height"),
            "frame_indices": list(thumbs.get("frame_indices") or []),
        }
        if thumbs
        else None,
        "frame_times_s": list(meta.get("frame_times_s") or []),
        "intensity_scale": list(meta.get("intensity_scale") or []),
    }


def loop_metadata(loop: CineLoop) -> dict[str, Any]:
    """{thumbnails, frame_times_s, intensity_scale} of a processed loop; {} when unavailable."""
    if not loop.has_outputs or not loop.metadata_file:
        return {}
    path = loop.file_path("metadata")
    if path is None:
        return {}
    stamp = loop.processed_at.isoformat() if loop.processed_at else ""
    return _read(str(path), stamp)
