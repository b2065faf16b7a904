"""Shapes of the quiz API: request bodies, and the output serializers every response comes
from.

What an attempt and a quiz show is decided by ``quizzes.payload`` (``attempt_payload``,
``quiz_summary``), for the pages and the API alike: the output serializers' declared fields
document that shape for the schema, and their ``to_representation`` is that builder, so
nothing here can add a key to what leaves the server (tests/core/test_api_payload_keys.py
checks that the declared fields and the payload's keys are the same). The reader is the
request's user (``context["request"]``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cases.api.serializers import RegionSerializer, RenditionSerializer
from core.content_language import FALLBACK_HELP
from quizzes.models import Answer, Attempt, CertaintyLevel, Quiz
from quizzes.payload import attempt_payload, quiz_summary


def _reader(serializer: serializers.BaseSerializer) -> Any:
    """The request's user: what a payload shows depends on who reads it."""
    return serializer.context["request"].user


# --- Requests -------------------------------------------------------------------------------


class AnswerInputSerializer(serializers.Serializer):
    response = serializers.DictField(
        allow_null=True,
        help_text=(
            "The answer, shaped by the question's kind: single/true_false {option}, multiple "
            "{options: [ids]}, numeric {value}, hotspot {x, y} (original pixels), drawn "
            "{points: [[x, y], ...]}, time_point {time_s}, category {value}, ordering "
            "{order: [option ids]}, free_text {text}. Option ids are the attempt's own (the "
            "strings in its payload); any other is refused. null clears the answer."
        ),
    )
    # A CharField, not a ChoiceField: the case API already names an enum "certainty" (a
    # different set), and two enums of one name make the schema ambiguous.
    certainty = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=10,
        help_text="low, medium or high: certainty-based quizzes only (ignored elsewhere); "
        "missing counts as low.",
    )

    def validate_certainty(self, value: str) -> str:
        if value and value not in CertaintyLevel.values:
            raise serializers.ValidationError(_("Choose a certainty: low, medium or high."))
        return value


# --- Responses ------------------------------------------------------------------------------


class QuizErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AnswerSavedSerializer(serializers.Serializer):
    saved_at = serializers.DateTimeField()
    question = serializers.IntegerField()

    def to_representation(self, answer: Answer) -> dict[str, Any]:
        # Times as the attempt payload writes them (ISO 8601 in UTC).
        return {"saved_at": answer.saved_at.isoformat(), "question": answer.question_id}


class AttemptQuizSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    fallback = serializers.DictField(child=serializers.CharField(), help_text=FALLBACK_HELP)
    kind = serializers.CharField(help_text="practice or exam.")
    certainty_based = serializers.BooleanField()
    feedback_policy = serializers.CharField(
        help_text="immediate, after_submit, after_close or never."
    )
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    pass_mark = serializers.IntegerField(help_text="Percent.")


class AttemptUrlsSerializer(serializers.Serializer):
    answer = serializers.CharField(
        help_text="Template: replace {question_id}; PUT the answer there, POST …/check/ to "
        "check it (feedback 'immediate')."
    )
    submit = serializers.CharField()


class PaperOptionSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text="This attempt's opaque name for the option (not a database id); answers use it."
    )
    text = serializers.CharField()
    fallback = serializers.DictField(child=serializers.CharField(), help_text=FALLBACK_HELP)


class CategoryChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class QuestionLoopSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    video_url = serializers.CharField(allow_null=True)
    renditions = RenditionSerializer(
        many=True, help_text="The video at each quality there is, highest first."
    )
    poster_url = serializers.CharField(allow_null=True)
    rows = serializers.IntegerField(allow_null=True)
    columns = serializers.IntegerField(allow_null=True)
    fps = serializers.FloatField(allow_null=True)
    frames = serializers.IntegerField(allow_null=True)
    duration_s = serializers.FloatField(allow_null=True)
    regions = RegionSerializer(many=True)


class SavedAnswerSerializer(serializers.Serializer):
    response = serializers.JSONField(allow_null=True)
    certainty = serializers.CharField(allow_blank=True)
    saved_at = serializers.DateTimeField()
    checked = serializers.BooleanField(
        help_text="Checked answers (feedback 'immediate') are final."
    )


