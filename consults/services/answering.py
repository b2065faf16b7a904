"""The centre's side: claiming a request (one claimer; the others see who), releasing it,
declining it with a reason, answering it with a structured report, and second opinions.

Every change locks the consult's row first and decides on what it reads there: of two
experts claiming at once, the second finds it claimed and is refused (``already_claimed``).

Public functions (keyword-only):
    consult_claim(*, consult, by, now=None) -> Consultation
    consult_release(*, consult, by, now=None) -> Consultation
    consult_decline(*, consult, by, reason, now=None) -> Consultation
    consult_answer(*, consult, by, answer, confirmed=False, now=None) -> ExpertAnswer
    second_opinion_ask(*, consult, by, expert, now=None) -> Consultation
    second_opinion_give(*, consult, by, opinion, confirmed=False, now=None) -> Consultation
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consults import conf, rights
from consults.models import Consultation, ConsultStatus, EventKind, ExpertAnswer
from consults.services import identifiers, records
from consults.services.transitions import (
    ConsultError,
    lock_consult,
    move,
    person_name,
    record,
    require_claimer,
    require_expert,
)


def consult_claim(*, consult: Consultation, by: User, now: datetime | None = None) -> Consultation:
    """Take a waiting request: from now on ``by`` reads and answers it."""
    require_expert(by, consult)
    with transaction.atomic():
        locked = lock_consult(consult)
        if locked.status == ConsultStatus.CLAIMED:
            raise ConsultError(
                _("%(name)s has already claimed this consultation.")
                % {"name": person_name(locked.claimed_by)},
                "already_claimed",
            )
        locked.claimed_by = by
        move(
            locked, to=ConsultStatus.CLAIMED, by=by, now=now or timezone.now(), also=["claimed_by"]
        )
    return locked


def consult_release(
    *, consult: Consultation, by: User, now: datetime | None = None
) -> Consultation:
    """Give a claimed request back to the queue (it keeps its waiting time)."""
    require_expert(by, consult)
    with transaction.atomic():
        locked = lock_consult(consult)
        require_claimer(by, locked)
        locked.claimed_by = None
        locked.claimed_at = None
        move(
            locked,
            to=ConsultStatus.SUBMITTED,
            by=by,
            now=now or timezone.now(),
            also=["claimed_by", "claimed_at"],
        )
    return locked


def consult_decline(
    *, consult: Consultation, by: User, reason: str, now: datetime | None = None
) -> Consultation:
    """Refuse a request, saying why (the requester reads it): any expert while it waits, the
    claimer once claimed."""
    require_expert(by, consult)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the request is declined.")]})
    if len(reason) > conf.MAX_TEXT:
        raise ValidationError(
            {"reason": [_("At most %(limit)s characters, please.") % {"limit": conf.MAX_TEXT}]}
        )
    with transaction.atomic():
        locked = lock_consult(consult)
        if locked.status == ConsultStatus.CLAIMED:
            require_claimer(by, locked)
        move(locked, to=ConsultStatus.DECLINED, by=by, now=now or timezone.now(), reason=reason)
    return locked


def consult_answer(
    *,
    consult: Consultation,
    by: User,
    answer: Mapping[str, Any],
    confirmed: bool = False,
    now: datetime | None = None,
) -> ExpertAnswer:
    """Answer a claimed request with a structured report (``records.ANSWER_FIELDS``): the
    case library's findings, the most likely diagnosis, a recommendation and free text. Only
    the claimer answers; the answer is final (questions go to the thread)."""
    require_expert(by, consult)
    cleaned = records.clean_record(
        ExpertAnswer, records.ANSWER_FIELDS, records.ANSWER_TEXTS, answer, organ=consult.organ
    )
    if records.is_empty({k: v for k, v in cleaned.items() if k != "certainty"}):
        raise ValidationError(
            {"report": [_("Give the findings, a diagnosis, a recommendation or a report.")]}
        )
    warnings = identifiers.checked(
        {name: cleaned[name] for name in records.ANSWER_TEXTS}, confirmed=confirmed
    )
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        if locked.status in (ConsultStatus.ANSWERED, ConsultStatus.CLOSED):
            raise ConsultError(_("This consultation has been answered."), "already_answered")
        require_claimer(by, locked)
        saved = ExpertAnswer.objects.create(
            consult=locked, answered_by=by, answered_at=now, phi_warnings=warnings, **cleaned
        )
        move(locked, to=ConsultStatus.ANSWERED, by=by, now=now)
    return saved


def second_opinion_ask(
    *, consult: Consultation, by: User, expert: User, now: datetime | None = None
) -> Consultation:
    """The claimer asks another instructor of the centre for an opinion (one at a time: a new
    request replaces an earlier one)."""
    require_expert(by, consult)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        # Whether ``by`` may ask at all comes before whom they ask.
        require_claimer(by, locked)
        if expert.pk == by.pk or not rights.is_expert(expert, locked) or not expert.is_active:
            raise ValidationError({"expert": [_("Choose another instructor of your centre.")]})
        locked.second_expert = expert
        locked.second_opinion = ""
        locked.second_opinion_asked_at = now
        locked.second_opinion_at = None
        locked.save(
            update_fields=[
                "second_expert",
                "second_opinion",
                "second_opinion_asked_at",
                "second_opinion_at",
                "updated_at",
            ]
        )
        record(locked, kind=EventKind.SECOND_OPINION_ASKED, by=by, now=now)
    return locked


def second_opinion_give(
    *,
    consult: Consultation,
    by: User,
    opinion: str,
    confirmed: bool = False,
    now: datetime | None = None,
) -> Consultation:
    """The second expert's opinion, for the claimer (and, shown with the answer, the
    requester)."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"second_opinion": [_("Write your opinion.")]})
    if len(opinion) > conf.MAX_TEXT:
        raise ValidationError(
            {
                "second_opinion": [
                    _("At most %(limit)s characters, please.") % {"limit": conf.MAX_TEXT}
                ]
            }
        )
    identifiers.checked({"second_opinion": opinion}, confirmed=confirmed)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_consult(consult)
        if locked.second_expert_id != by.pk or not rights.is_expert(by, locked):
            raise PermissionDenied(_("Your opinion was not asked on this consultation."))
        if locked.status not in (ConsultStatus.CLAIMED, ConsultStatus.ANSWERED):
            raise ConsultError(
                _("This consultation is over: no more opinions are taken."), "consult_over"
            )
        locked.second_opinion = opinion
        locked.second_opinion_at = now
        locked.save(update_fields=["second_opinion", "second_opinion_at", "updated_at"])
        record(locked, kind=EventKind.SECOND_OPINION_GIVEN, by=by, now=now)
    return locked
