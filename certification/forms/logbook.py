"""Forms of the scan logbook: a trainee's entry and a supervisor's sign-off. They check the
shape of the input; ``certification.services.logbook`` checks the rules (and rights) again."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import Organ
from certification.models import Adequacy, ExamType, LogbookEntry
from certification.services import logbook as services
from cineloops.models import CineLoop
from cineloops.uploads import MultipleFileField


class LoopChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CineLoop) -> str:
        return obj.display_label


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class LogbookEntryForm(forms.Form):
    performed_on = forms.DateField(
        label=_("Date of the scan"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exam_type = forms.ChoiceField(label=_("Exam type"), choices=ExamType.choices)
    organ = forms.ChoiceField(label=_("Organ system"), choices=Organ.choices)
    contrast_agent = forms.CharField(
        label=_("Contrast agent"),
        max_length=100,
        required=False,
        help_text=_("Agent and dose, e.g. “SonoVue 1.5 mL”."),
    )
    indication = forms.CharField(
        label=_("Indication"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    findings = forms.CharField(
        label=_("Findings summary"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    impression = forms.CharField(
        label=_("Your impression"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    loops = LoopChoiceField(
        label=_("Loops already uploaded"),
        queryset=CineLoop.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De-identified loops that finished processing."),
    )
    uploads = MultipleFileField(
        label=_("Upload DICOM files"),
        required=False,
        help_text=_(
            "DICOM files or a ZIP of them. They are de-identified before anyone sees them; "
            "the loops appear on the entry once processed."
        ),
    )
    supervisor = SupervisorChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Any instructor of my institution"),
        help_text=_("The instructor asked to sign the entry off (optional)."),
    )
    confirm_no_identifiers = forms.BooleanField(
        label=_("I confirm there are no patient identifiers in this entry."), required=False
    )

    def __init__(self, *args, trainee: User, entry: LogbookEntry | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        loops = services.selectable_loops(trainee)
        if entry is not None and entry.pk:
            # Loops already on the entry stay choosable (e.g. still processing).
            loops = loops | CineLoop.objects.filter(pk__in=entry.loops.values("pk"))
        self.fields["loops"].queryset = loops.distinct().order_by("-created_at", "-pk")
        self.fields["supervisor"].queryset = services.supervisors_for(trainee)
        self.fields["performed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    @classmethod
    def initial_from(cls, entry: LogbookEntry) -> dict[str, object]:
        return {
            "performed_on": entry.performed_on,
            "exam_type": entry.exam_type,
            "organ": entry.organ,
            "contrast_agent": entry.contrast_agent,
            "indication": entry.indication,
            "findings": entry.findings,
            "impression": entry.impression,
            "loops": list(entry.loops.values_list("pk", flat=True)),
            "supervisor": entry.supervisor_id,
        }

    def service_kwargs(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        return {
            "data": data,
            "loops": list(data.pop("loops", [])),
            "uploads": data.pop("uploads", []) or [],
            "confirmed": bool(data.pop("confirm_no_identifiers", False)),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=services.Decision.CHOICES, widget=forms.RadioSelect
    )
    adequacy = forms.ChoiceField(
        label=_("Adequacy"),
        choices=[("", _("—")), *Adequacy.choices],
        required=False,
        help_text=_("Required to approve. An inadequate scan does not count towards a programme."),
    )
    comment = forms.CharField(
        label=_("Comment for the trainee"),
        max_length=services.MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to reject."),
    )
