"""The renditions of a loop's video that a player chooses from — the one place that says what
the payloads (cases, quizzes, the offline bundle) tell players about them.

Each loop payload lists ``"renditions"``, highest first::

    [{"name": "high" | "medium" | "low", "url": str, "width": int, "height": int,
      "kbps": int}, ...]

"high" is the loop's ``video.mp4`` (``video_url`` is its URL); below it come the lower
renditions ``cine.renditions`` made, each served by the permission-checked media view as kind
``video-<name>``. Every rendition has the same frames at the same timestamps: a player may
switch between them at any time; the whole source frame fills each one's ``width`` x
``height``. ``kbps`` is the file's mean bitrate over the loop (the lower renditions are also
capped at a peak rate: 500 and 200 kbit/s over 2 s). A loop processed before renditions existed
lists "high" alone, sized ``columns`` x ``rows`` with ``kbps`` 0 (not measured), until
``manage.py make_renditions`` makes its renditions.

Public functions:
    rendition_entries(video) -> list[dict]     (``CineLoop.renditions`` from the facts)
    renditions_payload(loop) -> list[dict]
    lowest_rendition_url(loop) -> str | None
"""

from __future__ import annotations

from typing import Any

from cine.facts import VideoFacts
from cineloops.models import CineLoop

HIGH = "high"


def rendition_entries(video: VideoFacts | None) -> list[dict[str, Any]]:
    """What ``CineLoop.renditions`` keeps of a processed video: each rendition's file, size
    and measured bitrate, the full video first."""
    if video is None:
        return []
    entries = [_entry(HIGH, video.file, video.width, video.height, video.kbps or 0)]
    for rendition in video.renditions:
        entries.append(
            _entry(
                rendition.name, rendition.file, rendition.width, rendition.height, rendition.kbps
            )
        )
    return entries


def _entry(name: str, file: str, width: int, height: int, kbps: int) -> dict[str, Any]:
    return {"name": name, "file": file, "width": width, "height": height, "kbps": kbps}


def _kind(name: str) -> str:
    return "video" if name == HIGH else f"video-{name}"


def renditions_payload(loop: CineLoop) -> list[dict[str, Any]]:
    """The loop's renditions as players get them (see the module doc); [] without a video."""
    if loop.media_url("video") is None:
        return []
    # A loop made before renditions existed: its one video, not measured.
    entries = loop.renditions or [
        _entry(HIGH, loop.video_file, loop.columns or 0, loop.rows or 0, 0)
    ]
    found = []
    for entry in entries:
        url = loop.media_url(_kind(entry["name"]))
        if url is not None:
            found.append(
                {"name": entry["name"], "url": url}
                | {key: entry[key] for key in ("width", "height", "kbps")}
            )
    return found


def lowest_rendition_url(loop: CineLoop) -> str | None:
    """The smallest rendition's URL (the full video's when it has none), or None."""
    renditions = renditions_payload(loop)
    return renditions[-1]["url"] if renditions else None
