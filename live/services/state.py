"""The room's state and the host's actions on it — pure functions over plain values, no
database (``live.services.room`` locks the session, resolves ids and stores the result).

The state (``LiveSession.state``) is a JSON object, described with an example in
``live/PROTOCOL.md``. Playback is kept as a frame at a server time (``frame`` at ``at_ms``):
while ``playing``, every client extrapolates ``frame + (now - at_ms) / 1000 * fps * rate``,
wrapping inside the A/B range (or the whole loop), exactly as ``frame_at`` does here.

Every value of an action is checked here, whatever the client claims: types (a bool is not a
number), finiteness (no NaN or infinity), ranges (frames inside the loop, rates 0.25-2,
coordinates 0-1), sizes (≤ 200 points a drawing).
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _

from live import conf
from live.services.errors import LiveError

# Actions that change playback or drawings, checked by ``apply``; ``loop``, ``reveal`` and
# ``drive`` need ids the room service resolves first, ``pointer`` is handled apart (throttled).
PLAYBACK_ACTIONS = frozenset({"play", "pause", "seek", "step", "rate", "ab", "draw", "clear"})
HOST_ACTIONS = PLAYBACK_ACTIONS | {"loop", "reveal", "pointer", "drive"}


def blank_state(*, driver: int | None, at_ms: int) -> dict[str, Any]:
    return {
        "loop": None,
        "playing": False,
        "frame": 0,
        "at_ms": at_ms,
        "rate": 1.0,
        "ab": None,
        "revealed": [],
        "drawings": [],
        "pointer": None,
        "poll": None,
        "driver": driver,
        "host_online": driver is not None,
    }


def compact(state: dict[str, Any]) -> dict[str, Any]:
    """The state without its drawings (what every event carries; drawings travel as events
    and whole in a ``sync``)."""
    return {key: value for key, value in state.items() if key != "drawings"}


def frame_at(state: dict[str, Any], now_ms: int) -> int:
    """The frame shown at server time ``now_ms``: ``frame`` when paused, extrapolated while
    playing, wrapping inside the A/B range or the loop."""
    loop = state.get("loop")
    frame = int(state.get("frame") or 0)
    if not loop or not state.get("playing"):
        return frame
    elapsed = max(0, now_ms - int(state["at_ms"])) / 1000
    advanced = frame + math.floor(elapsed * float(loop["fps"]) * float(state["rate"]))
    first, last = state["ab"] if state.get("ab") else (0, int(loop["frames"]) - 1)
    if advanced <= last:
        return advanced
    span = last - first + 1
    return (
        first + (advanced - first) % span
        if frame >= first
        else first + (advanced - last - 1) % span
    )


# --- checking values -------------------------------------------------------------------------


def _invalid(field: str):
    return LiveError(
        "invalid", _("“%(field)s” has a value the room cannot use.") % {"field": field}
    )


def integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field)
    return value


def number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(field)
    result = float(value)
    if not math.isfinite(result):
        raise _invalid(field)
    return result


def unit(value: Any, field: str) -> float:
    """A normalised image coordinate, 0 to 1, rounded to 1e-4 (a 10,000-pixel image)."""
    result = number(value, field)
    if not 0.0 <= result <= 1.0:
        raise _invalid(field)
    return round(result, 4)


def point(value: Any, field: str = "point") -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _invalid(field)
    return [unit(value[0], field), unit(value[1], field)]


def _frame(state: dict[str, Any], value: Any, field: str = "frame") -> int:
    frame = integer(value, field)
    loop = state.get("loop")
    if not loop:
        raise LiveError("no_loop", _("No loop is shown yet."))
    if not 0 <= frame < int(loop["frames"]):
        raise _invalid(field)
    return frame


# --- applying --------------------------------------------------------------------------------


def apply(
    state: dict[str, Any], action: dict[str, Any], *, now_ms: int
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The state after a playback action, its event kind and payload (the cleaned action).
    ``action`` is the client's message; ``state`` is not changed in place."""
    name = action.get("action")
    if name not in PLAYBACK_ACTIONS:
        raise LiveError("unknown_action", _("This room action does not exist."))
    new = dict(state)
    if name in ("play", "pause", "seek"):
        frame = _frame(state, action.get("frame"))
        new["playing"] = {"play": True, "pause": False}.get(name, state["playing"])
        new["frame"], new["at_ms"] = frame, now_ms
        payload: dict[str, Any] = {"frame": frame}
    elif name == "step":
        delta = integer(action.get("frames"), "frames")
        if delta == 0 or abs(delta) > conf.get("MAX_STEP"):
            raise _invalid("frames")
        current = frame_at(state, now_ms)
        loop = state.get("loop")
        if not loop:
            raise LiveError("no_loop", _("No loop is shown yet."))
        frame = min(max(current + delta, 0), int(loop["frames"]) - 1)
        new.update(playing=False, frame=frame, at_ms=now_ms)
        payload = {"frames": delta, "frame": frame}
    elif name == "rate":
        rate = number(action.get("rate"), "rate")
        if not conf.get("MIN_RATE") <= rate <= conf.get("MAX_RATE"):
            raise _invalid("rate")
        # The frame reached so far stays: extrapolation restarts from it at the new speed.
        new.update(frame=frame_at(state, now_ms), at_ms=now_ms, rate=rate)
        payload = {"rate": rate}
    elif name == "ab":
        ab = _ab(state, action.get("ab"))
        new.update(frame=frame_at(state, now_ms), at_ms=now_ms, ab=ab)
        if ab and not ab[0] <= new["frame"] <= ab[1]:
            new["frame"] = ab[0]
        payload = {"ab": ab}
    elif name == "draw":
        points = action.get("points")
        if not isinstance(points, list) or not 2 <= len(points) <= conf.get("MAX_DRAW_POINTS"):
            raise _invalid("points")
        if not state.get("loop"):
            raise LiveError("no_loop", _("No loop is shown yet."))
        line = [point(p, "points") for p in points]
        number_ = (max((d["id"] for d in state["drawings"]), default=0)) + 1
        drawing = {"id": number_, "points": line}
        new["drawings"] = [*state["drawings"], drawing][-conf.get("MAX_DRAWINGS") :]
        payload = drawing
    else:  # clear
        new.update(drawings=[], pointer=None)
        payload = {}
    return new, name, payload


