"""The channel layer follows CHANNEL_REDIS_URL: Redis when set (so several ASGI processes share
the rooms' groups), in memory otherwise."""

from __future__ import annotations

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