class QuestionFeedbackSerializer(serializers.Serializer):
    credit = serializers.FloatField(allow_null=True, help_text="0 to 1; null while ungraded.")
    correct = serializers.BooleanField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    max = serializers.FloatField()
    detail = serializers.JSONField(help_text="e.g. distance_mm, overlap, error_s.")
    explanation_html = serializers.CharField(allow_blank=True)
    fallback = serializers.DictField(child=serializers.CharField(), help_text=FALLBACK_HELP)
    key = serializers.JSONField(allow_null=True, help_text="The correct answer, by kind.")
    option_feedback = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="Option (attempt's id) → feedback."
    )
    case_url = serializers.CharField(allow_null=True, help_text="The annotated case.")
    grader_comment = serializers.CharField(allow_blank=True, help_text="Free text, once graded.")


class PaperQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="single, multiple, true_false, numeric, hotspot, drawn, time_point, "
        "category, ordering or free_text."
    )
    prompt_html = serializers.CharField()
    fallback = serializers.DictField(child=serializers.CharField(), help_text=FALLBACK_HELP)
    points = serializers.FloatField()
    unit = serializers.CharField(allow_blank=True, required=False)
    tolerance = serializers.FloatField(
        allow_null=True, required=False, help_text="Numeric and time-point questions."
    )
    options = PaperOptionSerializer(many=True, help_text="In this attempt's order.")
    choices = CategoryChoiceSerializer(many=True, help_text="Category questions.")
    loop = QuestionLoopSerializer(allow_null=True, help_text="Annotations are never included.")
    frame_time_s = serializers.FloatField(allow_null=True)
    answer = SavedAnswerSerializer(allow_null=True)
    feedback = QuestionFeedbackSerializer(
        allow_null=True, help_text="null until the quiz's feedback policy allows it."
    )


class AttemptResultSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    max_score = serializers.FloatField()
    percent = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    needs_grading = serializers.BooleanField(
        help_text="A free-text answer awaits an instructor: score and pass are provisional."
    )


class AttemptPayloadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    quiz = AttemptQuizSerializer()
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="in_progress or submitted.")
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    urls = AttemptUrlsSerializer()
    questions = PaperQuestionSerializer(many=True)
    result = AttemptResultSerializer(
        allow_null=True, help_text="null until submitted and the policy shows scores."
    )

    def to_representation(self, attempt: Attempt) -> dict[str, Any]:
        return attempt_payload(attempt, user=_reader(self))


class CheckedQuestionSerializer(PaperQuestionSerializer):
    """One question of an attempt (``context["question_id"]``) as the attempt payload shows it
    (after a check: with its feedback)."""

    def to_representation(self, attempt: Attempt) -> dict[str, Any]:
        wanted = self.context["question_id"]
        questions = attempt_payload(attempt, user=_reader(self))["questions"]
        return next(question for question in questions if question["id"] == wanted)


class QuizGradeSerializer(serializers.Serializer):
    percent = serializers.FloatField(
        allow_null=True, help_text="By the quiz's grading method; null before any submission."
    )
    passed = serializers.BooleanField()
    pending = serializers.BooleanField(help_text="A counted attempt waits for grading.")
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null: unlimited.")


class QuizSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description_html = serializers.CharField(allow_blank=True)
    kind = serializers.CharField(help_text="practice or exam.")
    pass_mark = serializers.IntegerField(help_text="Percent.")
    max_attempts = serializers.IntegerField(help_text="0 means unlimited.")
    grading_method = serializers.CharField(help_text="highest, last, first or average.")
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    feedback_policy = serializers.CharField(
        help_text="immediate, after_submit, after_close or never."
    )
    certainty_based = serializers.BooleanField()
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    question_count = serializers.IntegerField(help_text="Fixed questions plus drawn ones.")
    lesson_id = serializers.IntegerField(allow_null=True, help_text="Attached to this lesson.")
    module_id = serializers.IntegerField(allow_null=True, help_text="Attached to this module.")
    grade = QuizGradeSerializer(help_text="The user's grade so far.")
    open_attempt = serializers.IntegerField(
        allow_null=True, help_text="The user's attempt in progress, to resume."
    )
    can_start = serializers.BooleanField(help_text="May start (or resume) an attempt now.")
    unavailable_reason = serializers.CharField(allow_blank=True)

    def to_representation(self, quiz: Quiz) -> dict[str, Any]:
        return quiz_summary(quiz, _reader(self))
