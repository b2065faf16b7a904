"""The replay: the session's events in order with the state after each, so a viewer driven
through them shows the frames the participants saw; hidden questions stay out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from live import services
from live.selectors import replay
from live.services.state import frame_at
from tests.live.factories import started

pytestmark = pytest.mark.django_db


def test_the_replay_reproduces_the_frame_sequence_in_order(net, now):
    session = started(net, now=now)
    host = net["host"]
    script = [
        (1, {"action": "play", "frame": 0}),
        (3, {"action": "pause", "frame": 30}),
        (4, {"action": "step", "frames": 5}),
        (6, {"action": "loop", "loop": net.loops[1].pk}),
        (7, {"action": "seek", "frame": 200}),
        (8, {"action": "rate", "rate": 2.0}),
        (9, {"action": "play", "frame": 200}),
    ]
    live_frames = []
    for second, action in script:
        state, _ = services.apply_host_action(
            session=session, by=host, action=action, now=now + timedelta(seconds=second)
        )
        live_frames.append((state["loop"]["id"], frame_at(state, state["at_ms"] + 500)))
    asked = services.question_ask(
        session=session, by=net["county_trainee"], text="why?", now=now + timedelta(seconds=10)
    )
    hidden = services.question_ask(
        session=session, by=net["county_trainee"], text="spam", now=now + timedelta(seconds=11)
    )
    services.question_hide(
        session=session,
        by=host,
        question=hidden.payload["question"]["id"],
        now=now + timedelta(seconds=12),
    )
    services.session_end(session=session, by=host, now=now + timedelta(seconds=20))

    record = replay(session)

    events = record["events"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert [e["t_ms"] for e in events] == sorted(e["t_ms"] for e in events)
    kinds = [e["kind"] for e in events]
    playback = ["play", "pause", "step", "loop", "seek", "rate", "play"]
    assert kinds == ["start", *playback, "question_asked", "end"]
    assert record["initial"]["loop"]["id"] == net.loops[0].pk
    assert record["duration_ms"] == 20_000
    replayed = [
        (e["state"]["loop"]["id"], frame_at(e["state"], e["state"]["at_ms"] + 500))
        for e in events[1:8]
    ]
    assert replayed == live_frames
    assert [e["t_ms"] for e in events[1:8]] == [second * 1000 for second, _ in script]
    assert events[8]["payload"]["question"]["id"] == asked.payload["question"]["id"]
    assert events[8]["state"] is None  # a question leaves the playback alone
    # Played at rate 2 from frame 200 at 9 s; ended at 20 s: 200 + 11 s x 15 fps x 2 = 530,
    # past the loop's 450 frames, so it wrapped to 80 — where the end stopped it.
    assert events[-1]["state"]["frame"] == 80 and not events[-1]["state"]["playing"]
