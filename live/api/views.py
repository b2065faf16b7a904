"""Live sessions API: ``GET/POST /api/v1/live-sessions/``, ``GET/PATCH …/{id}/``,
``POST …/{id}/cancel/``, ``GET …/{id}/attendance/``, ``GET …/{id}/polls/``.

The queryset decides what exists for the user (a session outside their audience, that they
neither manage nor read the attendance of, is a 404); ``live.services.scheduling`` does the
writing and checks the rules again. Refusals are ``{"detail": message}``: 400 invalid input,
403 not allowed, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Institution, User
from core.api import ApiErrorSerializer, ApiRefusal, service_refusal, validated
from courses.models import Cohort
from live import rights, services
from live.api.serializers import (
    AttendanceRowSerializer,
    LivePollSerializer,
    LiveSessionInputSerializer,
    LiveSessionSerializer,
)
from live.models import LiveSession, Poll, PollAnswer
from live.rights import attendance_q, audience_q
from live.selectors import attendance_rows, poll_public, poll_results, with_people

SESSION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A live session's id."
)
SERVICE_ERRORS = (DjangoValidationError, DjangoPermissionDenied)
BAD = OpenApiResponse(ApiErrorSerializer, description="Invalid input.")
FORBIDDEN = OpenApiResponse(ApiErrorSerializer, description="Not allowed.")


def _bad(field: str, message: str) -> ApiRefusal:
    return ApiRefusal(f"{field}: {message}", status.HTTP_400_BAD_REQUEST)


def _people(data: dict[str, Any]) -> dict[str, Any]:
    """Ids of the body as rows; an id that does not exist is a 400."""
    for name, model in (("institutions", Institution), ("cohorts", Cohort), ("co_hosts", User)):
        if name not in data:
            continue
        ids = list(dict.fromkeys(data[name]))
        found = model.objects.in_bulk(ids)
        if len(found) != len(ids):
            raise _bad(name, "Some of these ids do not exist.")
        data[name] = [found[pk] for pk in ids]
    if "institution" in data:
        institution = Institution.objects.filter(pk=data["institution"]).first()
        if institution is None:
            raise _bad("institution", "No such institution.")
        data["institution"] = institution
    return data


class LiveSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LiveSessionSerializer
    # JSON bodies only: a form-encoded body over Django's field limit raised TooManyFieldsSent,
    # answered by Django's HTML 400 page instead of the API's JSON.
    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LiveSession.objects.none()
        user = self.request.user
        sessions = LiveSession.objects.filter(audience_q(user) | attendance_q(user))
        sessions = with_people(sessions).prefetch_related("institutions", "cohorts", "agenda")
        return sessions.order_by("-starts_at", "-pk")

    def _payload(self, session: LiveSession, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Live sessions you may join, manage, or read the attendance of (latest first)",
        responses={200: LiveSessionSerializer(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="A live session", parameters=[SESSION_ID], responses={200: LiveSessionSerializer}
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Schedule a session (instructors: you host it, for your institution)",
        request=LiveSessionInputSerializer,
        responses={201: LiveSessionSerializer, 400: BAD, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        data = validated(LiveSessionInputSerializer(data=request.data))
        if not rights.may_host(request.user):
            raise PermissionDenied("Only instructors can host live sessions.")
        for name in ("starts_at", "planned_end"):
            if name not in data:
                raise _bad(name, "This field is required.")
        if data["starts_at"] < timezone.now():
            raise _bad("starts_at", "A session cannot start in the past.")
        data = _people(data)
        try:
            session = services.session_create(by=request.user, **data)
        except SERVICE_ERRORS as exc:
            raise service_refusal(exc) from exc
        return self._payload(session, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a scheduled or running session (its hosts and managers)",
        parameters=[SESSION_ID],
        request=LiveSessionInputSerializer,
        responses={200: LiveSessionSerializer, 400: BAD, 403: FORBIDDEN},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = _people(validated(LiveSessionInputSerializer(data=request.data)))
        agenda = data.pop("agenda", None)
        data.pop("institution", None)
        try:
            with transaction.atomic():
                session = services.session_update(session=session, by=request.user, **data)
                if agenda is not None:
                    services.agenda_set(session=session, by=request.user, items=agenda)
        except SERVICE_ERRORS as exc:
            raise service_refusal(exc) from exc
        return self._payload(session)

    @extend_schema(
        summary="Cancel a scheduled session (its hosts and managers)",
        parameters=[SESSION_ID],
        request=None,
        responses={200: LiveSessionSerializer, 400: BAD, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        try:
            services.session_cancel(session=session, by=request.user)
        except SERVICE_ERRORS as exc:
            raise service_refusal(exc) from exc
        return self._payload(session)

    @extend_schema(
        summary="Attendance: every participant for hosts, managers and the owning "
        "institution's directors; another institution's director their own members",
        parameters=[SESSION_ID],
        responses={200: AttendanceRowSerializer(many=True), 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        user = request.user
        if not (rights.may_read_attendance(user, session) or user.is_director):
            raise PermissionDenied("Only the hosts and directors read the attendance.")
        rows = [
            {
                "user": {"id": row.user_id, "name": row.user.get_full_name() or row.user.username},
                "institution": str(row.user.institution or ""),
                "first_joined": row.first_joined,
                "last_left": row.last_left,
                "connected_minutes": round(row.connected_seconds / 60, 1),
                "active_minutes": round(row.active_seconds / 60, 1),
                "poll_answers": row.poll_answers,
            }
            for row in attendance_rows(session, user)
        ]
        return Response(AttendanceRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="The session's polls: with their results for the hosts; for participants, "
        "the key once revealed and their own answer",
        parameters=[SESSION_ID],
        responses={200: LivePollSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def polls(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        user = request.user
        hosts = rights.is_host(user, session) or rights.may_manage(user, session)
        polls = Poll.objects.filter(session=session).select_related("loop").order_by("pk")
        mine = {
            a.poll_id: a for a in PollAnswer.objects.filter(poll__session=session, user_id=user.pk)
        }
        payload = []
        for poll in polls:
            data = poll_public(poll, reveal=hosts)
            if hosts:
                data["results"] = poll.results if poll.results is not None else poll_results(poll)
            else:
                answer = mine.get(poll.pk)
                data["your_answer"] = answer and {
                    "value": answer.value,
                    "correct": answer.correct if poll.revealed_at else None,
                }
            payload.append(data)
        return Response(payload)
