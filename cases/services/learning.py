"""What trainees do in the library: bookmarks and watch time from player heartbeats.

Watch time cannot be gamed by a client: each heartbeat is credited at most the wall-clock
time since the previous one (plus a little tolerance for network jitter), a single beat at
most ``CASES_HEARTBEAT_MAX_S``, a first beat at most ``CASES_FIRST_HEARTBEAT_MAX_S``; each
loop counts at most its own duration. A case is "reviewed" once the time played reaches
``CASES_REVIEWED_FRACTION`` of its loops' total duration, and stays reviewed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases import conf
from cases.models import Bookmark, Case, CaseWatch
from core.locking import lock


def bookmark_toggle(*, case: Case, user: User) -> bool:
    """Bookmark the case, or remove the bookmark; returns whether it is bookmarked now."""
    with transaction.atomic():
        deleted, _rows = Bookmark.objects.filter(user=user, case=case).delete()
        if deleted:
            return False
        Bookmark.objects.get_or_create(user=user, case=case)
    return True


@dataclass(frozen=True)
class WatchState:
    watched_s: float
    required_s: float
    reviewed: bool


def _seconds(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError({name: _("A number of seconds is required.")})
    if value < 0:
        raise ValidationError({name: _("Seconds cannot be negative.")})
    return float(value)


def required_seconds(durations: dict[int, float]) -> float:
    return round(conf.reviewed_fraction() * sum(durations.values()), 3)


def _credit(played_s: float, last_beat: datetime | None, now: datetime) -> float:
    if last_beat is None:
        allowed = conf.first_heartbeat_max_s()
    else:
        elapsed = max((now - last_beat).total_seconds(), 0.0)
        allowed = min(elapsed + conf.heartbeat_tolerance_s(), conf.heartbeat_max_s())
    return min(played_s, allowed)


def watch_heartbeat(
    *,
    case: Case,
    user: User,
    loop_id: int,
    played_s: object,
    position_s: object,
    now: datetime | None = None,
) -> WatchState:
    """Credit real playback of one of the case's loops (see module doc)."""
    played = _seconds(played_s, "played_s")
    position = _seconds(position_s, "position_s")
    durations = {
        loop_id_: float(duration or 0.0)
        for loop_id_, duration in case.case_loops.values_list("loop_id", "loop__duration_s")
    }
    if loop_id not in durations:
        raise ValidationError({"loop": _("The loop is not part of this case.")})
    now = now or timezone.now()
    with transaction.atomic():
        CaseWatch.objects.get_or_create(user=user, case=case)
        watch = lock(CaseWatch, user=user, case=case)
        key = str(loop_id)
        credited = _credit(played, watch.last_beat_at, now)
        seconds = dict(watch.loop_seconds)
        seconds[key] = min(seconds.get(key, 0.0) + credited, durations[loop_id])
        watch.loop_seconds = seconds
        watch.positions = {**watch.positions, key: round(position, 3)}
        watch.watched_s = round(
            sum(min(seconds.get(str(pk), 0.0), d) for pk, d in durations.items()), 3
        )
        watch.last_beat_at = now
        required = required_seconds(durations)
        if watch.reviewed_at is None and watch.watched_s >= required and credited > 0:
            watch.reviewed_at = now
        watch.save()
    return WatchState(watch.watched_s, required, watch.reviewed_at is not None)


def watch_state(*, case: Case, user: User) -> WatchState:
    prefetched = "case_loops" in getattr(case, "_prefetched_objects_cache", {})
    links = case.case_loops.all() if prefetched else case.case_loops.select_related("loop")
    durations = {link.loop_id: float(link.loop.duration_s or 0.0) for link in links}
    watch = CaseWatch.objects.filter(user=user, case=case).first()
    return WatchState(
        watch.watched_s if watch else 0.0,
        required_seconds(durations),
        bool(watch and watch.reviewed_at),
    )
