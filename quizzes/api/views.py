"""Quiz API: querysets decide what exists for the user (404), ``quizzes.services`` do the work
and refuse with their own errors (``quizzes.api.errors`` maps them), ``quizzes.payload``
decides what is shown, through the output serializers of ``quizzes.api.serializers``.

Status codes (always with ``{"detail": message}``):
- 400 malformed JSON, a body of the wrong shape, an answer the question does not accept, or a
  check where feedback is not immediate;
- 403 a quiz that cannot be started now (a draft, not open yet, closed, no attempts left): one
  code for all of these, the message says which; anonymous requests are refused too;
- 404 a quiz the user may not see, an attempt that is not theirs, a question off the paper
  (the same answer as "does not exist": nothing to probe);
- 409 the attempt is closed (submitted, or at/after its deadline) or the answer was checked;
- 413 a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``; 415 anything but JSON.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from quizzes import selectors
from quizzes.api.errors import BoundedJSONParser, QuizApiErrorsMixin, quiz_errors, validated
from quizzes.api.serializers import (
    AnswerInputSerializer,
    AnswerSavedSerializer,
    AttemptPayloadSerializer,
    CheckedQuestionSerializer,
    PaperQuestionSerializer,
    QuizErrorSerializer,
    QuizSummarySerializer,
)
from quizzes.models import Attempt, Quiz
from quizzes.option_tokens import question_tokens, response_from_tokens
from quizzes.services.attempts import (
    answer_check,
    answer_save,
    attempt_for_user,
    attempt_start,
    attempt_submit,
)
from quizzes.services.errors import NotYourAttempt


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(QuizErrorSerializer, description=description)


NOT_FOUND = _error("Not visible to the user, or not the user's attempt.")
CLOSED = _error("The attempt is submitted or past its deadline, or the answer was checked.")
BAD_REQUEST = _error("Malformed JSON or an answer of the wrong shape.")
TOO_LARGE = _error("The body is over the size limit.")
# The routes take digits only (lookup_value_regex), which the schema would call a string.
QUIZ_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A quiz's id."
)
ATTEMPT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An attempt's id."
)
QUESTION_ID = OpenApiParameter(
    "question_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A question's id."
)


class QuizViewSet(
    QuizApiErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = QuizSummarySerializer
    parser_classes = [BoundedJSONParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quiz.objects.none()
        # Published quizzes the user may see, and the drafts an author may edit.
        return Quiz.objects.for_user(self.request.user).prefetch_related("draws")

    @extend_schema(summary="Quizzes the user can see, with their rules and the user's grade")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(
        summary="A quiz's rules and the user's grade so far",
        parameters=[QUIZ_ID],
        responses={200: QuizSummarySerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Start an attempt, or resume the open one",
        description=(
            "201 with a new attempt, 200 with the user's open attempt on this quiz (a second "
            "tab or a retried request gets the same one). The payload carries the questions "
            "of the attempt's paper, never their answers."
        ),
        parameters=[QUIZ_ID],
        request=None,
        responses={
            201: AttemptPayloadSerializer,
            200: AttemptPayloadSerializer,
            403: _error("Not published, not open yet, closed, or no attempts left."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], url_path="attempts")
    def attempts(self, request: Request, pk: str | None = None) -> Response:
        quiz = self.get_object()
        open_before = selectors.open_attempt_ids(quiz, request.user)
        with quiz_errors():
            attempt = attempt_start(quiz=quiz, user=request.user)
        code = status.HTTP_200_OK if attempt.pk in open_before else status.HTTP_201_CREATED
        data = AttemptPayloadSerializer(attempt, context=self.get_serializer_context()).data
        return Response(data, status=code)


class AttemptViewSet(QuizApiErrorsMixin, viewsets.GenericViewSet):
    """Attempts are reached by id; only their trainee may change them."""

    serializer_class = AttemptPayloadSerializer
    parser_classes = [BoundedJSONParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attempt.objects.none()
        return selectors.attempts_of(self.request.user)

    def _own(self, pk: str | None) -> Attempt:
        """The user's attempt, else 404. Deliberately not ``attempt_for_user``: that submits
        an overdue attempt first, and the services then refuse with "submitted" instead of
        saying that the time limit has passed."""
        attempt = selectors.attempt_of(self.request.user, int(pk or 0))
        if attempt is None:
            raise NotFound(NotYourAttempt().message)
        return attempt

    @extend_schema(
        summary="An attempt: its questions, saved answers, and score and feedback per policy",
        description="The trainee's own attempts; instructors and directors read those of their "
        "own institution's trainees (quizzes.results_access), site admins any.",
        parameters=[ATTEMPT_ID],
        responses={200: AttemptPayloadSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        try:
            attempt = attempt_for_user(int(pk or 0), request.user)
        except NotYourAttempt as exc:
            attempt = selectors.attempt_in_detail_for(request.user, int(pk or 0))
            if attempt is None:
                raise NotFound(exc.message) from exc
        return Response(self.get_serializer(attempt).data)

    @extend_schema(
        summary="Save (autosave) the answer to one question",
        description=(
            "Replaces the previous answer. Refused with 409 at or after the deadline, after "
            "submission, or once the answer was checked; the stored answer is unchanged."
        ),
        parameters=[ATTEMPT_ID, QUESTION_ID],
        request=AnswerInputSerializer,
        responses={
            200: AnswerSavedSerializer,
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: CLOSED,
            413: TOO_LARGE,
        },
    )
    @action(detail=True, methods=["put"], url_path=r"answers/(?P<question_id>\d+)")
    def answer(self, request: Request, pk: str | None = None, question_id: str = "") -> Response:
        attempt = self._own(pk)
        data = validated(AnswerInputSerializer(data=request.data))
        with quiz_errors():
            # Options arrive as this attempt's tokens; the services store option ids.
            tokens = question_tokens(attempt, int(question_id))
            response = response_from_tokens(data["response"], tokens)
            saved = answer_save(
                attempt=attempt,
                user=request.user,
                question_id=int(question_id),
                response=response,
                certainty=data["certainty"],
            )
        return Response(AnswerSavedSerializer(saved).data)

    @extend_schema(
        summary="Check one saved answer and see its feedback (feedback 'immediate' only)",
        description="The answer is scored and can no longer change. Checking again returns "
        "the same feedback.",
        parameters=[ATTEMPT_ID, QUESTION_ID],
        request=None,
        responses={
            200: PaperQuestionSerializer,
            400: _error("Feedback is not immediate on this quiz, or nothing is saved yet."),
            404: NOT_FOUND,
            409: CLOSED,
        },
    )
    @action(detail=True, methods=["post"], url_path=r"answers/(?P<question_id>\d+)/check")
    def check(self, request: Request, pk: str | None = None, question_id: str = "") -> Response:
        attempt = self._own(pk)
        with quiz_errors():
            checked = answer_check(attempt=attempt, user=request.user, question_id=int(question_id))
        context = {**self.get_serializer_context(), "question_id": checked.question_id}
        return Response(CheckedQuestionSerializer(attempt, context=context).data)

    @extend_schema(
        summary="Submit the attempt (idempotent): score and feedback per policy",
        description="A repeated call (double click, retry) returns the same submitted "
        "attempt; it is scored once.",
        parameters=[ATTEMPT_ID],
        request=None,
        responses={200: AttemptPayloadSerializer, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        with quiz_errors():
            attempt = attempt_submit(attempt_id=int(pk or 0), user=request.user)
        return Response(self.get_serializer(attempt).data)
