"""The one Celery app of the platform; configuration comes from Django's CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training.settings")

app = Celery("training")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