def _ab(state: dict[str, Any], value: Any) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _invalid("ab")
    first, last = _frame(state, value[0], "ab"), _frame(state, value[1], "ab")
    if first >= last:
        raise _invalid("ab")
    return [first, last]


def show_loop(state: dict[str, Any], loop: dict[str, Any], *, now_ms: int) -> dict[str, Any]:
    """The state with ``loop`` (``{"id", "case", "frames", "fps", "columns", "rows"}``) shown
    from its first frame, paused, at normal speed, nothing drawn or revealed."""
    return {
        **state,
        "loop": loop,
        "playing": False,
        "frame": 0,
        "at_ms": now_ms,
        "rate": 1.0,
        "ab": None,
        "revealed": [],
        "drawings": [],
        "pointer": None,
    }


def pointer(action: dict[str, Any]) -> dict[str, float] | None:
    """The pointer of a ``pointer`` action: ``{"x", "y"}`` normalised, or None (hidden) when
    the action says ``"x": null``."""
    if action.get("x") is None and action.get("y") is None:
        return None
    return {"x": unit(action.get("x"), "x"), "y": unit(action.get("y"), "y")}


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10)) | {127: None}


def plain_text(value: Any, field: str, *, max_length: int) -> str:
    """A text a person typed: a string, stripped, control characters other than tab and
    newline removed, 1 to ``max_length`` characters. Kept as typed otherwise — clients show it
    with ``textContent``, so markup in it stays text."""
    if not isinstance(value, str):
        raise _invalid(field)
    text = value.translate(_CONTROL).strip()
    if not text:
        raise LiveError("empty", _("Write something first."))
    if len(text) > max_length:
        raise LiveError(
            "too_long",
            _("At most %(max)d characters, please.") % {"max": max_length},
        )
    return text
