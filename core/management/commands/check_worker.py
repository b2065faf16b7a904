"""``manage.py check_worker``: is a Celery worker taking tasks and writing to this database?

For operators after a deployment or an incident: sends ``core.record_heartbeat`` through the
configured broker, waits for the result and reads the row the worker wrote.
"""

import time
import uuid
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import Heartbeat
from core.tasks import record_heartbeat


class Command(BaseCommand):
    help = "Send a heartbeat task to the Celery workers and wait for its database write."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")

    def handle(self, *args: Any, **options: Any) -> None:
        token = uuid.uuid4().hex
        started = time.monotonic()
        try:
            pk = record_heartbeat.delay(token=token).get(timeout=options["timeout"])
        except CeleryTimeoutError as exc:
            raise CommandError(
                f"No worker answered within {options['timeout']:g}s: is one running, "
                "on the same CELERY_BROKER_URL?"
            ) from exc
        heartbeat = Heartbeat.objects.filter(pk=pk, token=token).first()
        if heartbeat is None:
            raise CommandError(
                "A worker answered but its row is not in this database: "
                "do the worker and this process use the same DATABASE_URL?"
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Worker {heartbeat.worker or '?'} answered in {elapsed:.2f}s.")
        )
