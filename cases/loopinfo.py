"""Facts about a processed loop that live in its ``metadata.json`` rather than in its row:
the thumbnail strip layout, frame times and the intensity stack's scale.

The file is read through the media storage, once per process (``cineloops.storage.read_json``:
a processing run's outputs never change, a new run stores new names).
"""

from __future__ import annotations

from typing import Any

from cineloops import storage
from cineloops.models import CineLoop


def _read(name: str) -> dict[str, Any]:
    try:
        meta = storage.read_json(name)
    except (*storage.STORE_ERRORS, ValueError):
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
    name = loop.output_name("metadata")
    if name is None:
        return {}
    return _read(name)
