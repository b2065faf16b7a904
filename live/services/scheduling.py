"""Scheduling sessions: create, change, cancel; the agenda; a consultation's session.

Hosts and co-hosts are instructors (``rights.may_host``); a session belongs to its host's
institution (site admins name one). The agenda holds only what the person setting it may show
to the audience: published cases they may read (not "assessment only" ones: exam material),
single loops of their own institution that no consultation uses (patients' loops reach
teaching only through a reviewed case) and, in a consultation's session, that consultation's
loops — all ready (processed cleanly).

Public functions (keyword-only; ``PermissionDenied`` / ``ValidationError`` as in forms):
    session_create(*, by, starts_at, planned_end, title="", …, **translations) -> LiveSession
    session_update(*, session, by, **fields) -> LiveSession
    session_cancel(*, session, by) -> LiveSession
    agenda_set(*, session, by, items) -> list[AgendaItem]
    session_for_consult(*, consult, by, starts_at=None, now=None) -> LiveSession
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from cases.access import readable_cases
from cases.models import CaseStatus
from cineloops.models import CineLoop
from consults import rights as consult_rights
from consults.models import Consultation, ConsultLoop, ConsultStatus
from core.authoring import apply_fields, apply_translations, first_text
from core.content_language import localized
from core.locking import lock
from core.scoping import acts_for
from courses.models import Cohort
from live import rights
from live.models import TRANSITIONS, AgendaItem, Audience, LiveSession, SessionStatus
from live.services.events import now_or

TEXTS = ("title", "description")
FIELDS = frozenset(
    {*TEXTS, *localized(*TEXTS), "starts_at", "planned_end", "audience", "conference_url"}
)
MAX_AGENDA = 30


def session_create(
    *,
    by: User,
    starts_at: datetime,
    planned_end: datetime,
    title: str = "",
    description: str = "",
    audience: str = Audience.NETWORK,
    institutions: Iterable[Institution] = (),
    cohorts: Iterable[Cohort] = (),
    co_hosts: Iterable[User] = (),
    conference_url: str = "",
    institution: Institution | None = None,
    agenda: Sequence[dict[str, Any]] = (),
    consult: Consultation | None = None,
    **translations: str,
) -> LiveSession:
    """A scheduled session hosted by ``by`` for ``institution`` (default: theirs)."""
    if not rights.may_host(by):
        raise PermissionDenied(_("Only instructors can host live sessions."))
    institution = institution or by.institution
    if institution is None:
        raise ValidationError({"institution": _("Choose the institution that runs the session.")})
    if not acts_for(by, institution.pk):
        raise PermissionDenied(_("You can only schedule sessions for your own institution."))
    session = LiveSession(
        institution=institution,
        host=by,
        title=title,
        description=description,
        starts_at=starts_at,
        planned_end=planned_end,
        audience=audience,
        conference_url=conference_url,
        consult=consult,
        created_by=by,
    )
    apply_translations(session, TEXTS, translations)
    with transaction.atomic():
        _check(session)
        session.save()
        _set_people(session, institutions=institutions, cohorts=cohorts, co_hosts=co_hosts)
        if agenda:
            agenda_set(session=session, by=by, items=agenda)
    return session


def _check(session: LiveSession) -> None:
    errors: dict[str, str] = {}
    if not first_text(session.title, *(getattr(session, n) for n in localized("title"))):
        errors["title"] = _("Give the session a title.")
    if session.audience not in Audience.values:
        errors["audience"] = _("Choose the audience.")
    elif (session.audience == Audience.CONSULT) != (session.consult_id is not None):
        errors["audience"] = _("Only a consultation's session has its people as audience.")
    if session.starts_at and session.planned_end and session.planned_end <= session.starts_at:
        errors["planned_end"] = _("The session must end after it starts.")
    if errors:
        raise ValidationError(errors)
    session.full_clean(exclude=["title", "description", "state"])


def _set_people(
    session: LiveSession,
    *,
    institutions: Iterable[Institution] | None = None,
    cohorts: Iterable[Cohort] | None = None,
    co_hosts: Iterable[User] | None = None,
) -> None:
    if co_hosts is not None:
        people = [user for user in co_hosts if user.pk != session.host_id]
        if any(not rights.may_host(user) for user in people):
            raise ValidationError({"co_hosts": _("Co-hosts must be instructors.")})
        session.co_hosts.set(people)
    if institutions is not None:
        session.institutions.set(list(institutions))
    if cohorts is not None:
        session.cohorts.set(list(cohorts))
    if session.audience == Audience.INSTITUTIONS and not session.institutions.exists():
        raise ValidationError({"institutions": _("Choose at least one institution.")})
    if session.audience == Audience.COHORTS and not session.cohorts.exists():
        raise ValidationError({"cohorts": _("Choose at least one cohort.")})


def _require_manager(session: LiveSession, by: User) -> LiveSession:
    fresh = lock(session)
    if not rights.may_manage(by, fresh):
        raise PermissionDenied(_("You cannot change this session."))
    return fresh


def session_update(*, session: LiveSession, by: User, **fields: Any) -> LiveSession:
    """Change a scheduled session: texts, times, audience (with ``institutions`` /
    ``cohorts``), co-hosts, link. A running session keeps its times and audience."""
    people = {
        name: fields.pop(name) for name in ("institutions", "cohorts", "co_hosts") if name in fields
    }
    with transaction.atomic():
        fresh = _require_manager(session, by)
        if fresh.status not in (SessionStatus.SCHEDULED, SessionStatus.LIVE):
            raise ValidationError(_("This session is over: it can no longer change."))
        if fresh.status == SessionStatus.LIVE and (
            {"starts_at", "audience"} & set(fields) or {"institutions", "cohorts"} & set(people)
        ):
            raise ValidationError(_("A running session keeps its start and its audience."))
        names = apply_fields(fresh, FIELDS, fields)
        _check(fresh)
        fresh.save(update_fields=[*names, "updated_at"])
        _set_people(fresh, **people)
    return fresh


def session_cancel(*, session: LiveSession, by: User) -> LiveSession:
    with transaction.atomic():
        fresh = _require_manager(session, by)
        if SessionStatus.CANCELLED not in TRANSITIONS[fresh.status]:
            raise ValidationError(_("Only a scheduled session can be cancelled."))
        fresh.status = SessionStatus.CANCELLED
        fresh.save(update_fields=["status", "updated_at"])
    return fresh


# --- the agenda ------------------------------------------------------------------------------


def showable_loops(session: LiveSession, by: User):
    """Single loops ``by`` may put on ``session``'s agenda (see the module docstring)."""
    ready = CineLoop.objects.filter(status=CineLoop.Status.READY)
    if session.consult_id:
        return ready.filter(consult_links__consult_id=session.consult_id)
    in_consults = ConsultLoop.objects.values("loop_id")
    return ready.editable_by(by).exclude(pk__in=in_consults)


