"""gunicorn for the benches: the platform on a free port of 127.0.0.1, in a child process.

Each bench adds its own options (workers, threads, backlog) and its own readiness check.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, *options: str) -> subprocess.Popen:
    """``training.wsgi`` with the settings of ``env`` (DJANGO_SETTINGS_MODULE …)."""
    argv = [
        sys.executable, "-m", "gunicorn", "training.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120", *options,
    ]  # fmt: skip
    from gunicorn.config import Config

    if "control_socket_disable" in Config().settings:
        argv.append("--no-control-socket")  # recent gunicorn: one socket path per $HOME
    return subprocess.Popen(argv, cwd=REPO, env=env)
