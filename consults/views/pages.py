"""The lists of consultations and the consult page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.models import Organ
from consults import forms, rights, selectors, services
from consults.models import Consultation, ConsultStatus
from consults.selectors.agreement import AgreementReport
from consults.selectors.page import consult_page
from consults.services.identifiers import warning_messages


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    if not rights.may_ask(request.user):
        raise PermissionDenied
    # A poster once processed (the inbox lists loops still processing too).
    loops = [
        (loop, loop.media_url("poster") if loop.status == loop.Status.READY else None)
        for loop in selectors.inbox_loops(request.user)
    ]
    return render(request, "consults/inbox.html", {"loops": loops})


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    if not rights.may_see_queue(request.user):
        raise PermissionDenied
    items = selectors.centre_queue(request.user)
    context = {
        "items": items,
        "overdue": sum(item.overdue for item in items),
        "answered": selectors.centre_answered(request.user),
    }
    return render(request, "consults/queue.html", context)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    if not rights.may_ask(request.user):
        raise PermissionDenied
    agreement = selectors.my_agreement(request.user)
    context = {
        "rows": selectors.my_consultations(request.user),
        "agreement": agreement,
        "agreement_groups": agreement_tables(agreement),
        "colleagues": selectors.colleagues_requests(request.user),
    }
    return render(request, "consults/mine.html", context)


def agreement_tables(report: AgreementReport | None) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The agreement's tables as the pages show them: per organ, per expert category, per
    month (only those with rows)."""
    if report is None:
        return []
    organs = dict(Organ.choices)
    tables = [
        (_("By organ"), [(organs.get(k, k), v) for k, v in report.by_organ.items()]),
        (_("By the expert's category"), list(report.by_category.items())),
        (_("By month"), list(report.by_period)),
    ]
    return [(str(title), rows) for title, rows in tables if rows]


def consult_or_404(request: HttpRequest, pk: int) -> Consultation:
    consult = selectors.consult_for(request.user, pk)
    if consult is None:
        raise Http404
    return consult


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    consult = consult_or_404(request, pk)
    # Before the page is drawn: its menu badge no longer counts what the reader now sees.
    services.consult_mark_seen(consult=consult, user=request.user)
    return render_consult(request, consult)


def _forms(page) -> dict[str, Any]:
    """The unbound forms of the buttons the reader has."""
    actions = page.actions
    found: dict[str, Any] = {}
    if actions.answer:
        found["answer_form"] = forms.AnswerForm()
    if actions.decline:
        found["decline_form"] = forms.DeclineForm()
    if actions.withdraw:
        found["withdraw_form"] = forms.WithdrawForm()
    if actions.post_message:
        found["message_form"] = forms.MessageForm()
    if actions.ask_second_opinion:
        found["ask_form"] = forms.SecondOpinionAskForm(experts=page.experts)
    if actions.give_second_opinion:
        found["opinion_form"] = forms.SecondOpinionForm()
    if actions.record_consent:
        found["consent_form"] = forms.ConsentForm()
    if actions.make_teaching_case:
        found["teaching_form"] = forms.TeachingCaseForm()
    return found


def render_consult(
    request: HttpRequest,
    consult: Consultation,
    *,
    bound: dict[str, Any] | None = None,
    warnings: list[dict[str, object]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The consult page; ``bound``: forms sent back with their errors (by context name)."""
    page = consult_page(consult, request.user, now=timezone.now())
    context = {
        "page": page,
        "consult": consult,
        "actions": page.actions,
        # An expert may teach the case live to its requester (``live:for_consult``).
        "may_open_live": rights.is_expert(request.user, consult)
        and consult.status not in (ConsultStatus.WITHDRAWN, ConsultStatus.DECLINED),
        **_forms(page),
        **(bound or {}),
        "warnings": warning_messages(warnings or []),
        "stored_warnings": warning_messages(
            [
                w
                for w in consult.phi_warnings
                if page.local_reference is not None or w.get("field") != "local_reference"
            ]
        ),
    }
    return render(request, "consults/detail.html", context, status=status)