def showable_cases(by: User):
    """Cases ``by`` may put on an agenda: published, readable by them, not exam material."""
    return readable_cases(by).filter(status=CaseStatus.PUBLISHED, assessment_only=False)


def agenda_set(
    *, session: LiveSession, by: User, items: Sequence[dict[str, Any]]
) -> list[AgendaItem]:
    """Replace the agenda with ``items`` (``{"case": id}`` or ``{"loop": id}``, in order)."""
    if not isinstance(items, list | tuple) or len(items) > MAX_AGENDA:
        raise ValidationError({"agenda": _("An agenda holds at most 30 items.")})
    with transaction.atomic():
        fresh = _require_manager(session, by)
        if not fresh.is_open:
            raise ValidationError(_("This session is over: it can no longer change."))
        wanted = [_item(item) for item in items]
        case_ids = {pk for kind, pk in wanted if kind == "case"}
        loop_ids = {pk for kind, pk in wanted if kind == "loop"}
        cases = set(showable_cases(by).filter(pk__in=case_ids).values_list("pk", flat=True))
        loops = set(showable_loops(fresh, by).filter(pk__in=loop_ids).values_list("pk", flat=True))
        if case_ids - cases or loop_ids - loops:
            raise ValidationError({"agenda": _("Some of these cases or loops cannot be shown.")})
        AgendaItem.objects.filter(session=fresh).delete()
        created = AgendaItem.objects.bulk_create(
            AgendaItem(session=fresh, order=order, **{f"{kind}_id": pk})
            for order, (kind, pk) in enumerate(wanted)
        )
    return created


def _item(item: Any) -> tuple[str, int]:
    if isinstance(item, dict) and len(item) == 1:
        ((kind, pk),) = item.items()
        if kind in ("case", "loop") and isinstance(pk, int) and not isinstance(pk, bool):
            return kind, pk
    raise ValidationError({"agenda": _("Each agenda item is a case or a loop.")})


# --- a consultation's session ----------------------------------------------------------------


def session_for_consult(
    *,
    consult: Consultation,
    by: User,
    starts_at: datetime | None = None,
    minutes: int = 60,
    now: datetime | None = None,
) -> LiveSession:
    """A session on the consultation's loops, hosted by one of its experts (an instructor of
    the consulted centre), for its requester and experts."""
    if not consult_rights.is_expert(by, consult):
        raise PermissionDenied(_("Only the consulted centre's experts can open this session."))
    if consult.status in (ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED):
        raise ValidationError(_("This consultation is over."))
    starts_at = starts_at or now_or(now)
    titles = {}
    for code in ("en", "zh-hans"):
        with translation.override(code):
            titles[code] = _("Consultation #%(number)s") % {"number": consult.pk}
    with transaction.atomic():
        session = session_create(
            by=by,
            institution=consult.target,
            starts_at=starts_at,
            planned_end=starts_at + timedelta(minutes=minutes),
            audience=Audience.CONSULT,
            consult=consult,
            title_en=titles["en"],
            title_zh_hans=titles["zh-hans"],
        )
        loops = showable_loops(session, by).order_by("consult_links__order", "pk")
        agenda_set(session=session, by=by, items=[{"loop": loop.pk} for loop in loops])
    return session
