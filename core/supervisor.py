"""Run a few long-lived child processes as one: start together, stop together.

Used by ``manage.py serve`` to run the web server and a Celery worker side by side on a laptop.
Each child gets its own process group, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops the children in order; no child is left behind holding a port or a queue.
POSIX only (process groups); production runs its processes under systemd or similar instead.
"""

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class ChildSpec:
    """What to start. ``signal_group`` sends the stop signal to the whole process group,
    for programs (runserver's autoreloader) whose main process does not pass it on."""

    name: str
    argv: Sequence[str]
    signal_group: bool = False


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGTERM to this child when the supervisor dies, even by
    SIGKILL, so no web server or worker outlives it (elsewhere only signals are forwarded)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


@dataclass
class Supervisor:
    specs: Sequence[ChildSpec]
    env: dict[str, str] | None = None
    grace_seconds: float = 20.0
    poll_seconds: float = 0.2
    children: list[Child] = field(default_factory=list)
    _stop_signal: int | None = None

    def start(self) -> None:
        for spec in self.specs:
            process = subprocess.Popen(
                list(spec.argv),
                env=self.env,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            self.children.append(Child(spec, process))
            logger.info("started %s (pid %s)", spec.name, process.pid)

    def request_stop(self, signum: int, _frame: object = None) -> None:
        self._stop_signal = signum

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.request_stop)

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Poll ``ready`` until true; false on timeout, a stop request or a dead child."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._stop_signal is not None or self.first_exited() is not None:
                return False
            if ready():
                return True
            time.sleep(self.poll_seconds)
        return False

    def first_exited(self) -> Child | None:
        return next((child for child in self.children if not child.alive()), None)

    def run_until_stopped(self) -> int:
        """Block until a stop signal arrives or a child exits; stop the rest; return an exit
        code: 0 after a requested stop, otherwise the failed child's code (at least 1)."""
        exited = None
        while self._stop_signal is None:
            exited = self.first_exited()
            if exited is not None:
                break
            time.sleep(self.poll_seconds)
        if exited is not None:
            name, code = exited.spec.name, exited.process.returncode
            logger.error("%s exited with code %s; stopping the others", name, code)
        self.stop()
        if exited is not None:
            return exited.process.returncode or 1
        return 0

    def stop(self) -> None:
        """SIGTERM each live child (a warm shutdown for Celery, graceful for gunicorn); SIGKILL
        the process group of any still running after the grace period."""
        for child in self.children:
            if child.alive():
                logger.info("stopping %s (pid %s)", child.spec.name, child.pid)
                _send(child, signal.SIGTERM, group=child.spec.signal_group)
            else:
                # Its leader died (e.g. a worker killed outright): what it started in its group,
                # such as the embedded beat, must not outlive it.
                _send(child, signal.SIGTERM, group=True)
        deadline = time.monotonic() + self.grace_seconds
        while time.monotonic() < deadline and any(child.alive() for child in self.children):
            time.sleep(self.poll_seconds)
        for child in self.children:
            if child.alive():
                name, grace = child.spec.name, self.grace_seconds
                logger.warning("%s did not stop in %ss; killing it", name, grace)
                _send(child, signal.SIGKILL, group=True)
                child.process.wait()
            else:
                _send(child, signal.SIGKILL, group=True)  # leftovers that ignored SIGTERM


def _send(child: Child, signum: int, *, group: bool) -> None:
    try:
        if group:
            os.killpg(child.pid, signum)  # its own group: start_new_session made pgid == pid
        else:
            os.kill(child.pid, signum)
    except ProcessLookupError:
        pass


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
