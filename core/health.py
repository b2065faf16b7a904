"""Reachability checks for the services the platform depends on."""

import logging

from django.db import connections
from django.db.utils import DatabaseError

from training.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_reachable() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health: database unreachable", exc_info=True)
        return False


def broker_reachable(timeout: float = 2.0) -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
        return True
    except Exception:  # kombu raises transport-specific errors; any of them means "down"
        logger.warning("health: broker unreachable", exc_info=True)
        return False


def health_report() -> dict[str, bool]:
    return {"database": database_reachable(), "broker": broker_reachable()}
