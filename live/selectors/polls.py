"""A poll as participants see it, and its results: counts per option, a heat map of the
clicks on the frame (hotspots), a histogram on the timeline (time points)."""

from __future__ import annotations

import math
from typing import Any

from live import conf
from live.models import Poll, PollKind


def poll_public(poll: Poll, *, reveal: bool = False) -> dict[str, Any]:
    """What every participant may read of ``poll``; the key only once revealed (or with
    ``reveal``, for the hosts)."""
    data: dict[str, Any] = {
        "id": poll.pk,
        "kind": poll.kind,
        "multiple": poll.multiple,
        "prompt": poll.prompt,
        "options": poll.options,
        "loop": poll.loop_id,
        "frame": poll.frame,
        "open": poll.is_open,
        "has_key": bool(poll.key),
        "revealed": poll.revealed_at is not None,
    }
    if reveal or poll.revealed_at is not None:
        data["key"] = poll.key
    return data


def poll_results(poll: Poll) -> dict[str, Any]:
    """The answers so far, counted for display (stored on the poll when it closes)."""
    values = list(poll.answers.values_list("value", flat=True))
    results: dict[str, Any] = {"answers": len(values)}
    if poll.kind == PollKind.CHOICE:
        counts = {option["id"]: 0 for option in poll.options}
        for value in values:
            for option in value.get("options", []):
                if option in counts:
                    counts[option] += 1
        results["counts"] = [{"id": pk, "count": n} for pk, n in counts.items()]
    elif poll.kind == PollKind.HOTSPOT:
        results["heatmap"] = heatmap([(v["x"], v["y"]) for v in values])
    else:
        loop = poll.loop
        duration = (loop.frames or 0) / loop.fps if loop and loop.fps else 0.0
        results["histogram"] = histogram([v["time_s"] for v in values], duration)
    return results


def heatmap(points: list[tuple[float, float]]) -> dict[str, Any]:
    """Clicks (normalised 0-1) counted on a grid of ``HEATMAP_COLUMNS`` x ``HEATMAP_ROWS``
    cells over the image: ``cells`` row by row, top row first (1.0 falls in the last cell)."""
    columns, rows = conf.get("HEATMAP_COLUMNS"), conf.get("HEATMAP_ROWS")
    cells = [0] * (columns * rows)
    for x, y in points:
        column = min(int(x * columns), columns - 1)
        row = min(int(y * rows), rows - 1)
        cells[row * columns + column] += 1
    return {"columns": columns, "rows": rows, "cells": cells, "max": max(cells, default=0)}


def histogram(times: list[float], duration_s: float) -> dict[str, Any]:
    """Time points counted in ``HISTOGRAM_BINS`` equal bins over the loop."""
    bins = conf.get("HISTOGRAM_BINS")
    width = duration_s / bins if duration_s > 0 else 1.0
    counts = [0] * bins
    for time_s in times:
        counts[min(max(math.floor(time_s / width), 0), bins - 1)] += 1
    return {"bins": counts, "bin_s": round(width, 6), "duration_s": duration_s}
