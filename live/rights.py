"""Who may do what with a live session — the only copy of each rule.

- ``audience_q(user)``: the sessions ``user`` may join (and replay): their hosts; the whole
  network's members for a network session; members of the chosen institutions or cohorts;
  for a consultation's session, its requester and the consulted centre's instructors (its
  experts); site admins every session. Read in SQL (``LiveSession.objects.for_audience``) and,
  for one session, by ``may_join`` (one query).
- ``audience_members(session)``: the same rule read the other way — the people a session is
  for (its reminders), site admins apart: they may join any session, none is for them.
- ``is_host``: the host or a co-host — the only people whose room actions change the state.
- ``may_manage``: who edits, cancels, starts or ends a session besides its hosts: the owning
  institution's instructors and site admins (``core.scoping.edit_rule``).
- ``may_read_attendance``: every row for the hosts, managers and the owning institution's
  directors; a director of another institution reads the rows of their own members
  (``live.selectors.attendance_rows`` narrows).
"""

from __future__ import annotations

from django.db.models import Q

from core.scoping import edit_rule, manage_rule
from live.models import Audience, LiveSession

_NOTHING = Q(pk__in=[])
# Every row, and still every row when ORed with another condition (``Q() | x`` is ``x``).
_EVERY = Q(pk__isnull=False)


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def hosting_q(user) -> Q:
    """Sessions ``user`` hosts or co-hosts."""
    if not _signed_in(user):
        return _NOTHING
    co_hosted = LiveSession.co_hosts.through.objects.filter(user_id=user.pk).values(
        "livesession_id"
    )
    return Q(host_id=user.pk) | Q(pk__in=co_hosted)


def audience_q(user) -> Q:
    """Sessions ``user`` may join (see the module docstring)."""
    if not _signed_in(user):
        return _NOTHING
    if user.is_site_admin:
        return _EVERY
    q = hosting_q(user)
    if user.institution_id:
        chosen = LiveSession.institutions.through.objects.filter(
            institution_id=user.institution_id
        ).values("livesession_id")
        q |= Q(audience=Audience.NETWORK)
        q |= Q(audience=Audience.INSTITUTIONS, pk__in=chosen)
    in_cohorts = LiveSession.cohorts.through.objects.filter(cohort__members=user).values(
        "livesession_id"
    )
    q |= Q(audience=Audience.COHORTS, pk__in=in_cohorts)
    consult = Q(consult__requester_id=user.pk)
    if user.is_instructor and user.institution_id:
        consult |= Q(consult__target_id=user.institution_id)
    q |= Q(audience=Audience.CONSULT) & consult
    return q


def audience_members(session: LiveSession):
    """Active users ``audience_q`` lets into ``session``, site admins apart (see above)."""
    from accounts.models import User

    hosts = Q(pk=session.host_id) | Q(pk__in=session.co_hosts.values("pk"))
    if session.audience == Audience.NETWORK:
        audience = Q(institution__isnull=False)
    elif session.audience == Audience.INSTITUTIONS:
        audience = Q(institution__in=session.institutions.values("pk"))
    elif session.audience == Audience.COHORTS:
        audience = Q(cohorts__in=session.cohorts.values("pk"))
    elif session.audience == Audience.CONSULT and session.consult is not None:
        consult = session.consult
        audience = Q(pk=consult.requester_id) | Q(
            role=User.Role.INSTRUCTOR, institution_id=consult.target_id
        )
    else:
        audience = _NOTHING
    people = User.objects.filter(is_active=True).filter(hosts | audience)
    return people.exclude(is_superuser=True).exclude(role=User.Role.SITE_ADMIN).distinct()


def may_join(user, session: LiveSession) -> bool:
    return LiveSession.objects.filter(audience_q(user), pk=session.pk).exists()


def is_host(user, session: LiveSession) -> bool:
    if not _signed_in(user):
        return False
    if user.pk == session.host_id:
        return True
    return session.co_hosts.filter(pk=user.pk).exists()


def may_manage(user, session: LiveSession) -> bool:
    """Edit, cancel, start or end: the hosts, the owning institution's instructors, site
    admins."""
    return is_host(user, session) or edit_rule(user).holds(session)


def may_read_attendance(user, session: LiveSession) -> bool:
    """Every participant's attendance (the directors' export): hosts, managers, the owning
    institution's directors."""
    return may_manage(user, session) or manage_rule(user).holds(session)


def managing_q(user) -> Q:
    """``may_manage`` in SQL: the sessions ``user`` may edit or cancel."""
    if _signed_in(user) and user.is_site_admin:
        return _EVERY
    return hosting_q(user) | edit_rule(user).q()


def attendance_q(user) -> Q:
    """``may_read_attendance`` in SQL: the sessions whose every row ``user`` reads."""
    if _signed_in(user) and user.is_site_admin:
        return _EVERY
    return managing_q(user) | manage_rule(user).q()


def may_host(user) -> bool:
    """Who may be a host or co-host: instructors of an institution (and site admins)."""
    return _signed_in(user) and user.can_author
