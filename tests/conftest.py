"""Fixtures shared by the whole suite."""

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from scripts.compile_translations import compile_all
from tests import factories
from training.celery import app as celery_app

REPO = Path(__file__).resolve().parents[1]

# The real-worker fixtures and the skip rule of the ``services`` marker; the object-store
# fixtures and the skip rule of the ``s3`` marker; pipeline outputs made once per session (the
# demo's loops, the shared samples); static files collected as production serves them.
pytest_plugins = [
    "tests.services.plugin",
    "tests.objectstore",
    "tests.processed_outputs",
    "tests.collected_static",
]

_SCRATCH: dict[str, Path] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Keep the suite away from the developer's var/: uploads, and on the embedded defaults the
    filesystem broker's queue, go to a scratch folder, so a task a test sends can never reach a
    worker that ``make run`` started against the development database.

    A plain ``pytest`` needs no ``make translations`` first: a missing or stale .mo is compiled
    here, before any test activates a language (Django reads the catalogues on first use)."""
    compile_all(REPO)
    # A deliberately slow hash protects stored passwords, not test fixtures: use a fast one.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    scratch = Path(tempfile.mkdtemp(prefix="ceus-tests-"))
    _SCRATCH["root"] = scratch
    django_settings.MEDIA_ROOT = str(scratch / "media")
    django_settings.CINE_UPLOAD_DIR = scratch / "uploads"
    django_settings.CINE_MEDIA_DIR = scratch / "cine"
    django_settings.CASES_CACHE_VERSION_FILE = scratch / "cache" / "cases-content-version"
    # The live rooms' groups on a shared Redis: a prefix of this test process's own, so that
    # two pytest-xdist workers' sessions numbered alike never share a group.
    layer_config = django_settings.CHANNEL_LAYERS["default"].get("CONFIG", {})
    if "hosts" in layer_config:
        layer_config["prefix"] = f"ceus-test-{os.getpid()}"
    if django_settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folders = {name: scratch / "celery" / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir(parents=True)
        options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        }
        django_settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
        celery_app.conf.broker_transport_options = options
    if django_settings.CELERY_RESULT_BACKEND.startswith("file://"):
        (scratch / "celery" / "results").mkdir(parents=True)
        backend = f"file://{(scratch / 'celery' / 'results').as_posix()}"
        django_settings.CELERY_RESULT_BACKEND = backend
        celery_app.conf.result_backend = backend


def pytest_unconfigure(config: pytest.Config) -> None:
    scratch = _SCRATCH.pop("root", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def eager_celery(settings, capture_on_commit_callbacks) -> Iterator[list]:
    """Run tasks in-process, as a worker would, after the transaction commits; on leaving,
    the Celery app is as it was (the ``celery_eager`` fixture, as a context manager).

    Uses the real CELERY_* setting names and mirrors them onto the app (which read its
    configuration at start-up). Task arguments are round-tripped through JSON so that an
    unserialisable argument fails here as it would on a real broker. ``settings`` is
    pytest-django's fixture (which restores the Django settings after the test);
    ``capture_on_commit_callbacks`` is ``django_capture_on_commit_callbacks``.
    """
    # Read before touching the Django settings: the app's configuration reads through to them,
    # so reading afterwards would "restore" eager mode for the rest of the session.
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True

    original_apply_async = celery_app.Task.apply_async

    def json_checked_apply_async(self, args=None, kwargs=None, *a, **kw):
        args = json.loads(json.dumps(list(args or [])))
        kwargs = json.loads(json.dumps(dict(kwargs or {})))
        return original_apply_async(self, args, kwargs, *a, **kw)

    celery_app.Task.apply_async = json_checked_apply_async
    try:
        with capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
    finally:
        celery_app.Task.apply_async = original_apply_async
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def celery_eager(settings, django_capture_on_commit_callbacks):
    """Tasks run in-process after the commit, for this test (see ``eager_celery``); yields
    the captured on-commit callbacks."""
    with eager_celery(settings, django_capture_on_commit_callbacks) as callbacks:
        yield callbacks


@pytest.fixture(autouse=True)
def _reset_language():
    """A request in Chinese leaves its language active in the thread (LocaleMiddleware never
    deactivates): no test inherits another's language."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters and cached pages live in the cache: no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def broker_down(monkeypatch) -> str:
    """Point Celery at a loopback port nothing listens on; returns that broker URL.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so both
    are patched."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    return url


# --- People: two hospitals and one user of each role -----------------------------------------


@pytest.fixture
def hospital():
    return factories.InstitutionFactory(name="County Hospital")


@pytest.fixture
def other_hospital():
    return factories.InstitutionFactory(name="Other Hospital")


@pytest.fixture
def trainee(hospital):
    return factories.TraineeFactory(institution=hospital)


@pytest.fixture
def instructor(hospital):
    return factories.InstructorFactory(institution=hospital)


@pytest.fixture
def other_instructor(other_hospital):
    return factories.InstructorFactory(institution=other_hospital)


@pytest.fixture
def director(hospital):
    return factories.DirectorFactory(institution=hospital)


@pytest.fixture
def site_admin():
    return factories.SiteAdminFactory()


@pytest.fixture
def cine_dirs(settings, tmp_path):
    """Uploads and outputs of one test in its own folder, never the developer's var/."""
    settings.CINE_UPLOAD_DIR = tmp_path / "uploads"
    settings.CINE_MEDIA_DIR = tmp_path / "cine"
    settings.CINE_DEID_SECRET = "test-de-identification-secret-0123456789"
    settings.CINE_KEEP_ORIGINALS = False
    settings.CINE_MEDIA_ACCEL_PREFIX = ""
    return SimpleNamespace(uploads=tmp_path / "uploads", media=tmp_path / "cine")


@pytest.fixture
def now():
    """A fixed "now" that services take as ``now=``: no test depends on the wall clock."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def later(now):
    """``later(days=5)`` -> a moment after ``now`` (negative values: before)."""
    return lambda **delta: now + timedelta(**delta)
