"""Forms validate input for the case pages; services do the writing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from cases.models import Case, CaseStatus, Difficulty, LiRads, Modality, Organ
from cases.selectors import LibraryFilters
from cases.services import LoopSpec
from cases.services.authoring import CASE_TEXTS
from cases.snapshot import SNAPSHOT_FIELDS
from cineloops.models import CineLoop
from core.bilingual_forms import BilingualFormMixin, localized
from core.scoping import default_visibility

MARKDOWN = {"rows": 6, "data-markdown": ""}
FIELDSETS = [
    (
        _("Case"),
        [
            "institution",
            *localized("title"),
            "organ",
            "modality",
            "difficulty",
            "visibility",
            "assessment_only",
            "tags",
        ],
    ),
    (_("Contrast"), ["contrast_agent", "contrast_dose", "injection_time_s", "dynamic_range_db"]),
    (_("Clinical history"), localized("clinical_history")),
    (
        _("Findings"),
        [
            "arterial_enhancement",
            "arterial_pattern",
            "portal_venous_enhancement",
            "late_enhancement",
            "washout_onset_s",
            "washout_degree",
        ],
    ),
    (_("Diagnosis"), ["category", *localized("final_diagnosis"), "proof", "certainty"]),
    (_("Teaching"), [*localized("teaching_points"), "references"]),
]


def _case_form_fields() -> list[str]:
    """The snapshot fields, each translated text as its English and Chinese pair."""
    return [
        name
        for field in SNAPSHOT_FIELDS
        for name in (localized(field) if field in CASE_TEXTS else [field])
    ]


class CaseForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, e.g. “cirrhosis, HBV, wash-out”."),
    )

    class Meta:
        model = Case
        fields = _case_form_fields()
        widgets = {
            **{
                name: forms.Textarea(attrs=MARKDOWN)
                for name in localized("clinical_history", "teaching_points")
            },
            "references": forms.Textarea(attrs={**MARKDOWN, "rows": 4}),
            "category": forms.TextInput(attrs={"list": "lirads-categories"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["visibility"].initial = default_visibility(user.institution)
        if self.instance.pk:
            self.fields["tags"].initial = ", ".join(t.name for t in self.instance.tags.all())
        # Site admins have no institution of their own: they choose the owner of a new case.
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(), label=_("Institution")
            )
            self.order_fields(["institution", *self.Meta.fields])

    def clean_tags(self) -> list[str]:
        return [name for name in self.cleaned_data["tags"].split(",") if name.strip()]

    @property
    def lirads_categories(self) -> list[str]:
        return list(LiRads.values)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in FIELDSETS
        ]


class LoopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CineLoop) -> str:
        return f"{obj.display_label} · {obj.get_status_display()}"


class LoopForm(forms.Form):
    loop = LoopChoiceField(CineLoop.objects.none(), label=_("Cine loop"), required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    starts_after_injection_s = forms.FloatField(
        label=_("Starts after injection (s)"),
        required=False,
        help_text=_("Loops after the first: when the recording started."),
    )

    def __init__(self, *args, loops=None, **kwargs):
        super().__init__(*args, **kwargs)
        if loops is not None:
            self.fields["loop"].queryset = loops


class BaseLoopFormSet(forms.BaseFormSet):
    def __init__(self, *args, loops, **kwargs):
        self.loops = loops
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "loops": self.loops}

    def specs(self) -> list[LoopSpec]:
        """Chosen loops in the order of the rows (deleted and empty rows skipped)."""
        specs = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("loop"):
                continue
            specs.append(
                LoopSpec(
                    data["loop"].pk,
                    data.get("caption") or "",
                    data.get("starts_after_injection_s"),
                )
            )
        return specs


LoopFormSet = forms.formset_factory(
    LoopForm, formset=BaseLoopFormSet, extra=2, can_delete=True, max_num=20, validate_max=True
)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Publish")), ("return", _("Return to the authors"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the case goes back to its authors."),
    )


SORT_LABELS = {
    "": _("Relevance, or newest first"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "title": _("Title"),
    "difficulty": _("Easiest first"),
    "-difficulty": _("Hardest first"),
}


def library_filter_bar(filters: LibraryFilters, institutions, *, editor: bool = False) -> dict:
    """Context of the library's filter bar (``cases/_filters.html``); editors also filter by
    status (their drafts and the cases waiting for review)."""
    statuses = (
        [
            {
                "name": "status",
                "label": _("Status"),
                "current": filters.status,
                "options": CaseStatus.choices,
            }
        ]
        if editor
        else []
    )
    return {
        "selects": [
            {
                "name": "organ",
                "label": _("Organ system"),
                "current": filters.organ,
                "options": Organ.choices,
            },
            {
                "name": "modality",
                "label": _("Modality"),
                "current": filters.modality,
                "options": Modality.choices,
            },
            {
                "name": "difficulty",
                "label": _("Difficulty"),
                "current": str(filters.difficulty or ""),
                "options": [(str(value), label) for value, label in Difficulty.choices],
            },
            {
                "name": "institution",
                "label": _("Institution"),
                "current": str(filters.institution or ""),
                "options": [(str(pk), name) for pk, name in institutions],
            },
            *statuses,
        ],
        "sorts": list(SORT_LABELS.items()),
        "categories": list(LiRads.values),
    }
