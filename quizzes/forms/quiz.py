"""Forms of the quiz builder (settings, items, draws) and of grading a free-text answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from core.bilingual_forms import BilingualFormMixin, localized
from core.scoping import default_visibility
from courses.models import Lesson, Module
from quizzes.models import Question, QuestionTag, Quiz


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class QuizForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    attachment = forms.ChoiceField(
        label=_("Attached to"),
        required=False,
        help_text=_("A lesson or a module of your courses, or nothing for a standalone exam."),
    )

    class Meta:
        model = Quiz
        fields = [
            *localized("title"),
            "kind",
            "attachment",
            "pass_mark",
            "max_attempts",
            "grading_method",
            "time_limit_minutes",
            "feedback_policy",
            "opens_at",
            "closes_at",
            "shuffle_questions",
            "shuffle_options",
            "certainty_based",
            "visibility",
            "status",
            *localized("description"),
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 4, "data-markdown": ""})
                for name in localized("description")
            },
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.Meta.fields)
        if not self.instance.pk:
            self.fields["visibility"].initial = default_visibility(user.institution)
        if user.is_site_admin and not self.instance.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.all(), label=_("Institution")
            )
            self.order_fields(["institution", *self.Meta.fields])
        self.modules = {
            m.pk: m
            for m in Module.objects.editable_by(user)
            .select_related("course")
            .order_by("course__title", "course_id", "order", "pk")
        }
        self.lessons = {
            lesson.pk: lesson
            for lesson in Lesson.objects.filter(module_id__in=self.modules).order_by(
                "module__order", "module_id", "order", "pk"
            )
        }
        choices: list[Any] = [("", _("Nothing (standalone)"))]
        for module in self.modules.values():
            group = [(f"module:{module.pk}", _("Module: %(title)s") % {"title": module.title})]
            group += [
                (f"lesson:{lesson.pk}", _("Lesson: %(title)s") % {"title": lesson.title})
                for lesson in self.lessons.values()
                if lesson.module_id == module.pk
            ]
            choices.append((f"{module.course.title} — {module.title}", group))
        self.fields["attachment"].choices = choices
        if self.instance.lesson_id:
            self.fields["attachment"].initial = f"lesson:{self.instance.lesson_id}"
        elif self.instance.module_id:
            self.fields["attachment"].initial = f"module:{self.instance.module_id}"

    def clean_attachment(self) -> dict[str, Any]:
        value = self.cleaned_data["attachment"]
        kind, _sep, pk = value.partition(":")
        if kind == "module" and pk.isdigit() and int(pk) in self.modules:
            return {"module": self.modules[int(pk)], "lesson": None}
        if kind == "lesson" and pk.isdigit() and int(pk) in self.lessons:
            return {"module": None, "lesson": self.lessons[int(pk)]}
        return {"module": None, "lesson": None}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The quiz must close after it opens."))
        return data

    def settings(self) -> dict[str, Any]:
        """The cleaned settings as keyword arguments of the authoring service."""
        data = dict(self.cleaned_data)
        data.update(data.pop("attachment"))
        return data


class AddItemForm(forms.Form):
    question = forms.ModelChoiceField(Question.objects.none(), label=_("Question from the bank"))

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = questions


class AddDrawForm(forms.Form):
    tag = forms.ModelChoiceField(QuestionTag.objects.order_by("name"), label=_("Tag"))
    count = forms.IntegerField(
        label=_("Number of questions"), min_value=1, max_value=100, initial=1
    )


class GradeForm(forms.Form):
    """A free-text answer's mark, as points out of the question's (converted to credit)."""

    points = forms.FloatField(label=_("Points"), min_value=0)
    comment = forms.CharField(
        label=_("Comment for the trainee"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, max_points: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        self.fields["points"].max_value = max_points
        self.fields["points"].widget.attrs.update({"max": max_points, "step": "any"})
        self.fields["points"].help_text = _("Between 0 and %(max)s.") % {"max": max_points}

    def clean_points(self) -> float:
        points = self.cleaned_data["points"]
        if points > self.max_points:
            raise ValidationError(
                _("At most %(max)s points.") % {"max": self.max_points}, "max_value"
            )
        return points

    @property
    def credit(self) -> float:
        return self.cleaned_data["points"] / self.max_points if self.max_points else 0.0
