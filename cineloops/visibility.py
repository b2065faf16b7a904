"""Who may see a cine loop, as ``Q`` objects applied in SQL.

Its editors (``core.scoping.editable_q``: the owning institution's instructors, site admins)
see every loop. Other apps widen this without this app importing them: each registers a rule
``rule(user) -> Q`` (on CineLoop rows) on ``LOOP_VISIBILITY`` from its ``AppConfig.ready()``,
and keeps it in its ``hooks`` module — ``cases.hooks`` (loops of a case the user may open),
``quizzes.hooks`` (loops of the questions of quizzes the user may take),
``certification.hooks`` (loops of logbook entries the user may see). Registered rules only
ever reach loops that finished cleanly (status ``ready``): a loop still in review may show
burned-in patient text.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from core.plugins import HookPoint
from core.scoping import editable_q

VisibilityRule = Callable[[object], Q]
LOOP_VISIBILITY: HookPoint[VisibilityRule] = HookPoint("cineloops.loop_visibility")


def visible_loops_q(user) -> Q:
    """Loops ``user`` may see: what they may edit, plus ready loops other apps make visible."""
    q = editable_q(user)
    if not getattr(user, "is_authenticated", False) or not q:
        # An empty Q is every loop (a site admin): ``Q() | rule`` would narrow it to the rule.
        return q
    for rule in LOOP_VISIBILITY:
        q |= Q(status="ready") & rule(user)
    return q
