"""The gunicorn worker class that serves ``training.asgi`` (pages and the live rooms'
websockets): uvicorn's, with the settings a live room needs.

- lifespan off: Django has no startup/shutdown hooks to run (uvicorn would log that the
  application does not support them on every start);
- websocket messages up to 64 KiB: the room refuses anything over 16 KiB itself
  (``live.conf.MAX_MESSAGE_BYTES``); uvicorn's default (16 MiB) would buffer far more first;
- a ping every 20 s: a participant whose link died is noticed (and leaves the attendance)
  within 40 s, and proxies do not close a quiet socket;
- no per-message compression: a room's change is one message of a few hundred bytes sent to
  every socket, and compressing it costs a compression per socket (each keeps its own
  context) — a tenth of a process's time at 200 participants (bench/live_bench.py) to save a
  few hundred bytes a change.

``gunicorn training.asgi:application -k training.uvicorn_worker.Worker`` (see the README).
"""

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        "lifespan": "off",
        "ws_max_size": 64 * 1024,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "ws_per_message_deflate": False,
    }
