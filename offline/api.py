"""Offline study API: what a device keeps, whether it may keep it still, and the practice
answers it gave offline. Thin views: ``offline.bundles`` decides what is kept, ``offline.papers``
scores the answers; errors are ``{"detail": message}``.

- ``GET /api/v1/offline/bundles/{kind}/{id}/``: the addresses to keep for a case, a practice
  quiz or a module; 404 when the user may not see it, 403 with the reason when it may not be
  kept (an exam, a locked module, a case an exam in progress locks …).
- ``POST /api/v1/offline/sync/`` ``{"keys": [...]}``: for each key the device holds, its
  bundle now, or why it is gone (the device deletes it).
- ``POST /api/v1/offline/submissions/``: answers given offline to a paper, under an id the
  device chose; 201 when scored now, 200 with the same result when that id was received before.
"""

from __future__ import annotations

from dataclasses import asdict

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ApiErrorSerializer, IdField
from offline import bundles, papers
from offline.models import OfflineSubmission
from quizzes.api.errors import (
    BoundedJSONParser,
    QuizApiError,
    QuizApiErrorsMixin,
    status_for,
    validated,
)
from quizzes.services.errors import QuizError

MAX_KEYS = 500
MAX_ANSWERS = 500


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


# --- Shapes ----------------------------------------------------------------------------------


class BundleSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="case:{id}, quiz:{id} or module:{id}.")
    kind = serializers.ChoiceField(choices=bundles.KINDS)
    title = serializers.CharField()
    context = serializers.CharField(allow_blank=True, help_text="The course of a module.")
    url = serializers.CharField(help_text="Where it opens.")
    urls = serializers.ListField(
        child=serializers.CharField(),
        help_text="Addresses of this site to fetch and keep (pages, API reads, media).",
    )


class SyncInputSerializer(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=MAX_KEYS, allow_empty=True
    )

    def validate_keys(self, keys: list[str]) -> list[str]:
        for key in keys:
            try:
                bundles.parse_key(key)
            except ValueError:
                raise serializers.ValidationError(
                    _("%(key)s is not a saved item's key.") % {"key": key[:40]}
                ) from None
        return keys


class SyncItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    bundle = BundleSerializer(allow_null=True, help_text="What to keep; null: delete it.")
    gone = serializers.CharField(allow_blank=True, help_text="Why it was deleted.")


class SyncSerializer(serializers.Serializer):
    items = SyncItemSerializer(many=True)


class OfflineAnswerSerializer(serializers.Serializer):
    question = IdField()
    response = serializers.DictField(
        allow_null=True,
        help_text="As for an attempt's answer, options named by the paper's own tokens.",
    )
    certainty = serializers.CharField(allow_blank=True, required=False, default="", max_length=10)


class SubmissionInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Made by the device when the trainee finished.")
    paper = serializers.UUIDField(help_text="The offline paper that was answered.")
    answers = OfflineAnswerSerializer(many=True, max_length=MAX_ANSWERS)


class SubmissionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    attempt = serializers.IntegerField()
    quiz = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    needs_grading = serializers.BooleanField()
    review_url = serializers.CharField()
    skipped = serializers.ListField(
        child=serializers.IntegerField(), help_text="Questions whose answer no longer fitted."
    )


def _bundle(bundle: bundles.Bundle) -> dict:
    return {**asdict(bundle), "urls": list(bundle.urls)}


def _submission(submission: OfflineSubmission) -> dict:
    attempt = submission.attempt
    return {
        "id": str(submission.client_id),
        "attempt": attempt.pk,
        "quiz": attempt.quiz_id,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "needs_grading": attempt.needs_grading,
        "review_url": reverse("quizzes:review", kwargs={"pk": attempt.pk}),
        "skipped": list(submission.skipped or []),
    }


# --- Views -----------------------------------------------------------------------------------


class BundleView(APIView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="What a device keeps to study a case, a practice quiz or a module offline",
        responses={
            200: BundleSerializer,
            403: _error("It may not be kept offline (an exam, locked, unpublished …): why."),
            404: _error("Not visible to the user."),
        },
    )
    def get(self, request: Request, kind: str, pk: str) -> Response:
        try:
            bundle = bundles.bundle_for(request.user, f"{kind}:{int(pk)}")
        except (ValueError, bundles.NotVisible) as exc:
            raise NotFound(bundles.NotVisible().message) from exc
        except bundles.NotSaveable as exc:
            raise PermissionDenied(exc.message) from exc
        return Response(_bundle(bundle))


class SyncView(QuizApiErrorsMixin, APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        summary="For each item a device keeps, what to keep now, or why it is gone",
        request=SyncInputSerializer,
        responses={200: SyncSerializer, 413: _error("The body is over the size limit.")},
    )
    def post(self, request: Request) -> Response:
        keys = validated(SyncInputSerializer(data=request.data))["keys"]
        found = bundles.sync(request.user, keys)
        items = [
            {"key": key, "bundle": _bundle(value), "gone": ""}
            if isinstance(value, bundles.Bundle)
            else {"key": key, "bundle": None, "gone": value}
            for key, value in found.items()
        ]
        return Response({"items": items})


class SubmissionView(QuizApiErrorsMixin, APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        summary="Send the answers given offline to a practice quiz: scored once per id",
        request=SubmissionInputSerializer,
        responses={
            201: SubmissionSerializer,
            200: SubmissionSerializer,
            403: _error("The quiz may no longer be taken (unpublished, closed …): why."),
            404: _error("No such offline paper of the user."),
            409: _error("An attempt on the quiz is open: submit it, then send again."),
            413: _error("The body is over the size limit."),
        },
    )
    def post(self, request: Request) -> Response:
        data = validated(SubmissionInputSerializer(data=request.data))
        try:
            submission, new = papers.submission_receive(
                user=request.user,
                client_id=data["id"],
                paper_id=data["paper"],
                answers=[dict(answer) for answer in data["answers"]],
            )
        except papers.NotYourPaper as exc:
            raise NotFound(exc.message) from exc
        except papers.AttemptOpen as exc:
            raise QuizApiError(exc.message, status.HTTP_409_CONFLICT) from exc
        except QuizError as exc:
            raise QuizApiError(exc.message, status_for(exc)) from exc
        code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return Response(_submission(submission), status=code)
