"""Forms of the consultation pages. They check the shape of the input; ``consults.services``
check the rules (and rights) again. The findings fields are the models' own
(``cases.CeusFindings`` through the reading and the answer): the same choices, labels and
ranges as a case's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, User
from cases.models import LiRads, Organ
from cineloops.models import CineLoop
from cineloops.uploads import MultipleFileField
from consults import conf
from consults.models import ExpertAnswer, RequesterReading, Urgency
from consults.selectors import selectable_loops
from consults.services import records

CATEGORY_WIDGET = forms.TextInput(attrs={"list": "lirads-categories", "autocomplete": "off"})


def _record_fields(model, names: Iterable[str]) -> dict[str, forms.Field]:
    fields = fields_for_model(
        model,
        fields=list(names),
        widgets={
            "category": CATEGORY_WIDGET,
            "impression": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "report": forms.Textarea(attrs={"rows": 6}),
        },
    )
    for field in fields.values():
        field.required = False
    return fields


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: each message under its field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ConfirmMixin(forms.Form):
    """The identifier warning's confirmation, shown once text looked like an identifier."""

    confirm_no_identifiers = forms.BooleanField(
        label=_("I confirm there are no patient identifiers in this text."), required=False
    )


class LoopChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CineLoop) -> str:
        return obj.display_label


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} · {obj.institution}" if obj.institution_id else name


class ConsultRequestForm(ConfirmMixin):
    target = forms.ModelChoiceField(
        label=_("Expert centre"), queryset=Institution.objects.none(), empty_label=None
    )
    expert = ExpertChoiceField(
        label=_("Named expert"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Any expert of the centre"),
        help_text=_("Optional: an instructor of the centre you ask."),
    )
    organ = forms.ChoiceField(label=_("Organ system"), choices=Organ.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    clinical_question = forms.CharField(
        label=_("Clinical question"),
        max_length=conf.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The indication and what you want the experts to answer."),
    )
    loops = LoopChoiceField(
        label=_("Loops from your inbox and your hospital"),
        queryset=CineLoop.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    uploads = MultipleFileField(
        label=_("Or upload DICOM files"),
        required=False,
        help_text=_("DICOM files or a ZIP of them: de-identified before the centre sees them."),
    )
    contrast_agent = forms.CharField(label=_("Contrast agent"), max_length=100, required=False)
    contrast_dose = forms.CharField(label=_("Contrast dose"), max_length=100, required=False)
    injection_time_s = forms.FloatField(
        label=_("Injection time (s)"),
        required=False,
        min_value=-3600,
        max_value=3600,
        help_text=_("Seconds into the first loop at which contrast was injected (t0)."),
    )
    local_reference = forms.CharField(
        label=_("Local reference"),
        max_length=100,
        required=False,
        help_text=_(
            "For your hospital only (never shown to the centre): your examination or record "
            "number, to find the patient again. Never a name or an ID card number."
        ),
    )

    FIELDSETS = (
        (_("Your question"), ("target", "expert", "organ", "urgency", "clinical_question")),
        (_("Loops"), ("loops", "uploads")),
        (_("Contrast"), ("contrast_agent", "contrast_dose", "injection_time_s")),
        (_("Your reading, before the answer"), records.READING_FIELDS),
        (_("For your hospital only"), ("local_reference",)),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_record_fields(RequesterReading, records.READING_FIELDS))
        self.fields["impression"].label = _("Your impression")
        centres = Institution.objects.filter(level=Institution.Level.EXPERT_CENTRE).exclude(
            pk=user.institution_id
        )
        self.fields["target"].queryset = centres
        self.fields["expert"].queryset = (
            User.objects.filter(
                role=User.Role.INSTRUCTOR,
                is_active=True,
                institution__level=Institution.Level.EXPERT_CENTRE,
            )
            .exclude(institution_id=user.institution_id)
            .select_related("institution")
            .order_by("institution__name", "last_name", "first_name", "username")
        )
        self.fields["loops"].queryset = selectable_loops(user).order_by("-created_at", "-pk")

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(legend), [self[name] for name in names]) for legend, names in self.FIELDSETS]

    @property
    def lirads_categories(self) -> list[str]:
        return list(LiRads.values)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "target": data["target"],
            "expert": data["expert"],
            "organ": data["organ"],
            "urgency": data["urgency"],
            "clinical_question": data["clinical_question"],
            "contrast_agent": data["contrast_agent"],
            "contrast_dose": data["contrast_dose"],
            "injection_time_s": data["injection_time_s"],
            "local_reference": data["local_reference"],
            "loops": list(data["loops"]),
            "files": data["uploads"] or [],
            "reading": {name: data[name] for name in records.READING_FIELDS},
            "confirmed": data["confirm_no_identifiers"],
        }


class AnswerForm(ConfirmMixin):
    """The structured CEUS report: the findings, the diagnosis, a recommendation, free text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = _record_fields(ExpertAnswer, records.ANSWER_FIELDS)
        self.fields = {**fields, **self.fields}

    @property
    def lirads_categories(self) -> list[str]:
        return list(LiRads.values)

    @staticmethod
    def answer_of(data: dict[str, Any]) -> dict[str, Any]:
        """The service's ``answer`` from the cleaned data."""
        return {name: data[name] for name in records.ANSWER_FIELDS}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the centre declines"),
        max_length=conf.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you withdraw it (optional)"),
        max_length=conf.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(ConfirmMixin):
    body = forms.CharField(
        label=_("Your message"), max_length=conf.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["body", "confirm_no_identifiers"]


class SecondOpinionAskForm(forms.Form):
    expert = ExpertChoiceField(label=_("Ask"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, experts: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = User.objects.filter(pk__in=[u.pk for u in experts])


class SecondOpinionForm(ConfirmMixin):
    opinion = forms.CharField(
        label=_("Your opinion"), max_length=conf.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["opinion", "confirm_no_identifiers"]


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(
        label=_(
            "The patient agreed to the teaching use of these images under our hospital's policy."
        )
    )


class TeachingCaseForm(forms.Form):
    include_reading = forms.BooleanField(
        label=_("Add the requester's reading as a “what a first reader thought” teaching point"),
        required=False,
        initial=True,
    )
