"""Attendance records: a session's rows (the directors' CSV export) and each user's hours of
live teaching (the certification requirement "live teaching hours")."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from live import rights
from live.models import Attendance, LiveSession, SessionStatus
from quizzes.views.results import csv_safe


def attendance_rows(session: LiveSession, by) -> QuerySet[Attendance]:
    """The rows ``by`` may read: all for hosts, managers and the owning institution's
    directors; a director of another institution their own members'; nothing otherwise."""
    rows = Attendance.objects.filter(session=session).select_related("user__institution")
    if rights.may_read_attendance(by, session):
        return rows.order_by("user__last_name", "user__first_name", "user__username")
    if getattr(by, "is_director", False) and by.institution_id:
        return rows.filter(user__institution_id=by.institution_id).order_by(
            "user__last_name", "user__first_name", "user__username"
        )
    return rows.none()


def attendance_csv(session: LiveSession, by) -> str:
    """The rows as CSV, in the reader's language: name, institution, first joined, last left,
    minutes connected and active, polls answered."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Name"),
            _("User name"),
            _("Institution"),
            _("First joined"),
            _("Last left"),
            _("Minutes connected"),
            _("Minutes active"),
            _("Polls answered"),
        ]
    )
    for row in attendance_rows(session, by):
        user = row.user
        cells = [
            user.get_full_name(),
            user.username,
            str(user.institution or ""),
            row.first_joined.isoformat(),
            row.last_left.isoformat() if row.last_left else "",
            round(row.connected_seconds / 60, 1),
            round(row.active_seconds / 60, 1),
            row.poll_answers,
        ]
        # Names and institutions are typed by people: never a formula in a spreadsheet.
        writer.writerow([csv_safe(cell) for cell in cells])
    return out.getvalue()


def live_hours(
    user_ids: Sequence[int], since: datetime | None
) -> dict[int, list[tuple[datetime, float]]]:
    """user id -> [(session end, hours active)] of the ended sessions they attended (from
    ``since``): the evidence of the "live teaching hours" requirement. Active time (tab in
    view) counts, not time connected."""
    rows = Attendance.objects.filter(
        user_id__in=list(user_ids), session__status=SessionStatus.ENDED, active_seconds__gt=0
    )
    if since is not None:
        rows = rows.filter(session__ended_at__gte=since)
    hours: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    for user_id, ended_at, seconds in rows.values_list(
        "user_id", "session__ended_at", "active_seconds"
    ):
        if ended_at is not None:  # ended sessions only: always set
            hours[user_id].append((ended_at, seconds / 3600))
    return dict(hours)
