"""What the certification app plugs into other apps (registered in
``CertificationConfig.ready``): the cine-loop visibility rule."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import User
from certification.models import LogbookEntry
from certification.services.logbook_access import entries_visible_to


def loops_in_visible_entries(user: User) -> Q:
    """Loops attached to a logbook entry the user may see (cineloops adds: only ready ones).
    A trainee's own uploads are owned by the institution, which no trainee can see otherwise."""
    entries = entries_visible_to(user).values("pk")
    through = LogbookEntry.loops.through
    return Q(pk__in=through.objects.filter(logbookentry__in=entries).values("cineloop_id"))
