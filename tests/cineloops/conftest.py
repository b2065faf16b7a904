"""Fixtures for the cine loop tests: private folders per test, people, API clients."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from cineloops.tasks import process_loop
from tests.factories import api_for

SECRET = "cine-test-secret-0123456789"
# Tests that run tasks: in-process (eager), or on the session's real worker.
TASK_FIXTURES = {"celery_eager", "celery_worker_process"}


@pytest.fixture(autouse=True)
def cine_dirs(settings, tmp_path):
    """Uploads and outputs of each test in its own folder, never the developer's var/."""
    settings.CINE_UPLOAD_DIR = tmp_path / "uploads"
    settings.CINE_MEDIA_DIR = tmp_path / "cine"
    settings.CINE_DEID_SECRET = SECRET
    settings.CINE_KEEP_ORIGINALS = False
    settings.CINE_MEDIA_ACCEL_PREFIX = ""
    return SimpleNamespace(uploads=tmp_path / "uploads", media=tmp_path / "cine")


@pytest.fixture(autouse=True)
def queued_messages(request, monkeypatch) -> list[dict]:
    """Other tests record what would be queued instead of sending it: on the CI broker a
    stray message would be picked up by the session's real worker in the middle of a test."""
    sent: list[dict] = []
    if not TASK_FIXTURES & set(request.fixturenames):
        monkeypatch.setattr(process_loop, "delay", lambda **kwargs: sent.append(kwargs))
    return sent


@pytest.fixture
def api(instructor) -> APIClient:
    return api_for(instructor)
