"""Tasks that check the task pipeline itself: broker → worker → database → result."""

from typing import Any

from core.models import Heartbeat
from training.tasks import LIGHT, platform_task


@platform_task(name="core.ping", queue=LIGHT)
def ping() -> str:
    """Answer without touching the database: the broker and result backend work."""
    return "pong"


@platform_task(name="core.record_heartbeat", queue=LIGHT, bind=True)
def record_heartbeat(task: Any, *, token: str) -> int:
    """Write one Heartbeat row for ``token`` and return its primary key.

    Safe to run twice (acks_late may redeliver): the token is unique, so a second run finds the
    first row instead of adding another.
    """
    heartbeat, _created = Heartbeat.objects.get_or_create(
        token=token, defaults={"worker": task.request.hostname or ""}
    )
    return heartbeat.pk
