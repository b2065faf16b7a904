"""What the case library plugs into other apps (registered in ``CasesConfig.ready``): the
cine-loop visibility rule."""

from __future__ import annotations

from django.db.models import Q


def loops_in_visible_cases(user) -> Q:
    """Loops attached to a case ``user`` may open — including a case waiting for their review
    at a partner centre (cineloops adds: only ready ones). An assessment-only case lends its
    loops to no trainee: they see them inside the quizzes that use them (``quizzes.hooks``)."""
    from cases.access import openable_q
    from cases.models import Case, CaseLoop

    cases = Case.objects.open_to(user).filter(openable_q(user)).values("pk")
    return Q(pk__in=CaseLoop.objects.filter(case__in=cases).values("loop_id"))
