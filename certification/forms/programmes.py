"""Forms of programme authoring and of the director's manual decisions. They validate input;
``certification.services`` do the writing (and check permissions again)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from cases.models.choices import Organ
from certification.models import ExamType, Programme, ProgrammeVersion, Requirement
from core.bilingual_forms import BilingualFormMixin, localized
from core.scoping import default_visibility
from courses.models import Course
from quizzes.models import Quiz


class ProgrammeForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    class Meta:
        model = Programme
        fields = [*localized("title"), "validity_months", "visibility", "status"]
        fields += localized("description")
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in localized("description")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Site admins have no institution of their own: they choose the owner of a new one.
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(), label=_("Institution")
            )
            self.order_fields(["institution", *self.Meta.fields])
        if not self.instance.pk:
            self.fields["visibility"].initial = default_visibility(user.institution)
            # A new programme starts as a draft: it is published once its rules are ready.
            del self.fields["status"]


class RequirementForm(BilingualFormMixin, forms.ModelForm):
    exam_types = forms.MultipleChoiceField(
        label=_("Exam types"),
        choices=ExamType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Scans only. None ticked: any exam type counts."),
    )
    organ = forms.ChoiceField(
        label=_("Organ system"),
        choices=[("", _("Any organ")), *Organ.choices],
        required=False,
        help_text=_("Cases, scans and consultations: only this organ counts."),
    )

    class Meta:
        model = Requirement
        fields = [
            "kind",
            "stage",
            *localized("title"),
            "order",
            "courses",
            "quiz",
            "min_score",
            "count",
            "organ",
            "category",
            "exam_types",
            "hours",
            "prerequisite",
        ]
        widgets = {"courses": forms.CheckboxSelectMultiple}
        help_texts = {
            "courses": _("Courses: every course ticked must be complete."),
            "quiz": _("Quiz or exam to pass."),
            "min_score": _("Empty: the quiz's own pass mark."),
            "count": _("Cases to review, supervised scans to log, or consultations answered."),
            "category": _("Cases only, e.g. LR-5. Empty: any category."),
            "hours": _("CME hours, or hours of live teaching."),
        }

    def __init__(self, *args, user, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = Course.objects.for_user(user).order_by("title")
        self.fields["quiz"].queryset = Quiz.objects.for_user(user).order_by("title")
        self.fields["prerequisite"].queryset = (
            Programme.objects.for_user(user).exclude(pk=programme.pk).order_by("title")
        )

    def service_fields(self) -> dict:
        """cleaned_data as the requirement services take it (courses apart)."""
        data = dict(self.cleaned_data)
        data["courses"] = list(data.get("courses") or [])
        data["exam_types"] = list(data.get("exam_types") or [])
        return data


class VersionPublishForm(forms.ModelForm):
    class Meta:
        model = ProgrammeVersion
        fields = ["notes", "counts_from"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "counts_from": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
        help_texts = {
            "counts_from": _(
                "Records before this moment do not count. Empty: from publication, so "
                "evidence gathered under earlier rules must be gathered again."
            )
        }


class IssueForm(forms.Form):
    """A director issues a certificate by hand; the reason goes to the audit log."""

    holder = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Trainee"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: why the certificate is issued without the usual evidence."),
    )

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = trainees
        self.fields["holder"].label_from_instance = _trainee_label

    def clean_reason(self) -> str:
        return _required_text(self.cleaned_data["reason"])


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: recorded in the audit log."),
    )

    def clean_reason(self) -> str:
        return _required_text(self.cleaned_data["reason"])


def _trainee_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.institution})" if user.institution_id else name


def _required_text(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise forms.ValidationError(_("Give a reason."), code="required")
    return value


class CohortFilterForm(forms.Form):
    """The director's filters: which programme, and which trainees (institution, cohort)."""

    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(), label=_("Programme"), empty_label=None
    )
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        label=_("Institution"),
        required=False,
        empty_label=_("All institutions"),
    )
    cohort = forms.ModelChoiceField(
        queryset=None, label=_("Cohort"), required=False, empty_label=_("All cohorts")
    )

    def __init__(self, *args, programmes, institutions, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["institution"].queryset = institutions
        self.fields["cohort"].queryset = cohorts
