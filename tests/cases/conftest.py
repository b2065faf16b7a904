"""Fixtures for the case library tests: private cine folders, no stray task messages, people
with API clients, and a case with a loop."""

from __future__ import annotations

import pytest

from cases.tasks import tic_compute_task
from cineloops.tasks import loop_process_task
from tests.cases.factories import CaseFactory, ReadyLoopFactory, with_files

TASK_FIXTURES = {"celery_eager", "celery_worker_process"}


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture(autouse=True)
def queued_messages(request, monkeypatch) -> list[tuple[str, dict]]:
    """Tests that do not run tasks record what would be queued instead of sending it (on the
    CI broker a stray message would reach the session's real worker)."""
    sent: list[tuple[str, dict]] = []
    if not TASK_FIXTURES & set(request.fixturenames):
        monkeypatch.setattr(loop_process_task, "delay", lambda **kw: sent.append(("process", kw)))
        monkeypatch.setattr(tic_compute_task, "delay", lambda **kw: sent.append(("tic", kw)))
    return sent


@pytest.fixture
def loop(hospital):
    return with_files(ReadyLoopFactory(institution=hospital))


@pytest.fixture
def case(hospital, loop, instructor):
    """A published case of ``hospital`` (institution only) with one ready loop."""
    return CaseFactory(institution=hospital, loops=[loop], created_by=instructor)
