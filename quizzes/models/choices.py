"""Vocabularies of the assessment app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    NUMERIC = "numeric", _("Numeric")
    HOTSPOT = "hotspot", _("Hotspot on the image")
    DRAWN = "drawn", _("Drawn outline")
    TIME_POINT = "time_point", _("Time point on the loop")
    CATEGORY = "category", _("Category")
    ORDERING = "ordering", _("Ordering")
    FREE_TEXT = "free_text", _("Free text")


# Kinds whose answer is one or more of the question's options.
OPTION_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.ORDERING}
)
# Kinds answered on a case's loop: they need one.
LOOP_KINDS = frozenset({QuestionKind.HOTSPOT, QuestionKind.DRAWN, QuestionKind.TIME_POINT})


class OverlapMetric(models.TextChoices):
    IOU = "iou", _("Intersection over union")
    DICE = "dice", _("Dice coefficient")


class CategoryVocabulary(models.TextChoices):
    """Lists a category question may draw its choices from (cases.models.choices)."""

    LIRADS = "lirads", _("CEUS LI-RADS category")
    ARTERIAL_ENHANCEMENT = "enhancement", _("Enhancement")
    ARTERIAL_PATTERN = "arterial_pattern", _("Arterial phase pattern")
    WASHOUT = "washout", _("Wash-out degree")
    ORGAN = "organ", _("Organ system")


class QuizKind(models.TextChoices):
    PRACTICE = "practice", _("Practice quiz")
    EXAM = "exam", _("Exam")


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of attempts")


class FeedbackPolicy(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, per question")
    AFTER_SUBMIT = "after_submit", _("After the attempt is submitted")
    AFTER_CLOSE = "after_close", _("After the quiz closes")
    NEVER = "never", _("Never")


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class SubmittedBy(models.TextChoices):
    TRAINEE = "trainee", _("Submitted by the trainee")
    DEADLINE = "deadline", _("Submitted automatically at the time limit")


class CertaintyLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
