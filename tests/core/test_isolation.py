"""A test's uploads and queued tasks never reach the developer's var/ folder."""

from pathlib import Path

import pytest
from django.conf import settings

from core.tasks import ping
from training.celery import app as celery_app


def test_media_root_is_a_scratch_folder():
    assert not Path(settings.MEDIA_ROOT).is_relative_to(settings.VAR_DIR)


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("filesystem://"), reason="filesystem broker only"
)
def test_a_task_sent_by_a_test_is_queued_outside_var():
    queue = Path(celery_app.conf.broker_transport_options["data_folder_in"])
    assert not queue.is_relative_to(settings.VAR_DIR)
    before = set(queue.iterdir())

    ping.delay()  # not eager: written to the broker's folder

    assert len(set(queue.iterdir()) - before) == 1
    celery_app.control.purge()
