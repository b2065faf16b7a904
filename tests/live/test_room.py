"""The room end to end through its websocket: hosts drive, participants follow, late joiners
and reconnecting clients land on the same state; on the in-memory and the Redis layer."""

from __future__ import annotations

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
