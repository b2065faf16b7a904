"""Fixtures of the live room tests: the teaching network, the channel layer (in memory, or
Redis for the tests that take ``layer``), and websocket clients driven in one event loop."""

from __future__ import annotations

import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer

from tests.live.factories import network

REDIS_SKIP = (
    "Redis channel layer: set CHANNEL_REDIS_URL=redis://… (bash .ci/run sets it and starts Redis)"
)


@pytest.fixture
def net(db):
    return network()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """The consumers' database calls run in the test's thread, inside its transaction (see
    ``tests.live.room``). ``database_sync_to_async`` closes "old" connections around each call,
    which inside a test transaction means closing the test's own (on PostgreSQL; SQLite's
    in-memory database ignores it) — Django's test client disconnects the same cleanup from
    its request signals for the same reason."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)


def _use_layer(settings, config: dict) -> None:
    settings.CHANNEL_LAYERS = {"default": config}
    channel_layers.backends.clear()  # the next get_channel_layer() builds it from the settings


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    """Every test starts with empty groups (session ids repeat between tests)."""
    channel_layers.backends.clear()
    yield
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    channel_layers.backends.clear()


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings) -> str:
    """The same test on the in-memory layer and on the Redis layer (skipped without
    CHANNEL_REDIS_URL, refused in CI: CEUS_REQUIRE_SERVICES)."""
    limits = {"capacity": 1000, "expiry": 60, "group_expiry": 86400}
    if request.param == "memory":
        _use_layer(settings, {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": limits})
        return "memory"
    url = os.environ.get("CHANNEL_REDIS_URL", "")
    if not url:
        if os.environ.get("CEUS_REQUIRE_SERVICES") == "1":
            pytest.fail(f"CEUS_REQUIRE_SERVICES=1, but {REDIS_SKIP}")
        pytest.skip(REDIS_SKIP)
    prefix = f"ceus-test-{uuid.uuid4().hex[:8]}"
    _use_layer(
        settings,
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, **settings.CHANNEL_REDIS_OPTIONS}],
                "prefix": prefix,
                **limits,
            },
        },
    )
    return "redis"
