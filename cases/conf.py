"""Numbers that decide behaviour in the case library, overridable from Django settings.

Defaults follow the shared domain notes (DOMAIN.md sections 1-2): the EFSUMB phase timings
(seconds after injection), the display dynamic range used to linearise grey levels, and
Open edX-style watch time.
"""

from __future__ import annotations

from django.conf import settings

# Phase bands used when the author set no markers, as (start, end) seconds after injection:
# arterial 10-20 → 25-35 s, portal venous 30-45 → 120-180 s, late 120-180 s → bubble
# disappearance (~240-360 s). One boundary is shared by neighbouring phases.
DEFAULT_PHASES_S = {
    "arterial": (10.0, 30.0),
    "portal_venous": (30.0, 120.0),
    "late": (120.0, 360.0),
}


def phase_defaults() -> dict[str, tuple[float, float]]:
    return getattr(settings, "CASES_PHASE_DEFAULTS_S", DEFAULT_PHASES_S)


def dynamic_range_db() -> float:
    return float(getattr(settings, "CASES_TIC_DYNAMIC_RANGE_DB", 60.0))


def reviewed_fraction() -> float:
    """Share of the case's total loop duration that must really be played."""
    return float(getattr(settings, "CASES_REVIEWED_FRACTION", 0.9))


def heartbeat_tolerance_s() -> float:
    """Slack on top of the wall-clock time between two heartbeats (network jitter)."""
    return float(getattr(settings, "CASES_HEARTBEAT_TOLERANCE_S", 2.0))


def first_heartbeat_max_s() -> float:
    """Most a first heartbeat may credit: the player beats every ~5 s."""
    return float(getattr(settings, "CASES_FIRST_HEARTBEAT_MAX_S", 10.0))


def heartbeat_max_s() -> float:
    """Most one heartbeat may credit however long ago the previous one was."""
    return float(getattr(settings, "CASES_HEARTBEAT_MAX_S", 60.0))


def library_page_size() -> int:
    return int(getattr(settings, "CASES_LIBRARY_PAGE_SIZE", 24))
