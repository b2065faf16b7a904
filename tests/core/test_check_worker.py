"""``manage.py check_worker``: succeeds when a worker answers, explains when none does."""

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management import CommandError, call_command

from core.tasks import record_heartbeat


@pytest.mark.django_db
def test_check_worker_reports_the_answer(celery_eager, capsys):
    call_command("check_worker")

    assert "answered in" in capsys.readouterr().out


@pytest.mark.django_db
def test_check_worker_explains_a_missing_worker(monkeypatch):
    class NoAnswer:
        def get(self, timeout):
            raise CeleryTimeoutError("no answer")

    monkeypatch.setattr(record_heartbeat, "delay", lambda **kwargs: NoAnswer())

    with pytest.raises(CommandError, match="No worker answered within 1s"):
        call_command("check_worker", "--timeout", "1")
