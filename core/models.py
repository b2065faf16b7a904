"""Platform bookkeeping that belongs to no teaching domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """A row written by a Celery worker on request.

    It proves end to end that a worker takes tasks from the broker *and* writes to the database
    the web processes read (``manage.py check_worker``, the service-backed tests).
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    worker = models.CharField(_("worker"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.token} ({self.worker or '?'})"
