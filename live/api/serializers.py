"""API shapes of live sessions: the session payload, its attendance rows, its polls (results
for the hosts; for everyone else the poll, the key once revealed and their own answer), and
the request bodies of scheduling. Writes go through ``live.services.scheduling``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api import IdField
from live.models import Audience, LiveSession, SessionStatus
from live.services.scheduling import MAX_AGENDA


class LiveNamedSerializer(serializers.Serializer):
    """A person or an institution: its id and its name."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class AgendaEntrySerializer(serializers.Serializer):
    case = serializers.IntegerField(allow_null=True, help_text="A case whose loops may be shown.")
    loop = serializers.IntegerField(allow_null=True, help_text="A single loop.")


class LiveSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="In the request's language (the other as fallback).")
    title_en = serializers.CharField()
    title_zh_hans = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    starts_at = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    audience = serializers.ChoiceField(choices=Audience.choices)
    institutions = serializers.ListField(child=serializers.IntegerField())
    cohorts = serializers.ListField(child=serializers.IntegerField())
    consult = serializers.IntegerField(allow_null=True)
    institution = LiveNamedSerializer()
    host = LiveNamedSerializer()
    co_hosts = LiveNamedSerializer(many=True)
    conference_url = serializers.CharField()
    agenda = AgendaEntrySerializer(many=True)
    page_url = serializers.CharField(help_text="The session's page (the room, then the replay).")
    you_host = serializers.BooleanField(help_text="You are its host or a co-host.")
    you_manage = serializers.BooleanField(help_text="You may edit or cancel it.")

    def to_representation(self, session: LiveSession) -> dict[str, Any]:
        return session_payload(session, self.context["request"].user)


def _person(user) -> dict[str, Any]:
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def session_payload(session: LiveSession, user) -> dict[str, Any]:
    from django.urls import reverse

    from live import rights

    co_hosts = list(session.co_hosts.all())
    host_ids = {session.host_id, *(u.pk for u in co_hosts)}
    return {
        "id": session.pk,
        "title": session.title,
        "title_en": session.title_en or "",
        "title_zh_hans": session.title_zh_hans or "",
        "description": session.description or "",
        "status": session.status,
        "starts_at": serializers.DateTimeField().to_representation(session.starts_at),
        "planned_end": serializers.DateTimeField().to_representation(session.planned_end),
        "started_at": _when(session.started_at),
        "ended_at": _when(session.ended_at),
        "audience": session.audience,
        "institutions": [i.pk for i in session.institutions.all()],
        "cohorts": [c.pk for c in session.cohorts.all()],
        "consult": session.consult_id,
        "institution": {"id": session.institution_id, "name": session.institution.name},
        "host": _person(session.host),
        "co_hosts": [_person(u) for u in co_hosts],
        "conference_url": session.conference_url,
        "agenda": [{"case": i.case_id, "loop": i.loop_id} for i in session.agenda.all()],
        "page_url": reverse("live:session", kwargs={"pk": session.pk}),
        "you_host": user.pk in host_ids,
        "you_manage": user.pk in host_ids or rights.may_manage(user, session),
    }


def _when(value) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


class AgendaItemInputSerializer(serializers.Serializer):
    case = IdField(required=False)
    loop = IdField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if len(attrs) != 1:
            raise serializers.ValidationError("Each agenda item is a case or a loop.")
        return attrs


class LiveSessionInputSerializer(serializers.Serializer):
    """Scheduling (POST: ``starts_at``, ``planned_end`` and a title in one language at least;
    PATCH: any of them)."""

    title_en = serializers.CharField(required=False, allow_blank=True, max_length=200)
    title_zh_hans = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    description_zh_hans = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    starts_at = serializers.DateTimeField(required=False)
    planned_end = serializers.DateTimeField(required=False)
    audience = serializers.ChoiceField(
        choices=[c for c in Audience.choices if c[0] != Audience.CONSULT], required=False
    )
    institutions = serializers.ListField(child=IdField(), required=False, max_length=500)
    cohorts = serializers.ListField(child=IdField(), required=False, max_length=500)
    co_hosts = serializers.ListField(child=IdField(), required=False, max_length=50)
    conference_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    agenda = AgendaItemInputSerializer(many=True, required=False, max_length=MAX_AGENDA)
    institution = IdField(required=False, help_text="Site admins: the institution running it.")


class AttendanceRowSerializer(serializers.Serializer):
    user = LiveNamedSerializer()
    institution = serializers.CharField()
    first_joined = serializers.DateTimeField()
    last_left = serializers.DateTimeField(allow_null=True)
    connected_minutes = serializers.FloatField()
    active_minutes = serializers.FloatField()
    poll_answers = serializers.IntegerField()


class PollAnswerOutSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="As sent (see live/PROTOCOL.md).")
    correct = serializers.BooleanField(allow_null=True, help_text="Once the key is revealed.")


class LivePollSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    multiple = serializers.BooleanField()
    prompt = serializers.CharField()
    options = serializers.JSONField(help_text="Choice polls: [{id, text}].")
    loop = serializers.IntegerField(allow_null=True)
    frame = serializers.IntegerField(allow_null=True)
    open = serializers.BooleanField()
    has_key = serializers.BooleanField()
    revealed = serializers.BooleanField()
    key = serializers.JSONField(required=False, help_text="Hosts; everyone once revealed.")
    results = serializers.JSONField(
        required=False, help_text="Hosts only: counts, heat map or histogram."
    )
    your_answer = PollAnswerOutSerializer(
        required=False, allow_null=True, help_text="Participants: their own answer."
    )
