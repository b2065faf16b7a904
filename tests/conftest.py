"""Fixtures shared by the whole suite."""

import json

import pytest

from training.celery import app as celery_app


@pytest.fixture
def celery_eager(settings, django_capture_on_commit_callbacks):
    """Run tasks in-process, as a worker would, after the transaction commits.

    Uses the real CELERY_* setting names and mirrors them onto the app (which read its
    configuration at start-up). Task arguments are round-tripped through JSON so that an
    unserialisable argument fails here as it would on a real broker.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True

    original_apply_async = celery_app.Task.apply_async

    def json_checked_apply_async(self, args=None, kwargs=None, *a, **kw):
        args = json.loads(json.dumps(list(args or [])))
        kwargs = json.loads(json.dumps(dict(kwargs or {})))
        return original_apply_async(self, args, kwargs, *a, **kw)

    celery_app.Task.apply_async = json_checked_apply_async
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks
    finally:
        celery_app.Task.apply_async = original_apply_async
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
