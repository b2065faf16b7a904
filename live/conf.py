"""Numbers that decide behaviour in live rooms, overridable from Django settings
(``LIVE_<NAME>``)."""

from __future__ import annotations

from django.conf import settings

# One websocket message, as received (UTF-8 text): a drawing of 200 points is ~5 KB.
MAX_MESSAGE_BYTES = 16 * 1024
# Room texts: questions and chat messages, characters.
MAX_TEXT = 500
# A drawn polyline: points, normalised 0-1; drawings kept in the state (older ones dropped).
MAX_DRAW_POINTS = 200
MAX_DRAWINGS = 20
# Playback rates a host may choose.
MIN_RATE, MAX_RATE = 0.25, 2.0
# The largest step of one "step" action, frames.
MAX_STEP = 1000
# Pointer positions stored for the replay: at most this many per second per session.
POINTER_STORED_PER_SECOND = 5
# Chat messages and questions per user: (count, window seconds), counted in the shared cache.
CHAT_RATE = (5, 10)
QUESTION_RATE = (3, 30)
# Poll options (on-the-spot), and the cells of a hotspot poll's heat map.
MAX_POLL_OPTIONS = 10
HEATMAP_COLUMNS, HEATMAP_ROWS = 32, 24
# Bins of a time-point poll's histogram over the loop.
HISTOGRAM_BINS = 40
# Chat messages a joining client receives.
CHAT_BACKLOG = 50


def get(name: str):
    """``LIVE_<NAME>`` from the settings, else this module's value."""
    return getattr(settings, f"LIVE_{name}", globals()[name])
