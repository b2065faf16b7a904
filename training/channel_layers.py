"""The channel layer of the live rooms (Django Channels), as settings build it.

Every ASGI process joins a session's group; a host's change is sent to the group once and
each process hands it to its own sockets. With CHANNEL_REDIS_URL the group lives in Redis, so
participants connected to different processes and hosts hear the same changes. Without it,
the in-memory layer keeps groups inside one process: right for ONE ASGI process (a laptop,
`make run`), wrong for two (a participant on the other process would hear nothing).
capacity: messages that may wait for one socket (and, in Redis, for one process: a change
sent to a group is ONE message per process, carrying the list of its sockets). A host's burst
(100 changes in a second, pointer moves at 5-30/s) is far below it; a socket 1000 messages
behind is stalled, loses the oldest and resynchronises by ``seq``. 500 participants in one
process cost one message per change, not 500, so the number does not grow with the room.
expiry: seconds a message waits before it is dropped (a process frozen that long resyncs its
clients anyway). group_expiry: a socket leaves its groups after this long (longer than any
session: a day).
"""

from __future__ import annotations

from typing import Any

LIMITS = {"capacity": 1000, "expiry": 60, "group_expiry": 24 * 3600}
# The Redis connections of each ASGI process (redis-py's pool, options of channels_redis'
# host entry). socket_timeout: a process waits for its messages with a blocking pop of 5 s
# (channels_redis' BZPOPMIN); redis-py 8 gives every read a 5 s time-out by default, so a
# process quiet for 5 s had its wait fail and took a socket down with it (channels_redis
# issue 422; bench/live_bench.py lost sockets that way) — 15 s outlasts the pop and still
# notices a dead Redis. max_connections: redis-py's pool refuses (it does not wait) beyond 100
# commands in flight, which 250 sockets of one process joining or leaving at once (a big
# session's start or end) pass; a connection per socket at most.
REDIS_OPTIONS = {"socket_timeout": 15, "max_connections": 1000}


def channel_layers(redis_url: str, *, prefix: str) -> dict[str, dict[str, Any]]:
    """Redis when ``redis_url`` is set, else the memory of this one process."""
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": LIMITS}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, **REDIS_OPTIONS}],
                "prefix": prefix,
                **LIMITS,
            },
        }
    }
