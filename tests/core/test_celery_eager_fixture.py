"""The ``celery_eager`` fixture leaves the Celery app as it found it."""

import pytest

from training.celery import app as celery_app


@pytest.mark.django_db
def test_eager_inside_the_fixture(celery_eager):
    assert celery_app.conf.task_always_eager is True


@pytest.mark.django_db  # same group as the test above, so pytest-django keeps file order
def test_not_eager_after_it():
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.task_eager_propagates is False
