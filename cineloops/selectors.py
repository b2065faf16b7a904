"""Reads about cine loops that the pages need beyond the row itself."""

from __future__ import annotations

import json

from cineloops.models import CineLoop


def thumbnail_strip(loop: CineLoop) -> dict | None:
    """The thumbnail strip's layout from the loop's metadata (count, frame size, the source
    frame of each), or None when the loop has no strip or its metadata cannot be read."""
    strip_path, meta_path = loop.file_path("thumbnails"), loop.file_path("metadata")
    if strip_path is None or meta_path is None:
        return None
    try:
        section = json.loads(meta_path.read_text("utf-8")).get("thumbnails") or {}
        count, width, height = int(section["count"]), int(section["width"]), int(section["height"])
        indices = [int(i) for i in section.get("frame_indices") or range(count)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if count < 1 or width < 1 or height < 1:
        return None
    return {"count": count, "width": width, "height": height, "frame_indices": indices}
