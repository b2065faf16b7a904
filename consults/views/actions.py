"""What the consult page's buttons post: one view per action, each calling its service.

A refusal for want of rights is a 403; a consult that moved on meanwhile (claimed by someone
else, already answered …) goes back to its page with the reason; invalid input — text that
looks like a patient identifier included — shows the page again with the form's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from consults import forms, services
from consults.models import Consultation
from consults.selectors.page import second_opinion_experts
from consults.services.identifiers import UnconfirmedIdentifiers
from consults.views.pages import consult_or_404, render_consult


@dataclass(frozen=True)
class Action:
    """One button: its form (None: a bare button), the service call, what it then says."""

    run: Callable[[Consultation, User, Any], Any]  # (consult, by, cleaned data or None)
    success: Any  # a lazy translation
    form: type[django_forms.Form] | None = None
    name: str = ""  # the form's name in the page's context
    anchor: str = ""  # where on the page to go back to
    form_kwargs: Callable[[Consultation], dict[str, Any]] | None = None


def _back(consult: Consultation, anchor: str = "") -> HttpResponse:
    url = reverse("consults:detail", kwargs={"pk": consult.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _perform(request: HttpRequest, pk: int, action: Action) -> HttpResponse:
    consult = consult_or_404(request, pk)
    form = None
    if action.form is not None:
        kwargs = action.form_kwargs(consult) if action.form_kwargs else {}
        form = action.form(request.POST, **kwargs)
    warnings: list[dict[str, object]] = []
    if form is None or form.is_valid():
        try:
            result = action.run(consult, request.user, form.cleaned_data if form else None)
        except UnconfirmedIdentifiers as exc:
            warnings = exc.warnings
            form.add_error("confirm_no_identifiers", exc.messages[0])  # type: ignore[union-attr]
        except ValidationError as exc:
            conflict = (
                isinstance(exc, services.ConsultError) and exc.code in services.CONFLICT_CODES
            )
            if conflict or form is None:
                messages.error(request, exc.messages[0])
                return _back(consult)
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, str(action.success))
            return result if isinstance(result, HttpResponse) else _back(consult, action.anchor)
    return render_consult(
        request, consult, bound={action.name: form}, warnings=warnings, status=400
    )


def _view(action: Action) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _perform(request, pk, action)

    return view


def _confirmed(data: dict[str, Any]) -> bool:
    return bool(data.get("confirm_no_identifiers"))


def _teaching_case(consult: Consultation, by: User, data: dict[str, Any]) -> HttpResponse:
    result = services.teaching_case_make(
        consult=consult, by=by, include_reading=data["include_reading"]
    )
    return redirect(result.case.get_absolute_url())


claim = _view(
    Action(
        run=lambda consult, by, _data: services.consult_claim(consult=consult, by=by),
        success=_("You claimed this consultation: read the loops, draw on them and answer."),
    )
)
release = _view(
    Action(
        run=lambda consult, by, _data: services.consult_release(consult=consult, by=by),
        success=_("The consultation is back in the queue."),
    )
)
close = _view(
    Action(
        run=lambda consult, by, _data: services.consult_close(consult=consult, by=by),
        success=_("The consultation is closed."),
    )
)
decline = _view(
    Action(
        form=forms.DeclineForm,
        name="decline_form",
        run=lambda consult, by, data: services.consult_decline(
            consult=consult, by=by, reason=data["reason"]
        ),
        success=_("The request is declined; the requester reads your reason."),
    )
)
withdraw = _view(
    Action(
        form=forms.WithdrawForm,
        name="withdraw_form",
        run=lambda consult, by, data: services.consult_withdraw(
            consult=consult, by=by, reason=data["reason"]
        ),
        success=_("Your request is withdrawn."),
    )
)
answer = _view(
    Action(
        form=forms.AnswerForm,
        name="answer_form",
        anchor="answer",
        run=lambda consult, by, data: services.consult_answer(
            consult=consult,
            by=by,
            answer=forms.AnswerForm.answer_of(data),
            confirmed=_confirmed(data),
        ),
        success=_("Your answer was sent."),
    )
)
message = _view(
    Action(
        form=forms.MessageForm,
        name="message_form",
        anchor="thread",
        run=lambda consult, by, data: services.message_post(
            consult=consult, by=by, body=data["body"], confirmed=_confirmed(data)
        ),
        success=_("Your message was sent."),
    )
)
second_opinion_ask = _view(
    Action(
        form=forms.SecondOpinionAskForm,
        name="ask_form",
        form_kwargs=lambda consult: {"experts": second_opinion_experts(consult)},
        run=lambda consult, by, data: services.second_opinion_ask(
            consult=consult, by=by, expert=data["expert"]
        ),
        success=_("A second opinion was asked."),
    )
)
second_opinion_give = _view(
    Action(
        form=forms.SecondOpinionForm,
        name="opinion_form",
        run=lambda consult, by, data: services.second_opinion_give(
            consult=consult, by=by, opinion=data["opinion"], confirmed=_confirmed(data)
        ),
        success=_("Your opinion was sent."),
    )
)
consent = _view(
    Action(
        form=forms.ConsentForm,
        name="consent_form",
        run=lambda consult, by, _data: services.consent_record(consult=consult, by=by),
        success=_("The patient's consent to teaching use is recorded."),
    )
)
teaching_case = _view(
    Action(
        form=forms.TeachingCaseForm,
        name="teaching_form",
        run=_teaching_case,
        success=_(
            "A draft teaching case was made from the consultation: check it, then send it for "
            "review."
        ),
    )
)
