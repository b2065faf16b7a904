"""``manage.py serve`` (what ``make run`` starts): gunicorn (uvicorn workers: pages and the live
rooms' websockets) and a real Celery worker per queue on the filesystem broker, started
together and stopped together.

Runs on the embedded defaults in a scratch var/ folder, whatever services the suite uses.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from core.management.commands import serve
from training.tasks import QUEUES

REPO = Path(__file__).resolve().parents[2]
CHILDREN = ("web", "cine", "light")
_SERVICE_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CHANNEL_REDIS_URL",
    "PORT",
)


# One worker runs this module under pytest -n: its module fixture is made once.
pytestmark = pytest.mark.xdist_group("serve")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def serve_env(tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SERVICE_VARIABLES}
    env |= {
        "DJANGO_SETTINGS_MODULE": "training.settings",
        "DJANGO_VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "DJANGO_ENV": "development",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO, env=env, check=True, timeout=180,
    )  # fmt: skip
    return env


class Served:
    """One ``manage.py serve`` process, its log, and the pids of its three children."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port), "--web-workers", "1"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.pids: dict[str, int] = {}

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output())
            if match:
                return match
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} not seen; serve printed:\n{self.output()}")

    def wait_ready(self) -> None:
        started = self.wait_for(
            r"Started web pid (\d+), cine worker pid (\d+), light worker pid (\d+)"
        )
        self.pids = {name: int(started.group(i + 1)) for i, name in enumerate(CHILDREN)}
        self.wait_for(rf"running at http://127\.0\.0\.1:{self.port}/")
        self.wait_for(r"serve-cine@\S+ ready")  # each worker consumes from the broker
        self.wait_for(r"serve-light@\S+ ready")
        self.wait_for(r"beat: Starting")  # and the light one runs the periodic tasks

    def cleanup(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.pids.values():  # only our own children, if serve failed to stop them
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture
def served(serve_env, tmp_path):
    instance = Served(serve_env, tmp_path / "serve.log")
    yield instance
    instance.cleanup()


def run_in_project(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


LIVE_ROOM = """
import uuid
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from live import services
from tests.factories import InstitutionFactory, InstructorFactory, TraineeFactory
tag = uuid.uuid4().hex  # each call is a new process: the factories' sequences start again
centre = InstitutionFactory(name=f"Centre {tag}")
host = InstructorFactory(institution=centre, username=f"host-{tag}")
trainee = TraineeFactory(institution=centre, username=f"trainee-{tag}")
now = timezone.now()
session = services.session_create(
    by=host, title_en="Served room", starts_at=now, planned_end=now + timedelta(hours=1)
)
services.session_start(session=session, by=host)
client = Client()
client.force_login(trainee)
print(session.pk, client.cookies["sessionid"].value)
"""


def live_room(env: dict[str, str]) -> tuple[int, str]:
    """A running session in the served database, and a participant's session cookie."""
    session_id, cookie = run_in_project(env, LIVE_ROOM).split()
    return int(session_id), cookie


def assert_websocket_served(port: int, session_id: int, cookie: str) -> None:
    """The room answers a signed-in participant with its state through the served process,
    and refuses a socket without the session cookie (4403) or from another site's page."""
    url = f"ws://127.0.0.1:{port}/ws/live/{session_id}/"
    origin = f"http://127.0.0.1:{port}"
    with ws_connect(
        url, origin=origin, additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=20
    ) as socket:
        sync = json.loads(socket.recv(timeout=20))
        assert sync["type"] == "sync"
        assert (sync["session"]["id"], sync["session"]["status"]) == (session_id, "live")
        socket.send(json.dumps({"type": "ping", "ref": "p"}))
        assert json.loads(socket.recv(timeout=20))["type"] == "pong"
    with ws_connect(url, origin=origin, open_timeout=20) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=20)
        assert closed.value.rcvd.code == 4403
    with pytest.raises(Exception, match="403"):
        ws_connect(url, origin="https://elsewhere.example", open_timeout=20)


def test_serve_runs_web_and_a_worker_per_queue_and_stops_them_on_sigterm(served, serve_env):
    served.wait_ready()

    with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/healthz", timeout=10) as resp:
        assert resp.status == 200
    with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/static/css/app.css") as resp:
        assert resp.status == 200  # static files served without collectstatic
    # Websockets on the same port: a live room through the real server (embedded defaults:
    # the in-memory channel layer, one web process).
    assert_websocket_served(served.port, *live_room(serve_env))

    # A task goes through the filesystem broker to the real worker and its result comes back;
    # the worker's database write is visible to another process.
    out = run_in_project(
        serve_env,
        "from core.tasks import ping, record_heartbeat\n"
        "from core.models import Heartbeat\n"
        "print(ping.delay().get(timeout=60))\n"
        "pk = record_heartbeat.delay(token='serve-test').get(timeout=60)\n"
        "print(Heartbeat.objects.get(pk=pk).worker)\n",
    )
    assert out.splitlines()[0] == "pong"
    assert out.splitlines()[1].startswith("serve-light@")

    # Queues by resource: with the cine worker frozen (as if every pool process were deep in a
    # loop), the light worker still answers, and leaves the cine message alone; the cine
    # worker takes it once it can.
    os.killpg(served.pids["cine"], signal.SIGSTOP)
    try:
        out = run_in_project(
            serve_env,
            "from cineloops.tasks import loop_process_task\n"
            "from core.tasks import ping\n"
            "waiting = loop_process_task.delay(loop_pk=987654)\n"
            "print(waiting.id)\n"
            "print(ping.delay().get(timeout=60))\n"
            "print(waiting.state)\n",
        )
    finally:
        os.killpg(served.pids["cine"], signal.SIGCONT)
    task_id, pong, state = out.splitlines()
    assert (pong, state) == ("pong", "PENDING")
    out = run_in_project(
        serve_env,
        "from celery.result import AsyncResult\n"
        "from training.celery import app\n"
        f"print(AsyncResult({task_id!r}, app=app).get(timeout=60))\n",
    )
    assert out == "skipped: no such loop"

    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0, served.output()
    assert not any(alive(pid) for pid in served.pids.values())
    assert "Stopped." in served.output()


@pytest.mark.parametrize("worker", ["cine", "light"])
def test_serve_stops_everything_when_a_worker_dies(served, worker):
    served.wait_ready()

    os.kill(served.pids[worker], signal.SIGKILL)

    assert served.process.wait(timeout=60) != 0
    assert not any(alive(pid) for pid in served.pids.values())
    assert f"{worker} worker exited" in served.output()
    # Nothing a worker started (the embedded beat, the pools) outlives it.
    assert all(group_members(served.pids[name]) == [] for name in ("cine", "light"))


def group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_no_child_outlives_a_supervisor_killed_outright(served):
    served.wait_ready()

    served.process.kill()  # SIGKILL: no chance to forward anything
    served.process.wait(timeout=10)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(alive(pid) for pid in served.pids.values()):
        time.sleep(0.2)
    for name, pid in served.pids.items():
        assert not alive(pid), f"{name} outlived its supervisor"


def test_the_runserver_option_serves_pages_and_websockets_and_reloads(serve_env, tmp_path):
    """``serve --server runserver``'s web process (uvicorn, reloading): the same application."""
    port = free_port()
    spec = serve._web_spec("runserver", "127.0.0.1", port, 1)
    assert "--reload" in spec.argv
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(
        spec.argv, cwd=REPO, env=serve_env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not port_open(port) and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "web.log").read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
            assert resp.status == 200
        assert_websocket_served(port, *live_room(serve_env))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(("redis", "expected"), [("", 1), ("redis://127.0.0.1:6379/2", 2)])
def test_one_web_process_unless_the_channel_layer_is_shared(redis, expected, settings):
    settings.CHANNEL_REDIS_URL = redis

    assert serve.web_workers(None) == expected
    assert serve.web_workers(3) == 3
    argv = serve._web_spec("gunicorn", "127.0.0.1", 8000, expected).argv
    assert argv[argv.index("--workers") + 1] == str(expected)
    assert "training.asgi:application" in argv
    assert argv[argv.index("--worker-class") + 1] == "training.uvicorn_worker.Worker"


def test_room_messages_are_sent_uncompressed():
    """One compression per socket per change: a tenth of a web process's time at 200
    participants (bench/live_bench.py), for messages of a few hundred bytes."""
    from training.uvicorn_worker import Worker

    assert Worker.CONFIG_KWARGS["ws_per_message_deflate"] is False


def test_the_light_worker_runs_an_embedded_beat_with_its_schedule_under_var(settings):
    cine, light = (spec.argv for spec in serve._worker_specs(3, 2))

    assert "--beat" in light and "--beat" not in cine  # one beat, not two
    schedule = light[light.index("--schedule") + 1]
    assert schedule == settings.CELERY_BEAT_SCHEDULE_FILENAME
    assert Path(schedule).parent == settings.VAR_DIR / "celery"


def test_each_queue_has_a_worker_of_its_own():
    cine, light = (spec.argv for spec in serve._worker_specs(3, 2))

    def option(argv, name):
        return argv[argv.index(name) + 1]

    assert [option(cine, "--queues"), option(light, "--queues")] == list(QUEUES)
    assert (option(cine, "--concurrency"), option(light, "--concurrency")) == ("3", "2")


@pytest.mark.django_db
def test_demo_data_is_loaded_only_into_an_empty_database(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "get_commands", lambda: {"load_demo_data": "courses"})
    monkeypatch.setattr(serve, "call_command", lambda name: calls.append(name))
    command = serve.Command()

    command._load_demo_data_if_empty()
    assert calls == ["load_demo_data"]

    from tests.factories import TraineeFactory

    TraineeFactory()
    command._load_demo_data_if_empty()
    assert calls == ["load_demo_data"]


@pytest.mark.django_db
def test_serve_starts_without_demo_data_when_the_command_is_missing(monkeypatch, capsys):
    monkeypatch.setattr(serve, "get_commands", dict)

    serve.Command()._load_demo_data_if_empty()

    assert "No load_demo_data command" in capsys.readouterr().err


def test_serve_refuses_a_port_in_use(serve_env):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=REPO, env=serve_env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    assert result.returncode != 0
    assert f"127.0.0.1:{port} is already in use" in result.stderr
    assert "Started web" not in result.stdout


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8111"),
        ("0.0.0.0", "http://127.0.0.1:8111"),
        ("::1", "http://[::1]:8111"),
    ],
)
def test_serve_passes_its_address_on_as_the_base_url(host, expected, settings, monkeypatch):
    monkeypatch.setenv("PLATFORM_BASE_URL", "")  # restored (or removed) after the test
    monkeypatch.delenv("PLATFORM_BASE_URL")
    settings.PRODUCTION = False

    serve.follow_port(host, 8111)

    assert os.environ["PLATFORM_BASE_URL"] == expected  # the web server and worker it starts
    assert expected == settings.PLATFORM_BASE_URL  # the demo data loaded in this process


def test_serve_keeps_a_configured_base_url(settings, monkeypatch):
    monkeypatch.setenv("PLATFORM_BASE_URL", "https://ceus.example.org")
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"
    settings.PRODUCTION = False

    serve.follow_port("127.0.0.1", 8111)

    assert settings.PLATFORM_BASE_URL == "https://ceus.example.org"
