"""Fixed-window request counters kept in the cache shared by every process.

The counters live in the ``shared`` cache alias (Redis when CACHE_URL is set, else the
database cache), never in one process's memory: with two web workers a per-process count let
40 requests through a limit of 30.
"""

from __future__ import annotations

import time

from django.core.cache import caches

SHARED_CACHE = "shared"
# The windows' clock; tests replace it (the cache's own expiry keeps real time).
clock = time.time


def hit(*, key: str, limit: int, window_seconds: int) -> int:
    """Count one request under ``key``: 0 while within ``limit`` in the current window, else
    the seconds until the window ends (for Retry-After)."""
    cache = caches[SHARED_CACHE]
    now = clock()
    window = int(now // window_seconds)
    full_key = f"ratelimit:{key}:{window}"
    timeout = window_seconds + 5
    # add() then incr(): atomic on Redis; on the database cache two requests at the same
    # instant may both read the same value, so the limit can be passed by a request or two
    # under exactly concurrent load, never by a worker's whole share.
    cache.add(full_key, 0, timeout=timeout)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add() and incr()
        cache.set(full_key, 1, timeout=timeout)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * window_seconds - now) + 1)
