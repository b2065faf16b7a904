"""Pytest plugin for the service-backed tests (marker ``services``).

When the suite runs against PostgreSQL and Redis (``DATABASE_URL=postgres://…`` and
``CELERY_BROKER_URL=redis://…``, as ``.ci/run`` sets them), the ``celery_worker_process``
fixture starts one real Celery worker for the session, pointed at pytest-django's *test*
database, and stops it at the end. Anywhere else the ``services`` tests are skipped with the
reason. Loaded for the whole suite by ``tests/conftest.py``, so any package may use it.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings

from training.celery import app as celery_app

REPO = Path(__file__).resolve().parents[2]
SKIP_REASON = (
    "service-backed test: needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… "
    "(bash .ci/run sets both and starts the services)"
)
WORKER_START_TIMEOUT = 60.0


def services_configured() -> bool:
    engine = settings.DATABASES["default"]["ENGINE"]
    broker = settings.CELERY_BROKER_URL
    return engine == "django.db.backends.postgresql" and broker.startswith(
        ("redis://", "rediss://")
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if services_configured():
        return
    wanted = [item for item in items if item.get_closest_marker("services")]
    if wanted and os.environ.get("CEUS_REQUIRE_SERVICES") == "1":
        # CI must not pass by skipping the very tests it runs this configuration for.
        raise pytest.UsageError(f"CEUS_REQUIRE_SERVICES=1, but {SKIP_REASON}")
    for item in wanted:
        item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def database_url_for(database_name: str) -> str:
    """DATABASE_URL with its database swapped for the test database pytest-django created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return parts._replace(path="/" + quote(database_name)).geturl()


@dataclass
class WorkerProcess:
    name: str
    process: subprocess.Popen
    log_path: Path
    var_dir: Path  # its DJANGO_VAR_DIR

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None


def _wait_until_ready(worker: WorkerProcess) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        if not worker.alive():
            raise RuntimeError(f"the Celery worker exited at start-up:\n{worker.log()}")
        if celery_app.control.ping(destination=[worker.name], timeout=0.5):
            return
    timeout = WORKER_START_TIMEOUT
    raise RuntimeError(f"the Celery worker did not answer in {timeout}s:\n{worker.log()}")


def stop_worker(worker: WorkerProcess) -> None:
    if not worker.alive():
        return
    worker.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.process.pid, signal.SIGKILL)  # its own group: the pool processes too
        worker.process.wait()


def start_worker(
    *, database_url: str, log_path: Path, var_dir: Path, queues: str = ""
) -> WorkerProcess:
    """Start a ``celery -A training worker`` (prefork, its own process group) and wait until it
    answers; ``queues``: consume only these (comma-separated) instead of every declared queue
    (``CELERY_TASK_QUEUES``: cine and light)."""
    name = f"pytest-{uuid.uuid4().hex[:8]}@ceus-tests"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "training.settings",
        "DJANGO_VAR_DIR": str(var_dir),
    }
    argv = [
        sys.executable, "-m", "celery", "-A", "training", "worker",
        "--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO",
        "--hostname", name, "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    if queues:
        argv += ["--queues", queues]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = WorkerProcess(name=name, process=process, log_path=log_path, var_dir=var_dir)
    try:
        _wait_until_ready(worker)
    except BaseException:
        stop_worker(worker)
        raise
    return worker


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[WorkerProcess]:
    """A real ``celery -A training worker`` (prefork) on the test database, for the session.

    Tests that need the worker to see their rows must commit them: use ``transactional_db``.
    """
    if not services_configured():
        pytest.skip(SKIP_REASON)
    from django.db import connection

    database_url = database_url_for(connection.settings_dict["NAME"])
    # Messages left by an earlier, interrupted run would run against this database.
    celery_app.control.purge()

    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    # .ci/run names it, to check afterwards what the worker left there.
    var_dir = Path(os.environ.get("CEUS_WORKER_VAR_DIR") or log_path.parent)
    worker = start_worker(database_url=database_url, log_path=log_path, var_dir=var_dir)
    try:
        yield worker
    finally:
        stop_worker(worker)
