"""The channel layer follows CHANNEL_REDIS_URL: Redis when set (so several ASGI processes share
the rooms' groups), in memory otherwise."""

from __future__ import annotations

import asyncio
import os

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer

from tests.live.conftest import REDIS_SKIP


def test_the_redis_layer_is_in_use_when_the_variable_is_set(settings):
    if not os.environ.get("CHANNEL_REDIS_URL"):
        if os.environ.get("CEUS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CEUS_REQUIRE_SERVICES=1, but {REDIS_SKIP}")
        pytest.skip(REDIS_SKIP)
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] >= 1000

    async def round_trip():
        channel = await layer.new_channel()
        await layer.group_add("live.layer-check", channel)
        await layer.group_send("live.layer-check", {"type": "live.send", "payload": {"ok": 1}})
        return await layer.receive(channel)

    assert async_to_sync(round_trip)()["payload"] == {"ok": 1}


def test_without_the_variable_one_process_keeps_its_groups_in_memory(settings):
    if os.environ.get("CHANNEL_REDIS_URL"):
        pytest.skip("CHANNEL_REDIS_URL is set: the Redis layer is in use")
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def _redis_layer(settings) -> RedisChannelLayer:
    """A Redis layer configured as the settings configure it (skipped without Redis)."""
    url = os.environ.get("CHANNEL_REDIS_URL")
    if not url:
        if os.environ.get("CEUS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CEUS_REQUIRE_SERVICES=1, but {REDIS_SKIP}")
        pytest.skip(REDIS_SKIP)
    return RedisChannelLayer(
        hosts=[{"address": url, **settings.CHANNEL_REDIS_OPTIONS}],
        prefix=f"ceus-test-burst-{os.getpid()}",
    )


def test_a_quiet_process_keeps_waiting_for_its_messages(settings):
    """A process waits for its sockets' messages with a blocking pop of ``brpop_timeout``
    seconds; a Redis read time-out no longer than that (redis-py 8's default: 5 s, the same)
    made a quiet process's wait fail and drop a socket every 5 s (bench/live_bench.py)."""
    layer = _redis_layer(settings)
    (host,) = layer.hosts

    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout
    pool = layer.create_pool(0)
    assert pool.connection_kwargs["socket_timeout"] == host["socket_timeout"]


def test_a_burst_of_sockets_joining_one_process_is_not_refused(settings):
    """250 sockets of one process joining at once (a big session's start): redis-py's pool
    refuses commands past its size (100 by default) instead of queueing them."""
    layer = _redis_layer(settings)

    async def burst():
        channels = [await layer.new_channel() for _ in range(250)]
        await asyncio.gather(*(layer.group_add("live.burst", c) for c in channels))
        await layer.group_send("live.burst", {"type": "live.send", "text": "{}"})
        received = await asyncio.gather(*(layer.receive(c) for c in channels))
        await layer.flush()
        return received

    received = async_to_sync(burst)()

    assert [m["text"] for m in received] == ["{}"] * 250
