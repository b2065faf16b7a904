"""End to end on real services: upload through the API, a real Celery worker (Redis broker,
PostgreSQL) processes the loop, and its files are served here. Run by ``.ci/run``."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops.models import CineLoop
from tests.cineloops.samples import good_cine

pytestmark = pytest.mark.services
TIMEOUT = 60


@pytest.fixture
def shared_dirs(celery_worker_process, settings):
    """Point this process at the folders the worker uses (its own var/ unless set by env)."""
    var = celery_worker_process.log_path.parent
    settings.CINE_UPLOAD_DIR = Path(os.environ.get("CINE_UPLOAD_DIR") or var / "uploads")
    settings.CINE_MEDIA_DIR = Path(os.environ.get("CINE_MEDIA_DIR") or var / "cine")
    return celery_worker_process


def test_an_uploaded_loop_is_made_ready_by_a_real_worker(
    shared_dirs, transactional_db, api, client, instructor, tmp_path
):
    upload = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "a.dcm").read_bytes())

    response = api.post("/api/v1/cineloops/", {"file": upload})

    assert response.status_code == 202, response.content
    loop_id = response.json()["accepted"][0]["loop"]["id"]
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        loop = CineLoop.objects.get(pk=loop_id)
        if loop.is_done:
            break
        time.sleep(0.2)
    assert loop.status == CineLoop.Status.READY, (loop.error_message, shared_dirs.log())
    assert loop.task_id  # claimed by the worker's message
    detail = api.get(f"/api/v1/cineloops/{loop_id}/").json()
    client.force_login(instructor)
    video = client.get(detail["files"]["video"], HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206
    assert len(b"".join(video.streaming_content)) == 100
