"""The websocket side of bench/live_bench.py: one host and N participants of a live room in one
asyncio loop, the host's changes, and the figures made of what arrived.

Every socket keeps, for each ``event`` it receives, the time it arrived (``time.perf_counter``
of this process, the clock the host's send times are taken on: the latency of a change is its
arrival at a participant minus the moment the host sent it, server and Redis round trips
included, plus the time this process took to get to that socket — on a busy machine the
clients share the cores with the server).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

# The host's actions, in turn (live/PROTOCOL.md "Host actions"); ``step`` pauses.
KINDS = ("play", "pause", "seek", "step")
CONNECTING_AT_ONCE = 25  # sockets opening together (each admission reads and writes the database)


@dataclass
class Room:
    """Where the sockets go: the server, the session, the loop shown (its frame count)."""

    port: int
    session_id: int
    frames: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/live/{self.session_id}/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Socket:
    """One signed-in socket and what it received."""

    cookie: str
    connection: Any = None
    arrivals: dict[int, float] = field(default_factory=dict)  # seq -> perf_counter
    order: list[int] = field(default_factory=list)  # seqs as they came
    kinds: dict[int, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    closed: int | None = None
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    sync_seq: int = -1
    listener: asyncio.Task | None = None

    async def open(self, room: Room) -> None:
        self.connection = await websockets.connect(
            room.url,
            origin=websockets.Origin(room.origin),
            additional_headers={"Cookie": f"sessionid={self.cookie}"},
            open_timeout=120,
            max_queue=None,  # never stop reading: a slow client is not what is measured
        )
        self.listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        try:
            async for raw in self.connection:
                arrived = time.perf_counter()
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "event":
                    seq = message["seq"]
                    self.arrivals.setdefault(seq, arrived)
                    self.order.append(seq)
                    self.kinds[seq] = message["kind"]
                elif kind == "sync":
                    self.sync_seq = message["seq"]
                    self.synced.set()
                elif kind == "error":
                    self.errors.append(message.get("code", "?"))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = self.connection.close_code or 1006
            self.synced.set()  # nobody waits for a sync that cannot come

    async def sync(self, timeout: float) -> int:
        """Ask for the room again; the seq it is current at."""
        self.synced.clear()
        await self.connection.send(json.dumps({"type": "sync"}))
        await asyncio.wait_for(self.synced.wait(), timeout)
        return self.sync_seq

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
        if self.listener is not None:
            await self.listener


@dataclass
class Figures:
    participants: int
    changes: int
    latencies_ms: list[float]
    delivered: int
    seconds: float
    lost_deliveries: int  # (participant, change) pairs that never arrived
    lost_changes: int  # changes at least one participant never got
    out_of_order: int  # participants who got a change before an earlier one
    wrong_kinds: int  # numbered events that were not the host's change (another event came in)
    errors: int  # error messages received
    connect_seconds: float
    server_cpu_s: float = math.nan  # the server's processes' CPU time while the changes went

    @property
    def cpu_ms_per_change(self) -> float:
        return self.server_cpu_s * 1000 / self.changes

    @property
    def messages_per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank; NaN for nothing."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def action(index: int, frames: int) -> dict[str, Any]:
    """The host's ``index``-th change: play, pause, seek, step in turn, frames in range."""
    kind = KINDS[index % len(KINDS)]
    if kind == "step":
        return {"type": "host", "action": "step", "frames": 1 if index % 8 == 3 else -1}
    frame = (index * 37) % (frames - 1)
    return {"type": "host", "action": kind, "frame": frame}


def measure(
    sent: dict[int, float],
    expected_kinds: dict[int, str],
    host: Socket,
    participants: list[Socket],
    connect_seconds: float,
) -> Figures:
    """The figures of one run: ``sent`` maps each change's seq to its send time."""
    seqs = sorted(sent)
    latencies = []
    lost_deliveries = out_of_order = 0
    missed: set[int] = set()
    last_arrival = max(sent.values(), default=0.0)
    for socket in participants:
        for seq in seqs:
            arrived = socket.arrivals.get(seq)
            if arrived is None:
                lost_deliveries += 1
                missed.add(seq)
                continue
            latencies.append((arrived - sent[seq]) * 1000)
            last_arrival = max(last_arrival, arrived)
        got = [seq for seq in socket.order if seq in sent]
        if got != sorted(set(got)):
            out_of_order += 1
    wrong = sum(
        1 for seq in seqs if host.kinds.get(seq, expected_kinds[seq]) != expected_kinds[seq]
    )
    return Figures(
        participants=len(participants),
        changes=len(seqs),
        latencies_ms=latencies,
        delivered=len(latencies),
        seconds=last_arrival - min(sent.values(), default=0.0),
        lost_deliveries=lost_deliveries,
        lost_changes=len(missed),
        out_of_order=out_of_order,
        wrong_kinds=wrong,
        errors=sum(len(s.errors) for s in [host, *participants]),
        connect_seconds=connect_seconds,
    )


async def run_room(
    room: Room,
    host_cookie: str,
    cookies: list[str],
    *,
    changes: int,
    interval_s: float,
    settle_s: float,
    server_cpu: Callable[[], float] | None = None,
) -> Figures:
    """Connect the host and every participant, make ``changes`` changes ``interval_s`` apart,
    wait up to ``settle_s`` for the last ones to arrive everywhere, and measure."""
    host = Socket(host_cookie)
    participants = [Socket(cookie) for cookie in cookies]
    began = time.perf_counter()
    await host.open(room)
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)

    async def join(socket: Socket) -> None:
        async with gate:
            await socket.open(room)
            await asyncio.wait_for(socket.synced.wait(), 120)

    try:
        await asyncio.wait_for(host.synced.wait(), 120)
        await asyncio.gather(*(join(socket) for socket in participants))
        connect_seconds = time.perf_counter() - began
        refused = [s.closed for s in participants if s.closed is not None]
        if refused:
            raise RuntimeError(f"{len(refused)} sockets closed on joining (codes {set(refused)})")
        baseline = await host.sync(60)  # every earlier event (joins) is behind this seq
        cpu_before = server_cpu() if server_cpu else math.nan
        sent, expected = await _drive(host, room, baseline, changes, interval_s)
        deadline = time.perf_counter() + settle_s
        last = baseline + changes
        while time.perf_counter() < deadline and not all(
            last in s.arrivals for s in [host, *participants]
        ):
            await asyncio.sleep(0.02)
        figures = measure(sent, expected, host, participants, connect_seconds)
        if server_cpu:
            figures.server_cpu_s = server_cpu() - cpu_before
        return figures
    finally:
        await asyncio.gather(
            *(s.close() for s in [*participants, host] if s.connection is not None),
            return_exceptions=True,
        )


async def _drive(
    host: Socket, room: Room, baseline: int, changes: int, interval_s: float
) -> tuple[dict[int, float], dict[int, str]]:
    """Send the changes on a fixed schedule (not drifting with the send time). One socket's
    messages are handled in order by its consumer, and nothing else changes the room now: the
    i-th change becomes seq baseline + i + 1 (checked against the kinds the host receives)."""
    sent: dict[int, float] = {}
    expected: dict[int, str] = {}
    start = time.perf_counter()
    for index in range(changes):
        delay = start + index * interval_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        message = action(index, room.frames)
        seq = baseline + index + 1
        expected[seq] = message["action"]
        sent[seq] = time.perf_counter()
        await host.connection.send(json.dumps(message))
    return sent, expected
