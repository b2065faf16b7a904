"""Reads of live sessions, by concern — ``sessions`` (who sees which), ``room`` (what a
client receives on connecting), ``polls`` (results), ``attendance`` (rows, CSV, hours) and
``replay``."""

from live.selectors.attendance import attendance_csv, attendance_rows, live_hours
from live.selectors.polls import heatmap, histogram, poll_public, poll_results
from live.selectors.replay import replay
from live.selectors.room import room_snapshot
from live.selectors.sessions import joinable_sessions, session_for, upcoming_for, with_people

__all__ = [
    "attendance_csv",
    "attendance_rows",
    "heatmap",
    "histogram",
    "joinable_sessions",
    "live_hours",
    "poll_public",
    "poll_results",
    "replay",
    "room_snapshot",
    "session_for",
    "upcoming_for",
    "with_people",
]
