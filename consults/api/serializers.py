"""API shapes of consultations: the payload (documented field by field, built as plain values
by ``consult_payload``) and the request bodies. Writes go through ``consults.services``.

The local reference appears only in the requesting side's payload (``local_reference_for``):
the schema marks it optional, and it is absent — not empty — for the centre and site admins,
as are the identifier warnings about it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from rest_framework import serializers

from accounts.models import User
from cases.api.inputs import PhiWarningSerializer
from cases.api.serializers import FindingsSerializer, flatten_findings
from cases.models import Certainty, Organ
from cases.payload import findings_of
from cineloops.models import CineLoop
from consults import conf, rights
from consults.models import Consultation, ConsultMessage, ConsultStatus, Urgency
from consults.selectors import local_reference_for
from consults.services import identifiers
from core.api import IdField

# --- Read shapes ---------------------------------------------------------------------------


class ConsultPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsultPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsultLoopSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The cine loop's id.")
    label = serializers.CharField()
    status = serializers.CharField()
    poster_url = serializers.CharField(allow_null=True, help_text="Once the loop is ready.")


class ConsultReadingSerializer(serializers.Serializer):
    findings = FindingsSerializer()
    category = serializers.CharField()
    impression = serializers.CharField()
    sent_at = serializers.DateTimeField()


class ConsultAnswerSerializer(serializers.Serializer):
    findings = FindingsSerializer()
    category = serializers.CharField()
    diagnosis = serializers.CharField()
    certainty = serializers.ChoiceField(choices=Certainty.choices, allow_blank=True)
    recommendation = serializers.CharField()
    report = serializers.CharField()
    answered_by = ConsultPersonSerializer()
    answered_at = serializers.DateTimeField()


class ConsultSecondOpinionSerializer(serializers.Serializer):
    expert = ConsultPersonSerializer()
    opinion = serializers.CharField(help_text="Empty until given.")
    asked_at = serializers.DateTimeField()
    given_at = serializers.DateTimeField(allow_null=True)


class ConsultConsentSerializer(serializers.Serializer):
    recorded_by = ConsultPersonSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()


class ConsultActionsSerializer(serializers.Serializer):
    """What the reader may do now (``consults.rights.actions``)."""

    claim = serializers.BooleanField()
    release = serializers.BooleanField()
    answer = serializers.BooleanField()
    draw = serializers.BooleanField()
    decline = serializers.BooleanField()
    ask_second_opinion = serializers.BooleanField()
    give_second_opinion = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    close = serializers.BooleanField()
    record_consent = serializers.BooleanField()
    make_teaching_case = serializers.BooleanField()
    post_message = serializers.BooleanField()
    read_local_reference = serializers.BooleanField()


class ConsultSerializer(serializers.Serializer):
    """A consultation as its reader may see it (the reader: the request's user)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ConsultStatus.choices)
    status_reason = serializers.CharField(help_text="Why it was declined or withdrawn.")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    organ = serializers.ChoiceField(choices=Organ.choices)
    clinical_question = serializers.CharField()
    contrast_agent = serializers.CharField()
    contrast_dose = serializers.CharField()
    injection_time_s = serializers.FloatField(allow_null=True)
    requesting_institution = ConsultPlaceSerializer()
    target = ConsultPlaceSerializer(help_text="The expert centre asked.")
    requester = ConsultPersonSerializer()
    expert = ConsultPersonSerializer(allow_null=True, help_text="The expert named in the request.")
    claimed_by = ConsultPersonSerializer(allow_null=True)
    submitted_at = serializers.DateTimeField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    declined_at = serializers.DateTimeField(allow_null=True)
    local_reference = serializers.CharField(
        required=False,
        help_text="Only for members of the requesting institution (absent for anyone else).",
    )
    requester_reading = ConsultReadingSerializer(
        allow_null=True, help_text="The requester's reading, sent with the request (locked)."
    )
    answer = ConsultAnswerSerializer(allow_null=True, help_text="Null until answered.")
    second_opinion = ConsultSecondOpinionSerializer(allow_null=True)
    loops = ConsultLoopSerializer(many=True)
    teaching_consent = ConsultConsentSerializer(allow_null=True)
    teaching_case = serializers.IntegerField(allow_null=True, help_text="The draft case's id.")
    phi_warnings = PhiWarningSerializer(many=True)
    actions = ConsultActionsSerializer()

    def to_representation(self, consult: Consultation) -> dict[str, Any]:
        return consult_payload(consult, self.context["request"].user)


_DATETIME = serializers.DateTimeField()  # the API's own date format and time zone


def when(value: datetime | None) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def _place(institution) -> dict[str, Any]:
    return {"id": institution.pk, "name": institution.name}


def _loop(loop: CineLoop) -> dict[str, Any]:
    ready = loop.status == CineLoop.Status.READY
    return {
        "id": loop.pk,
        "label": loop.display_label,
        "status": loop.status,
        "poster_url": loop.media_url("poster") if ready else None,
    }


def _reading(consult: Consultation) -> dict[str, Any] | None:
    reading = getattr(consult, "reading", None)
    if reading is None:
        return None
    return {
        "findings": findings_of(reading),
        "category": reading.category,
        "impression": reading.impression,
        "sent_at": when(reading.sent_at),
    }


def _answer(consult: Consultation) -> dict[str, Any] | None:
    answer = getattr(consult, "answer", None)
    if answer is None:
        return None
    return {
        "findings": findings_of(answer),
        "category": answer.category,
        "diagnosis": answer.diagnosis,
        "certainty": answer.certainty,
        "recommendation": answer.recommendation,
        "report": answer.report,
        "answered_by": person(answer.answered_by),
        "answered_at": when(answer.answered_at),
    }


def consult_payload(consult: Consultation, user) -> dict[str, Any]:
    """The payload of one consult (from ``selectors.with_details``) for ``user``."""
    reference = local_reference_for(user, consult)
    warnings = [
        w for w in consult.phi_warnings if reference is not None or w["field"] != "local_reference"
    ]
    data: dict[str, Any] = {
        "id": consult.pk,
        "status": consult.status,
        "status_reason": consult.status_reason,
        "urgency": consult.urgency,
        "organ": consult.organ,
        "clinical_question": consult.clinical_question,
        "contrast_agent": consult.contrast_agent,
        "contrast_dose": consult.contrast_dose,
        "injection_time_s": consult.injection_time_s,
        "requesting_institution": _place(consult.requesting_institution),
        "target": _place(consult.target),
        "requester": person(consult.requester),
        "expert": person(consult.expert),
        "claimed_by": person(consult.claimed_by),
        "submitted_at": when(consult.submitted_at),
        "claimed_at": when(consult.claimed_at),
        "answered_at": when(consult.answered_at),
        "closed_at": when(consult.closed_at),
        "withdrawn_at": when(consult.withdrawn_at),
        "declined_at": when(consult.declined_at),
        "requester_reading": _reading(consult),
        "answer": _answer(consult),
        "second_opinion": (
            {
                "expert": person(consult.second_expert),
                "opinion": consult.second_opinion,
                "asked_at": when(consult.second_opinion_asked_at),
                "given_at": when(consult.second_opinion_at),
            }
            if consult.second_expert_id and consult.second_opinion_asked_at
            else None
        ),
        "loops": [_loop(link.loop) for link in consult.consult_loops.all()],
        "teaching_consent": (
            {
                "recorded_by": person(consult.teaching_consent_by),
                "recorded_at": when(consult.teaching_consent_at),
            }
            if consult.teaching_consent_at
            else None
        ),
        "teaching_case": consult.teaching_case_id,
        "phi_warnings": identifiers.with_messages(warnings),
        "actions": asdict(rights.actions(user, consult)),
    }
    if reference is not None:
        data["local_reference"] = reference
    return data


class ConsultMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = ConsultPersonSerializer()
    side = serializers.ChoiceField(
        choices=["requesting", "centre", "other"], help_text="Which hospital the author is of."
    )
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def to_representation(self, message: ConsultMessage) -> dict[str, Any]:
        consult = self.context["consult"]
        institution = message.author.institution_id
        side = (
            "requesting"
            if institution == consult.requesting_institution_id
            else "centre"
            if institution == consult.target_id
            else "other"
        )
        return {
            "id": message.pk,
            "author": person(message.author),
            "side": side,
            "body": message.body,
            "created_at": when(message.created_at),
        }


class ConsultInboxLoopSerializer(serializers.Serializer):
    """A loop the institution's scanners sent that no consult, case or question uses yet."""

    id = serializers.IntegerField()
    label = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    poster_url = serializers.CharField(allow_null=True, help_text="Once the loop is ready.")

    def to_representation(self, loop: CineLoop) -> dict[str, Any]:
        return {**_loop(loop), "received_at": when(loop.created_at)}


# --- Request bodies ------------------------------------------------------------------------


class ConsultReadingInputSerializer(serializers.Serializer):
    findings = FindingsSerializer(required=False)
    category = serializers.CharField(max_length=50, allow_blank=True, default="")
    impression = serializers.CharField(max_length=conf.MAX_TEXT, allow_blank=True, default="")

    def service_data(self, data: dict[str, Any]) -> dict[str, Any]:
        flat = flatten_findings(data.pop("findings", {}) or {})
        return {**flat, **data}


class ConsultCreateSerializer(serializers.Serializer):
    target = IdField(help_text="An expert centre's institution id.")
    expert = IdField(
        allow_null=True, default=None, help_text="Optional: an instructor of that centre."
    )
    organ = serializers.ChoiceField(choices=Organ.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    clinical_question = serializers.CharField(max_length=conf.MAX_TEXT)
    contrast_agent = serializers.CharField(max_length=100, allow_blank=True, default="")
    contrast_dose = serializers.CharField(max_length=100, allow_blank=True, default="")
    injection_time_s = serializers.FloatField(
        allow_null=True, default=None, min_value=-3600, max_value=3600
    )
    local_reference = serializers.CharField(
        max_length=100,
        allow_blank=True,
        default="",
        help_text="For your institution only: how you find the patient again. Never shown to "
        "the centre.",
    )
    loops = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=conf.MAX_LOOPS,
        help_text="Ids of your institution's loops (e.g. from GET /api/v1/inbox/), in order.",
    )
    requester_reading = ConsultReadingInputSerializer(
        help_text="Your own reading, locked once sent."
    )
    confirm_no_identifiers = serializers.BooleanField(
        default=False, help_text="Required when the text looks like a patient identifier."
    )


class ConsultAnswerInputSerializer(serializers.Serializer):
    findings = FindingsSerializer(required=False)
    category = serializers.CharField(max_length=50, allow_blank=True, default="")
    diagnosis = serializers.CharField(max_length=300, allow_blank=True, default="")
    certainty = serializers.ChoiceField(choices=Certainty.choices, allow_blank=True, default="")
    recommendation = serializers.CharField(max_length=conf.MAX_TEXT, allow_blank=True, default="")
    report = serializers.CharField(max_length=conf.MAX_TEXT, allow_blank=True, default="")
    confirm_no_identifiers = serializers.BooleanField(default=False)

    def service_data(self, data: dict[str, Any]) -> dict[str, Any]:
        flat = flatten_findings(data.pop("findings", {}) or {})
        return {**flat, **data}


class ConsultMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=conf.MAX_TEXT)
    confirm_no_identifiers = serializers.BooleanField(default=False)


class ConsultTeachingCaseInputSerializer(serializers.Serializer):
    include_reading = serializers.BooleanField(
        default=True,
        help_text="Add the requester's reading as a “what a first reader thought” teaching point.",
    )


class ConsultTeachingCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="The draft case's id.")
    url = serializers.CharField(help_text="The draft case's page.")


class ConsultRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    phi_warnings = PhiWarningSerializer(
        many=True, required=False, help_text="Only when the text looks like an identifier."
    )
