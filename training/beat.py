"""The periodic tasks (Celery beat): one entry per job, each with an expiry no longer than its
period, so a run nobody took in time is dropped instead of piling up while the workers are down.
The periods that settings make configurable come in as arguments."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab


def beat_schedule(
    *, cine_sweep_seconds: int, tic_stalled_minutes: int
) -> dict[str, dict[str, Any]]:
    return {
        "cineloops-requeue-stalled": {
            "task": "cineloops.sweep",
            "schedule": float(cine_sweep_seconds),
            # A sweep nobody ran in time is dropped: no pile-up while the workers are down.
            "options": {"expires": float(cine_sweep_seconds)},
        },
        # Resumable uploads untouched for CINE_PARTIAL_UPLOAD_HOURS go, with their parts.
        "cineloops-delete-expired-uploads": {
            "task": "cineloops.uploads_delete_expired",
            "schedule": 15 * 60.0,
            "options": {"expires": 15 * 60.0},
        },
        # Time-intensity curves still pending after CASES_TIC_STALLED_AFTER_MINUTES: queued again.
        "cases-requeue-pending-curves": {
            "task": "cases.curves_requeue_pending",
            "schedule": tic_stalled_minutes * 60.0,
            "options": {"expires": tic_stalled_minutes * 60.0},
        },
        # Open quiz attempts past their deadline are submitted (reading one submits it too).
        "quizzes-submit-overdue": {
            "task": "quizzes.submit_overdue_attempts",
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        # Consultation e-mails left unsent (the broker or the mail server was down) are sent again.
        "consults-notify-pending": {
            "task": "consults.notify_pending",
            "schedule": 10 * 60.0,
            "options": {"expires": 10 * 60.0},
        },
        # Live sessions' e-mail reminders (a day and a quarter of an hour before the start), each
        # sent once (live.services.reminders): every 5 minutes, so the "soon" one arrives 10-15
        # minutes ahead.
        "live-send-reminders": {
            "task": "live.send_reminders",
            "schedule": 5 * 60.0,
            "options": {"expires": 5 * 60.0},
        },
        # Every night: certificates past their expiry are marked expired, expiry reminders (60
        # and 14 days) go out, and holders near or past expiry are evaluated for renewal.
        "certification-nightly": {
            "task": "certification.nightly",
            "schedule": crontab(hour=2, minute=30),
            # Missed by more than a few hours (workers down): the next night catches up.
            "options": {"expires": 6 * 3600},
        },
    }
