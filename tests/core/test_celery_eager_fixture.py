"""The ``celery_eager`` fixture leaves the Celery app as it found it.

Checked inside one test (the fixture's body is ``tests.conftest.eager_celery``), so that the
check holds whatever ran before and whether this file runs alone or with the suite."""

import pytest

from tests.conftest import eager_celery
from training.celery import app as celery_app


def app_state() -> tuple:
    conf = celery_app.conf
    return conf.task_always_eager, conf.task_eager_propagates, celery_app.Task.apply_async


@pytest.mark.django_db
def test_eager_inside_the_fixture(celery_eager):
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_eager_propagates is True


@pytest.mark.django_db
def test_the_app_is_as_it_was_after_it(settings, django_capture_on_commit_callbacks):
    before = app_state()
    assert before[:2] == (False, False)  # the suite's own configuration: a real broker

    with eager_celery(settings, django_capture_on_commit_callbacks):
        assert app_state()[:2] == (True, True)
        assert celery_app.Task.apply_async is not before[2]  # the JSON round trip

    assert app_state() == before


@pytest.mark.django_db
def test_the_app_is_restored_when_the_test_fails(settings, django_capture_on_commit_callbacks):
    before = app_state()

    with (
        pytest.raises(RuntimeError, match="a test that fails"),
        eager_celery(settings, django_capture_on_commit_callbacks),
    ):
        raise RuntimeError("a test that fails")

    assert app_state() == before
