"""The scheduling form of live sessions. It checks the shape of the input (times in the
future, end after start, an http(s) link, agenda entries the person may show); the scheduling
services (``live.services.scheduling``) check the rules and rights again and do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, User
from core.bilingual_forms import BilingualFormMixin, localized
from courses.models import Cohort
from live.models import Audience, LiveSession, SessionStatus
from live.services.scheduling import MAX_AGENDA, showable_cases, showable_loops

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
PEOPLE = ("institutions", "cohorts", "co_hosts")
LOCKED_WHEN_LIVE = ("starts_at", "audience", "institutions", "cohorts")


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} · {obj.institution}" if obj.institution_id else name


class CohortChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cohort) -> str:
        return f"{obj.name} · {obj.institution}"


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("In your time zone."),
    )


class SessionForm(BilingualFormMixin, forms.ModelForm):
    bilingual_required = ("title",)

    starts_at = _when(_("Starts"))
    planned_end = _when(_("Planned end"))
    conference_url = forms.URLField(
        label=_("Conference link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The conferencing tool the session's sound goes through (optional)."),
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=[(v, label) for v, label in Audience.choices if v != Audience.CONSULT],
        initial=Audience.NETWORK,
        widget=forms.RadioSelect,
    )
    institutions = forms.ModelMultipleChoiceField(
        label=_("Institutions"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When the audience is chosen institutions."),
    )
    cohorts = CohortChoiceField(
        label=_("Cohorts"),
        queryset=Cohort.objects.select_related("institution").order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When the audience is chosen cohorts."),
    )
    co_hosts = PersonChoiceField(
        label=_("Co-hosts"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Instructors who may drive the room with you."),
    )
    agenda = forms.MultipleChoiceField(
        label=_("Agenda"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Published cases and your institution's ready loops, at most 30."),
    )

    class Meta:
        model = LiveSession
        fields = [*localized("title"), *localized("description")]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in localized("description")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        session = self.instance
        self.order_fields([*self.Meta.fields, "starts_at", "planned_end", "conference_url"])
        self.fields["co_hosts"].queryset = (
            User.objects.filter(
                role=User.Role.INSTRUCTOR, institution__isnull=False, is_active=True
            )
            .exclude(pk=session.host_id if session.pk else user.pk)
            .select_related("institution")
            .order_by("last_name", "first_name", "username")
        )
        if user.is_site_admin and not session.pk:
            self.fields["institution"] = forms.ModelChoiceField(
                Institution.objects.order_by("name"), label=_("Institution")
            )
        self.fields["agenda"].choices = self._agenda_choices()
        if session.pk:
            self._initial_from(session)
        if session.audience == Audience.CONSULT:
            for name in ("audience", "institutions", "cohorts"):
                del self.fields[name]
        if session.status == SessionStatus.LIVE:
            for name in LOCKED_WHEN_LIVE:
                if name in self.fields:
                    self.fields[name].disabled = True

    def _agenda_choices(self) -> list[tuple[str, str]]:
        probe = self.instance if self.instance.pk else LiveSession()
        cases = showable_cases(self.user).order_by("title", "pk")[:200]
        loops = showable_loops(probe, self.user).order_by("-created_at", "pk")[:200]
        choices = [(f"case:{c.pk}", _("Case: %(title)s") % {"title": c.title}) for c in cases]
        choices += [
            (f"loop:{lp.pk}", _("Loop: %(label)s") % {"label": lp.display_label}) for lp in loops
        ]
        return choices

    def _initial_from(self, session: LiveSession) -> None:
        zone = timezone.get_current_timezone()
        self.initial.update(
            starts_at=session.starts_at.astimezone(zone),
            planned_end=session.planned_end.astimezone(zone),
            conference_url=session.conference_url,
            audience=session.audience,
            institutions=list(session.institutions.all()),
            cohorts=list(session.cohorts.all()),
            co_hosts=list(session.co_hosts.all()),
            agenda=[
                f"case:{item.case_id}" if item.case_id else f"loop:{item.loop_id}"
                for item in session.agenda.all()
            ],
        )

    def clean_agenda(self) -> list[str]:
        agenda = self.cleaned_data.get("agenda") or []
        if len(agenda) > MAX_AGENDA:
            raise forms.ValidationError(_("An agenda holds at most 30 items."))
        return agenda

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("planned_end")
        now = timezone.now()
        if starts and "starts_at" in self.changed_data and starts < now:
            self.add_error("starts_at", _("The session cannot start in the past."))
        if starts and ends and ends <= starts:
            self.add_error("planned_end", _("The session must end after it starts."))
        elif ends and "planned_end" in self.changed_data and ends <= now:
            self.add_error("planned_end", _("The session cannot end in the past."))
        return cleaned

    def agenda_items(self) -> list[dict[str, int]]:
        items = []
        for value in self.cleaned_data.get("agenda") or []:
            kind, pk = value.split(":", 1)
            items.append({kind: int(pk)})
        return items

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values the scheduling services take (the agenda apart). An edit passes
        only what changed, so a running session's locked fields never reach the service."""
        data = dict(self.cleaned_data)
        data.pop("agenda", None)
        if self.instance.pk:
            data = {
                name: value
                for name, value in data.items()
                if name in self.changed_data and not self.fields[name].disabled
            }
        for name in PEOPLE:
            if name in data:
                data[name] = list(data[name] or [])
        return data
