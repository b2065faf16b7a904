"""Who may see a cine loop, as ``Q`` objects applied in SQL.

Today: the editors of the owning institution (its instructors) and site admins. Other apps
widen this without touching this module: the case library registers a rule saying "loops
attached to a case the user can see". Registered rules only ever reach loops that finished
cleanly (status ``ready``): a loop still in review may show burned-in patient text.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from core.scoping import editable_q

VisibilityRule = Callable[[object], Q]
_RULES: list[VisibilityRule] = []


def register_visibility_rule(rule: VisibilityRule) -> VisibilityRule:
    """Add ``rule(user) -> Q`` (on CineLoop rows); call it from an AppConfig.ready()."""
    if rule not in _RULES:
        _RULES.append(rule)
    return rule


def unregister_visibility_rule(rule: VisibilityRule) -> None:
    if rule in _RULES:
        _RULES.remove(rule)


def editable_loops_q(user) -> Q:
    """Loops ``user`` may upload to, change, delete and review: its institution's instructors."""
    return editable_q(user)


def visible_loops_q(user) -> Q:
    """Loops ``user`` may see: what they may edit, plus ready loops other apps make visible."""
    q = editable_loops_q(user)
    if not getattr(user, "is_authenticated", False) or not q:
        # An empty Q is every loop (a site admin): ``Q() | rule`` would narrow it to the rule.
        return q
    for rule in _RULES:
        q |= Q(status="ready") & rule(user)
    return q
