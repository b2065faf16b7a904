"""The room end to end through its websocket: hosts drive, participants follow, late joiners
and reconnecting clients land on the same state; on the in-memory and the Redis layer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from live.models import LiveSession
from live.services.state import frame_at
from tests.live.factories import started
from tests.live.room import Client, gather, run

pytestmark = pytest.mark.django_db


def test_host_actions_reach_every_participant_and_a_late_joiner_lands_on_the_state(net, layer):
    session = started(net)
    loop_ids = [loop.pk for loop in net.loops]

    async def scenario():
        host = Client(net["host"], session)
        county = Client(net["county_trainee"], session)
        other = Client(net["second_county_trainee"], session)
        for client in (host, county, other):
            await client.connect()
        assert county.sync["state"]["loop"]["id"] == loop_ids[0]
        assert county.sync["you"] == {
            "id": net["county_trainee"].pk,
            "name": net["county_trainee"].get_full_name() or net["county_trainee"].username,
            "host": False,
            "muted": False,
        }

        actions = [
            {"action": "play", "frame": 10},
            {"action": "pause", "frame": 42},
            {"action": "step", "frames": 5},
            {"action": "rate", "rate": 0.5},
            {"action": "ab", "ab": [40, 80]},
            {"action": "loop", "loop": loop_ids[1]},
            {"action": "seek", "frame": 99},
        ]
        seen = []
        for action in actions:
            await host.send({"type": "host", **action})
            events = await gather(*(c.event(action["action"]) for c in (host, county, other)))
            assert len({e["seq"] for e in events}) == 1
            assert events[1]["state"] == events[2]["state"] == events[0]["state"]
            seen.append(events[1]["state"])
        assert seen[1]["frame"] == 42 and not seen[1]["playing"]
        assert seen[2]["frame"] == 47  # stepped 5 frames from the pause
        assert seen[5]["loop"]["id"] == loop_ids[1] and seen[5]["frame"] == 0
        assert seen[6]["frame"] == 99

        late = Client(net["centre_trainee"], session)
        synced = await late.connect()
        assert synced["state"]["loop"]["id"] == loop_ids[1]
        assert synced["state"]["frame"] == 99
        assert synced["seq"] == events[0]["seq"]
        for client in (host, county, other, late):
            await client.close()

    run(scenario)
    stored = LiveSession.objects.get(pk=session.pk)
    assert stored.state["frame"] == 99
    assert frame_at(stored.state, stored.state["at_ms"] + 10_000) == 99  # paused


def test_a_participant_cannot_drive(net):
    session = started(net)

    async def scenario():
        host = Client(net["host"], session)
        trainee = Client(net["county_trainee"], session)
        await host.connect()
        await trainee.connect()
        await trainee.send({"type": "host", "action": "seek", "frame": 5, "ref": "r1"})
        error = await trainee.until("error")
        assert (error["code"], error["ref"]) == ("not_host", "r1")
        assert await host.nothing()
        await trainee.close()
        await host.close()

    run(scenario)
    assert LiveSession.objects.get(pk=session.pk).state["frame"] == 0


def test_a_change_reaches_the_sockets_without_a_database_thread_hop_per_socket(net, monkeypatch):
    """Channels closes stale database connections in the database thread before every
    handler; for a change sent to a room of 200 sockets that queued 200 hops on the process's
    one database thread. Only the host's own request makes one now."""
    import channels.consumer

    hops = []
    close_stale = channels.consumer.aclose_old_connections

    async def counted() -> None:
        hops.append(1)
        await close_stale()

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    session = started(net)

    async def scenario():
        clients = [Client(net[role], session) for role in ("host", "cohost", "county_trainee")]
        for client in clients:
            await client.connect()
        hops.clear()
        await clients[0].send({"type": "host", "action": "seek", "frame": 12})
        events = await gather(*(client.event("seek") for client in clients))
        assert {event["state"]["frame"] for event in events} == {12}
        assert len(hops) == 1  # the host's message; none for the three deliveries
        for client in clients:
            await client.close()

    run(scenario)


def test_when_the_driving_host_drops_a_cohost_takes_over_with_one_action(net, layer):
    session = started(net)

    async def scenario():
        host = Client(net["host"], session)
        cohost = Client(net["cohost"], session)
        trainee = Client(net["county_trainee"], session)
        for client in (host, cohost, trainee):
            await client.connect()
        await host.send({"type": "host", "action": "pause", "frame": 33})
        await trainee.event("pause")
        await cohost.send({"type": "host", "action": "seek", "frame": 1})
        assert (await cohost.until("error"))["code"] == "not_driver"

        await host.close()  # the host's link drops
        offline = await trainee.event("host_offline")
        assert offline["state"]["host_online"] is False
        assert offline["state"]["frame"] == 33  # the room keeps its state

        await cohost.send({"type": "host", "action": "drive"})
        took = await trainee.event("drive")
        assert took["state"]["driver"] == net["cohost"].pk and took["state"]["host_online"]
        await cohost.send({"type": "host", "action": "step", "frames": -3})
        assert (await trainee.event("step"))["state"]["frame"] == 30

        back = Client(net["host"], session)  # the host comes back: not the driver any more
        synced = await back.connect()
        assert synced["state"]["driver"] == net["cohost"].pk and synced["you"]["host"]
        await back.send({"type": "host", "action": "drive"})
        assert (await trainee.event("drive"))["state"]["driver"] == net["host"].pk
        for client in (back, cohost, trainee):
            await client.close()

    run(scenario)


def test_a_participant_whose_connection_was_cut_comes_back_in_sync(net):
    session = started(net)

    async def scenario():
        host = Client(net["host"], session)
        trainee = Client(net["county_trainee"], session)
        await host.connect()
        await trainee.connect()
        await trainee.close()  # cut
        await host.send({"type": "host", "action": "loop", "loop": net.single.pk})
        await host.event("loop")
        await host.send({"type": "host", "action": "play", "frame": 7})
        played = await host.event("play")
        await host.send({"type": "host", "action": "draw", "points": [[0.1, 0.2], [0.3, 0.4]]})
        await host.event("draw")

        again = Client(net["county_trainee"], session)
        synced = await again.connect()
        state = synced["state"]
        assert state["loop"]["id"] == net.single.pk and state["playing"]
        assert (state["frame"], state["at_ms"]) == (7, played["state"]["at_ms"])
        assert state["drawings"] == [{"id": 1, "points": [[0.1, 0.2], [0.3, 0.4]]}]
        assert synced["seq"] == played["seq"] + 1
        # A client that missed a message asks for the whole room again.
        await again.send({"type": "sync"})
        assert (await again.until("sync"))["seq"] == synced["seq"]
        await again.close()
        await host.close()

    run(scenario)


def test_pointer_moves_reach_everyone_and_at_most_five_a_second_are_stored(net, now):
    from live import services
    from live.models import LiveEvent

    session = started(net, now=now)
    stored = 0
    for n in range(30):  # 30 moves in one second
        moment = now + timedelta(milliseconds=n * 33)
        state, event = services.apply_host_action(
            session=session,
            by=net["host"],
            action={"action": "pointer", "x": n / 30, "y": 0.5},
            now=moment,
        )
        assert state["pointer"]["x"] == round(n / 30, 4)
        stored += event is not None
    assert stored == 5
    assert LiveEvent.objects.filter(session=session, kind="pointer").count() == 5
