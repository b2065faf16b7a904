"""Forms validate input for the authoring and cohort pages; services do the writing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from core.bilingual_forms import BilingualFormMixin, localized
from core.scoping import default_visibility
from courses.models import Cohort, Course, Lesson, Module
from courses.selectors import cohort_member_choices, courses_for_institution


class CourseForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    class Meta:
        model = Course
        # The Markdown fields come last, next to their Preview button.
        fields = [
            *localized("title", "summary"),
            "visibility",
            "ordering",
            *localized("description"),
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 10, "data-markdown": ""})
            for name in localized("description")
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["visibility"].initial = default_visibility(user.institution)
        # Site admins have no institution of their own: they choose the owner of a new course.
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(),
                label=_("Institution"),
                initial=user.institution_id,
            )
            self.order_fields(["institution", *self.Meta.fields])


class ModuleForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    class Meta:
        model = Module
        fields = [*localized("title", "summary"), "prerequisites"]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 3}) for name in localized("summary")},
            "prerequisites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        others = course.modules.order_by("order", "pk")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = others


class LessonForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    class Meta:
        model = Lesson
        fields = ["module", *localized("title"), "estimated_minutes", *localized("body")]
        widgets = {
            name: forms.Textarea(attrs={"rows": 20, "data-markdown": ""})
            for name in localized("body")
        }
        help_texts = {
            name: _(
                "Markdown: headings (#), lists (-), tables, **bold**, links and images. "
                "HTML scripts and event handlers are removed."
            )
            for name in localized("body")
        }

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = course.modules.order_by("order", "pk")
        self.fields["module"].empty_label = None


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(), label=_("Institution")
            )


class CohortMembershipForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    members = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Members"),
        widget=forms.CheckboxSelectMultiple,
    )
    courses = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Courses"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published courses open to this institution."),
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": cohort.name,
                "members": list(cohort.members.all()),
                "courses": list(cohort.courses.all()),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = cohort_member_choices(cohort.institution_id)
        self.fields["courses"].queryset = courses_for_institution(cohort.institution_id)
        self.fields["members"].label_from_instance = _member_label


def _member_label(user) -> str:
    name = user.get_full_name() or user.username
    # A whole pattern, not concatenation: Chinese puts the role in full-width brackets.
    return _("%(name)s (%(role)s)") % {"name": name, "role": user.get_role_display()}
