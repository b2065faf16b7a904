"""The question form: common fields and those of its kind only (``KIND_FIELDS``), and the
options formset of choice and ordering questions.

Loops and annotations are offered from the cases the author may see; that a loop belongs to
the chosen case, an annotation to the chosen loop, and a drawn outline lies on the loop's image
are checked here, the complete answer key by the authoring service
(``quizzes.validation.clean_answer_key``).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from accounts.models import Institution
from cases.geometry import ROI_KINDS
from cases.models import Annotation, Case, CaseLoop
from core.bilingual_forms import BilingualFormMixin, localized
from core.content_language import LANGUAGE_TAGS
from core.scoping import default_visibility
from quizzes.forms.fields import DataSelect, loop_size, parse_roi, parse_tags
from quizzes.models import LOOP_KINDS, Question, QuestionKind
from quizzes.validation import vocabulary_choices

K = QuestionKind
# Per kind, the form fields beyond the common ones, in display order.
KIND_FIELDS: dict[str, list[str]] = {
    K.SINGLE: ["case", "loop"],
    K.MULTIPLE: ["partial_credit", "case", "loop"],
    K.TRUE_FALSE: ["true_answer", "case", "loop"],
    K.ORDERING: ["partial_credit", "case", "loop"],
    K.NUMERIC: ["value", "tolerance", "unit", "case", "loop"],
    K.CATEGORY: ["vocabulary", "category", "case", "loop"],
    K.TIME_POINT: ["case", "loop", "time_s", "tolerance"],
    K.HOTSPOT: ["case", "loop", "frame_time_s", "annotation", "roi"],
    K.DRAWN: [
        "case",
        "loop",
        "frame_time_s",
        "annotation",
        "roi",
        "overlap_metric",
        "overlap_threshold",
    ],
    K.FREE_TEXT: ["rubric", "case", "loop"],
}
COMMON_FIELDS = [
    *localized("title", "prompt", "explanation"),
    "points",
    "tags",
    "visibility",
    "status",
]
ROI_KEY_KINDS = frozenset({K.HOTSPOT, K.DRAWN})
# How the question form groups its fields (the drawn region is rendered by the loop editor).
FIELDSETS = [
    ("question", _("Question"), ["institution", *COMMON_FIELDS]),
    ("loop", _("Case and loop"), ["case", "loop", "frame_time_s", "time_s", "annotation"]),
    (
        "answer",
        _("Answer"),
        [
            "true_answer",
            "value",
            "unit",
            "tolerance",
            "vocabulary",
            "category",
            "overlap_metric",
            "overlap_threshold",
            "partial_credit",
            "rubric",
        ],
    ),
]
MARKDOWN = {"rows": 6, "data-markdown": ""}


class QuestionForm(BilingualFormMixin, forms.ModelForm):
    """The common fields and those of ``kind``; ``service_fields()`` gives the service input."""

    bilingual_required = ("title", "prompt")

    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separated by commas, e.g. “liver, wash-out”. Quizzes draw questions by tag."),
    )
    true_answer = forms.TypedChoiceField(
        label=_("The statement is"),
        choices=[("true", _("True")), ("false", _("False"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    value = forms.FloatField(label=_("Correct value"))
    category = forms.CharField(label=_("Correct category"))
    loop = forms.TypedChoiceField(label=_("Cine loop"), coerce=int, required=False)
    time_s = forms.FloatField(
        label=_("Key time (s)"),
        min_value=0,
        help_text=_("The moment on the loop the trainee should find."),
    )
    annotation = forms.TypedChoiceField(
        label=_("Copy the answer region from an annotation"),
        coerce=int,
        required=False,
        help_text=_("An ellipse or polygon drawn on the chosen loop of the case."),
    )
    roi = forms.CharField(
        label=_("Answer region"),
        required=False,
        widget=forms.HiddenInput(attrs={"data-roi-input": ""}),
        help_text=_("Or draw it on the frame: drag for an ellipse, click points for a polygon."),
    )

    class Meta:
        model = Question
        fields = [
            *localized("title", "prompt", "explanation"),
            "points",
            "visibility",
            "status",
            "partial_credit",
            "tolerance",
            "unit",
            "case",
            "frame_time_s",
            "overlap_metric",
            "overlap_threshold",
            "vocabulary",
            "rubric",
        ]
        widgets = {
            **{name: forms.Textarea(attrs=MARKDOWN) for name in localized("prompt", "explanation")},
            "rubric": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, kind: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.user = user
        wanted = [*COMMON_FIELDS, *KIND_FIELDS[kind]]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(), label=_("Institution")
            )
            wanted.insert(0, "institution")
        self.order_fields(wanted)
        if not self.instance.pk:
            self.fields["visibility"].initial = default_visibility(user.institution)
        self.cases = Case.objects.for_user(user).order_by("title", "pk")
        self.fields["case"].queryset = self.cases
        self._setup_loops()
        self._setup_kind_fields()
        if self.instance.pk:
            self.fields["tags"].initial = ", ".join(t.name for t in self.instance.tags.all())
            self.fields["loop"].initial = self.instance.loop_id

    def fieldsets(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        sets = [
            (key, legend, [self[name] for name in names if name in self.fields])
            for key, legend, names in FIELDSETS
        ]
        return [entry for entry in sets if entry[2]]

    # --- choices -----------------------------------------------------------------------------

    def _setup_loops(self) -> None:
        links = (
            CaseLoop.objects.filter(case__in=self.cases)
            .select_related("case", "loop")
            .order_by("case__title", "case_id", "order", "pk")
        )
        groups: dict[str, list[tuple[int, str]]] = {}
        data: dict[str, dict[str, Any]] = {}
        self.loops: dict[int, Any] = {}
        self.case_loops: set[tuple[int, int]] = set()
        for link in links:
            loop = link.loop
            self.loops[loop.pk] = loop
            self.case_loops.add((link.case_id, loop.pk))
            label = link.caption or loop.display_label
            groups.setdefault(link.case.title, []).append((loop.pk, label))
            data[str(loop.pk)] = {
                "video": loop.media_url("video") or "",
                "poster": loop.media_url("poster") or "",
                "columns": loop.columns or "",
                "rows": loop.rows or "",
                "duration": loop.duration_s or "",
            }
        by_case: dict[int, list[int]] = {}
        for case_pk, loop_pk in sorted(self.case_loops):
            by_case.setdefault(case_pk, []).append(loop_pk)
        field = self.fields["loop"]
        field.choices = [("", "---------"), *groups.items()]
        field.widget = DataSelect(
            option_data=data,
            attrs={"data-loop-select": "", "data-case-loops": json.dumps(by_case)},
        )
        field.widget.choices = field.choices
        if "annotation" in self.fields:
            self._setup_annotations()

    def _setup_annotations(self) -> None:
        rows = (
            Annotation.objects.filter(case__in=self.cases, kind__in=ROI_KINDS)
            .select_related("case")
            .order_by("case__title", "case_id", "order", "pk")
        )
        self.annotations = {row.pk: row for row in rows}
        groups: dict[str, list[tuple[int, str]]] = {}
        data: dict[str, dict[str, Any]] = {}
        for row in rows:
            label = f"{row.get_kind_display()} {row.label}".strip()
            groups.setdefault(row.case.title, []).append((row.pk, label))
            data[str(row.pk)] = {
                "loop": row.loop_id,
                "roi": json.dumps({"kind": row.kind, "geometry": row.geometry}),
            }
        field = self.fields["annotation"]
        field.choices = [("", "---------"), *groups.items()]
        field.widget = DataSelect(option_data=data, attrs={"data-annotation-select": ""})
        field.widget.choices = field.choices

    def _setup_kind_fields(self) -> None:
        question = self.instance
        fields = self.fields
        answer = question.answer if isinstance(question.answer, dict) else {}
        if "case" in fields:
            fields["case"].required = self.kind in LOOP_KINDS
            fields["case"].widget.attrs["data-case-select"] = ""
        if self.kind in LOOP_KINDS:
            fields["loop"].required = True
        if "value" in fields:
            fields["value"].initial = answer.get("value")
            fields["tolerance"].help_text = _("Accepted distance from the value, ±, in the unit.")
        if "time_s" in fields:
            fields["time_s"].initial = answer.get("time_s")
            fields["tolerance"].label = _("Tolerance (s)")
            fields["tolerance"].required = True
        if "frame_time_s" in fields:
            fields["frame_time_s"].required = True
        if "roi" in fields and answer.get("kind") in ROI_KINDS:
            fields["roi"].initial = json.dumps(answer)
        if "overlap_threshold" in fields:
            fields["overlap_threshold"].required = True
            fields["overlap_threshold"].min_value = 0
        if "vocabulary" in fields:
            self._setup_category(answer)
        if "true_answer" in fields and question.pk:
            correct = question.options.filter(is_correct=True).first()
            if correct is not None:
                fields["true_answer"].initial = "true" if correct.order == 0 else "false"

    def _setup_category(self, answer: dict) -> None:
        fields = self.fields
        fields["vocabulary"].required = True
        fields["vocabulary"].widget.attrs["data-vocabulary-select"] = ""
        choices: list[tuple[str, list[tuple[str, str]]]] = []
        data: dict[str, dict[str, str]] = {}
        for vocabulary, label in fields["vocabulary"].choices:
            if not vocabulary:
                continue
            values = list(vocabulary_choices(vocabulary))
            choices.append((str(label), values))
            for value, _label in values:
                data.setdefault(str(value), {"vocabulary": ""})["vocabulary"] += f" {vocabulary}"
        fields["category"] = forms.ChoiceField(
            label=_("Correct category"),
            choices=[("", "---------"), *choices],
            widget=DataSelect(option_data=data, attrs={"data-category-select": ""}),
            initial=answer.get("value"),
        )

    # --- validation --------------------------------------------------------------------------

    def clean_tags(self) -> list[str]:
        return parse_tags(self.cleaned_data["tags"])

    def clean_points(self) -> float:
        points = self.cleaned_data["points"]
        if points is None or points <= 0:
            raise ValidationError(_("Points must be more than 0."))
        return points

    def clean_tolerance(self):
        tolerance = self.cleaned_data.get("tolerance")
        if tolerance is not None and tolerance < 0:
            raise ValidationError(_("The tolerance cannot be negative."))
        return tolerance

    def clean_overlap_threshold(self):
        threshold = self.cleaned_data.get("overlap_threshold")
        if threshold is not None and not 0 < threshold <= 1:
            raise ValidationError(_("The threshold is a fraction between 0 and 1, e.g. 0.5."))
        return threshold

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        case = data.get("case")
        loop_pk = data.get("loop")
        if loop_pk and (case is None or (case.pk, loop_pk) not in self.case_loops):
            self.add_error("loop", _("Choose one of the loops of the chosen case."))
            loop_pk = None
        data["loop_obj"] = self.loops.get(loop_pk) if loop_pk else None
        if self.kind == K.CATEGORY and data.get("vocabulary") and data.get("category"):
            allowed = {str(value) for value, _label in vocabulary_choices(data["vocabulary"])}
            if data["category"] not in allowed:
                self.add_error("category", _("This category is not in the chosen list."))
        if self.kind in ROI_KEY_KINDS:
            self._clean_region(data)
        return data

    def _clean_region(self, data: dict[str, Any]) -> None:
        """The answer region: copied from an annotation of the loop, or drawn (JSON)."""
        loop = data.get("loop_obj")
        annotation_pk = data.get("annotation")
        roi_text = (data.get("roi") or "").strip()
        data["region"] = None
        if annotation_pk:
            annotation = self.annotations.get(annotation_pk)
            if annotation is None or loop is None or annotation.loop_id != loop.pk:
                self.add_error("annotation", _("Choose an annotation drawn on the chosen loop."))
                return
            data["region"] = {"kind": annotation.kind, "geometry": annotation.geometry}
        elif roi_text:
            try:
                data["region"] = parse_roi(roi_text, loop_size(loop) if loop else None)
            except ValidationError as exc:
                self.add_error("roi", exc)
                return
        else:
            self.add_error("roi", _("Copy the answer region from an annotation or draw it."))

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments of ``create_question`` / ``update_question`` (without options)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name in self.fields}
        fields.update(tags=data["tags"], loop=data.get("loop_obj"), answer=self.answer_key())
        if "institution" in self.fields:
            fields["institution"] = data["institution"]
        if self.kind == K.TRUE_FALSE:
            fields["true_is_correct"] = data["true_answer"]
        return fields

    def answer_key(self) -> dict[str, Any]:
        """``Question.answer`` for this kind (options carry the other kinds' keys)."""
        data = self.cleaned_data
        if self.kind == K.NUMERIC:
            return {"value": data["value"]}
        if self.kind == K.TIME_POINT:
            return {"time_s": data["time_s"]}
        if self.kind == K.CATEGORY:
            return {"value": data["category"]}
        if self.kind in ROI_KEY_KINDS:
            return dict(data["region"])
        return {}


OPTION_TEXTS = ("text", "feedback")


class OptionForm(forms.Form):
    """One option, its answer text and feedback in English and Chinese (either will do)."""

    # Kept on edit: past attempts refer to their options by id.
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    is_correct = forms.BooleanField(label=_("Correct"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in settings.MODELTRANSLATION_LANGUAGES:
            tag = LANGUAGE_TAGS[code]
            for field, label in (("text", _("Answer")), ("feedback", _("Feedback"))):
                self.fields[build_localized_fieldname(field, code)] = forms.CharField(
                    label=f"{label} ({tag})",
                    max_length=500,
                    required=False,
                    widget=forms.TextInput(attrs={"placeholder": tag, "lang": code}),
                )

    @property
    def texts(self) -> dict[str, list[forms.BoundField]]:
        """The per-language inputs of the answer text and of the feedback, for the table."""
        return {field: [self[name] for name in localized(field)] for field in OPTION_TEXTS}

    def filled(self) -> bool:
        data = self.cleaned_data
        return any((data.get(name) or "").strip() for name in localized("text"))


class BaseOptionFormSet(forms.BaseFormSet):
    def specs(self) -> list[dict[str, Any]]:
        """Filled rows in order (their order is the right order of an ordering question)."""
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not form.filled():
                continue
            rows.append(
                {
                    **({"id": data["id"]} if data.get("id") else {}),
                    **{name: (data.get(name) or "").strip() for name in localized(*OPTION_TEXTS)},
                    "is_correct": bool(data.get("is_correct")),
                }
            )
        return rows


def option_initial(options) -> list[dict[str, Any]]:
    """The formset's initial rows for ``options`` (in order), both languages of each text."""
    return [
        {
            "id": option.pk,
            "is_correct": option.is_correct,
            **{name: getattr(option, name) or "" for name in localized(*OPTION_TEXTS)},
        }
        for option in options
    ]


OptionFormSet = forms.formset_factory(
    OptionForm, formset=BaseOptionFormSet, extra=4, can_delete=True, max_num=20, validate_max=True
)
