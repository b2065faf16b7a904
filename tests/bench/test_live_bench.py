"""bench/live_bench.py: its accounting on made-up arrivals, and a tiny run through a real
server and Redis so that the bench cannot rot (3 participants, 5 changes; no time asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.live_clients import KINDS, Socket, action, measure, percentile
from tests.live.conftest import REDIS_SKIP

REPO = Path(__file__).resolve().parents[2]


def _socket(arrivals: dict[int, float], order: list[int] | None = None) -> Socket:
    socket = Socket("cookie")
    socket.arrivals = dict(arrivals)
    socket.order = order if order is not None else sorted(arrivals)
    return socket


def test_latency_is_arrival_minus_send_and_missing_changes_are_lost():
    sent = {11: 1.000, 12: 1.100, 13: 1.200}
    expected = {11: "play", 12: "pause", 13: "seek"}
    host = _socket(sent)
    host.kinds = dict(expected)
    everything = _socket({11: 1.010, 12: 1.130, 13: 1.205})
    missed_one = _socket({11: 1.020, 13: 1.250})
    reordered = _socket({11: 1.015, 12: 1.140, 13: 1.210}, order=[11, 13, 12])

    figures = measure(sent, expected, host, [everything, missed_one, reordered], 2.5)

    assert sorted(round(ms) for ms in figures.latencies_ms) == [5, 10, 10, 15, 20, 30, 40, 50]
    assert (figures.lost_changes, figures.lost_deliveries) == (1, 1)
    assert figures.out_of_order == 1
    assert figures.delivered == 8
    assert figures.seconds == pytest.approx(0.25)  # first send to last arrival
    assert figures.messages_per_second == pytest.approx(32)
    assert figures.wrong_kinds == 0


def test_an_event_that_was_not_the_hosts_change_is_counted():
    sent, expected = {5: 1.0, 6: 1.1}, {5: "play", 6: "pause"}
    host = _socket(sent)
    host.kinds = {5: "play", 6: "host_offline"}

    assert measure(sent, expected, host, [_socket(sent)], 1.0).wrong_kinds == 1


def test_the_hosts_changes_take_turns_and_stay_inside_the_loop():
    frames = 300
    changes = [action(index, frames) for index in range(100)]

    assert [c["action"] for c in changes[:8]] == [*KINDS, *KINDS]
    assert all(0 <= c["frame"] < frames for c in changes if "frame" in c)
    assert {c["frames"] for c in changes if c["action"] == "step"} == {1, -1}


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 1)) == (
        50.0,
        95.0,
        100.0,
    )


def test_a_tiny_room_runs_through_the_server_and_redis(tmp_path):
    url = os.environ.get("CHANNEL_REDIS_URL")
    if not url:
        if os.environ.get("CEUS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CEUS_REQUIRE_SERVICES=1, but {REDIS_SKIP}")
        pytest.skip(REDIS_SKIP)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite
    result = subprocess.run(
        [sys.executable, "bench/live_bench.py", "--participants", "3", "--changes", "5",
         "--interval-ms", "50", "--workers", "2", "--redis", url],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = [line.split() for line in result.stdout.splitlines() if line.startswith("    3 ")]
    assert row[0] == "3"
    assert row[5:7] == ["0", "(0)"]  # every participant got every change
    assert row[7:9] == ["0", "0"]  # in order, no error
    assert "target" in result.stdout
