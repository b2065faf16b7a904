"""Fixtures for the cine loop tests: private folders per test, people, API clients."""

import pytest
from rest_framework.test import APIClient

from cineloops.tasks import loop_make_renditions_task, loop_process_task, upload_finish_task
from tests.factories import api_for

# Tests that run tasks: in-process (eager), or on the session's real worker.
TASK_FIXTURES = {"celery_eager", "celery_worker_process"}


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture(autouse=True)
def queued_messages(request, monkeypatch) -> list[dict]:
    """Other tests record what would be queued instead of sending it: on the CI broker a
    stray message would be picked up by the session's real worker in the middle of a test."""
    sent: list[dict] = []
    if not TASK_FIXTURES & set(request.fixturenames):
        for task in (loop_process_task, loop_make_renditions_task, upload_finish_task):
            monkeypatch.setattr(task, "delay", lambda **kwargs: sent.append(kwargs))
    return sent


@pytest.fixture
def api(instructor) -> APIClient:
    return api_for(instructor)
