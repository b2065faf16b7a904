"""Whatever a client sends, the room answers an error to that client only and keeps going:
huge messages, non-JSON, NaN, wrong types, HTML, unknown types and actions, another session's
loop, values out of range."""

from __future__ import annotations

from datetime import timedelta

import pytest

from live import services
from live.models import LiveEvent, LiveSession
from live.services import LiveError
from tests.cases.factories import ReadyLoopFactory
from tests.live.factories import started
from tests.live.room import Client, run

pytestmark = pytest.mark.django_db

RAW = [
    ("x" * 20_000, "too_large"),
    ('{"type": "host", "action": "seek", "frame": ' + "1" * 17_000 + "}", "too_large"),
    ("not json", "bad_json"),
    ('{"type": "host", "action": "seek", "frame": NaN}', "bad_json"),
    ('{"type": "host", "action": "rate", "rate": Infinity}', "bad_json"),
    ("[1, 2]", "bad_message"),
    ('{"type": 5}', "bad_message"),
    ('{"no": "type"}', "bad_message"),
    ('{"type": "drop_tables"}', "unknown_type"),
]

ACTIONS = [
    ({"action": "teleport"}, "unknown_action"),
    ({"action": "seek", "frame": "10"}, "invalid"),
    ({"action": "seek", "frame": 10.5}, "invalid"),
    ({"action": "seek", "frame": True}, "invalid"),
    ({"action": "seek", "frame": -1}, "invalid"),
    ({"action": "seek", "frame": 300}, "invalid"),  # the loop has 300 frames: 0-299
    ({"action": "seek"}, "invalid"),
    ({"action": "step", "frames": 0}, "invalid"),
    ({"action": "step", "frames": 10**9}, "invalid"),
    ({"action": "rate", "rate": 3}, "invalid"),
    ({"action": "rate", "rate": 0.1}, "invalid"),
    ({"action": "rate", "rate": "fast"}, "invalid"),
    ({"action": "ab", "ab": [80, 40]}, "invalid"),
    ({"action": "ab", "ab": [0, 1, 2]}, "invalid"),
    ({"action": "pointer", "x": 1.5, "y": 0.5}, "invalid"),
    ({"action": "pointer", "x": "0.5", "y": 0.5}, "invalid"),
    ({"action": "draw", "points": [[0.1, 0.1]]}, "invalid"),
    ({"action": "draw", "points": [[0.1, 0.1]] * 201}, "invalid"),
    ({"action": "draw", "points": [[0.1, 0.1], [0.2, "<svg onload=x>"]]}, "invalid"),
    ({"action": "draw", "points": "M0 0 L1 1"}, "invalid"),
    ({"action": "reveal", "annotation": 10**6}, "invalid"),
    ({"action": "loop", "loop": "all"}, "invalid"),
]


def test_hostile_messages_get_an_error_and_the_socket_stays_open(net):
    session = started(net)

    async def scenario():
        host = Client(net["host"], session)
        trainee = Client(net["county_trainee"], session)
        await host.connect()
        await trainee.connect()
        for raw, code in RAW:
            await trainee.send(raw)
            error = await trainee.until("error")
            assert error["code"] == code, raw[:60]
            assert error["message"]
        for action, code in ACTIONS:
            await host.send({"type": "host", **action, "ref": action["action"]})
            error = await host.until("error")
            assert (error["code"], error["ref"]) == (code, action["action"]), action
        assert await trainee.nothing()  # nobody else heard any of it
        await trainee.send({"type": "ping"})
        assert (await trainee.until("pong"))["server_ms"] > 0
        await host.close()
        await trainee.close()

    run(scenario)
    kinds = list(LiveEvent.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["start", "host_offline"]  # nothing but the host leaving at the end


def test_errors_are_in_the_senders_language(net):
    session = started(net)
    net["county_trainee"].preferred_language = "zh-hans"
    net["county_trainee"].save()

    async def scenario():
        trainee = Client(net["county_trainee"], session)
        await trainee.connect()
        await trainee.send({"type": "host", "action": "seek", "frame": 1})
        error = await trainee.until("error")
        assert error["code"] == "not_host"
        assert error["message"] != "Only the session's hosts may do this."
        await trainee.close()

    run(scenario)


def test_another_sessions_or_an_unlisted_loop_cannot_be_shown(net):
    session = started(net)
    other = started(net, agenda=[{"loop": net.single.pk}])
    stray = ReadyLoopFactory(institution=net.centre)
    for loop_id in (stray.pk, 10**6):
        with pytest.raises(LiveError) as refused:
            services.apply_host_action(
                session=other, by=net["host"], action={"action": "loop", "loop": loop_id}
            )
        assert refused.value.code == "not_on_agenda"
    with pytest.raises(LiveError) as not_on_this_one:
        services.apply_host_action(
            session=other, by=net["host"], action={"action": "loop", "loop": net.loops[0].pk}
        )
    assert not_on_this_one.value.code == "not_on_agenda"
    # The case's loops are on the first session's agenda through the case.
    state, _ = services.apply_host_action(
        session=session, by=net["host"], action={"action": "loop", "loop": net.loops[1].pk}
    )
    assert state["loop"]["id"] == net.loops[1].pk and state["loop"]["case"] == net.case.pk


def test_an_annotation_of_another_case_cannot_be_revealed(net):
    from cases.models import Annotation
    from tests.cases.factories import CaseFactory

    session = started(net)
    elsewhere = CaseFactory(institution=net.centre, loops=[net.loops[0]])
    foreign = Annotation.objects.create(
        case=elsewhere, loop=net.loops[0], kind="point", geometry={"x": 1.0, "y": 1.0}
    )
    with pytest.raises(LiveError):
        services.apply_host_action(
            session=session, by=net["host"], action={"action": "reveal", "annotation": foreign.pk}
        )
    state, event = services.apply_host_action(
        session=session,
        by=net["host"],
        action={"action": "reveal", "annotation": net.annotation.pk},
    )
    assert state["revealed"] == [net.annotation.pk]
    assert event.payload["annotation"]["geometry"] == net.annotation.geometry


def test_nothing_happens_in_a_session_that_is_not_running(net, now):
    from tests.live.factories import schedule

    session = schedule(net)
    with pytest.raises(LiveError) as scheduled:
        services.apply_host_action(
            session=session, by=net["host"], action={"action": "seek", "frame": 1}
        )
    assert scheduled.value.code == "not_live"
    with pytest.raises(LiveError) as not_host:
        services.session_start(session=session, by=net["county_instructor"])
    assert not_host.value.code == "forbidden"
    services.session_start(session=session, by=net["cohost"], now=now)
    services.session_end(session=session, by=net["host"], now=now + timedelta(minutes=30))
    with pytest.raises(LiveError) as ended:
        services.chat_post(session=session, by=net["county_trainee"], text="late")
    assert ended.value.code == "not_live"
    with pytest.raises(LiveError) as again:
        services.session_start(session=session, by=net["host"])
    assert again.value.code == "not_scheduled"
    assert LiveSession.objects.get(pk=session.pk).status == "ended"
