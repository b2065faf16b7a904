"""Admin for support work; instructors use the quiz pages, trainees the taking pages. Scores
and papers are written by the services only, so they are read-only here."""

from django.contrib import admin

from quizzes.models import Answer, Attempt, Option, Question, QuestionTag, Quiz, QuizDraw, QuizItem


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["order", "text", "is_correct", "feedback"]
    ordering = ["order", "pk"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "institution", "status", "visibility", "updated_at"]
    list_filter = ["kind", "status", "visibility", "institution"]
    search_fields = ["title", "prompt"]
    raw_id_fields = ["created_by", "case", "loop"]
    readonly_fields = ["created_at", "updated_at"]
    filter_horizontal = ["tags"]
    inlines = [OptionInline]


@admin.register(QuestionTag)
class QuestionTagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    fields = ["order", "question"]
    raw_id_fields = ["question"]
    ordering = ["order", "pk"]
    extra = 0


class QuizDrawInline(admin.TabularInline):
    model = QuizDraw
    fields = ["order", "tag", "count"]
    ordering = ["order", "pk"]
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "institution", "status", "opens_at", "closes_at"]
    list_filter = ["kind", "status", "feedback_policy", "institution"]
    search_fields = ["title"]
    raw_id_fields = ["created_by", "lesson", "module"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [QuizItemInline, QuizDrawInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "response", "certainty", "credit", "score", "is_correct", "checked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "user", "number", "status", "percent", "passed", "needs_grading"]
    list_filter = ["status", "needs_grading", "submitted_by"]
    search_fields = ["quiz__title", "user__username"]
    raw_id_fields = ["quiz", "user"]
    readonly_fields = [
        "number",
        "seed",
        "paper",
        "started_at",
        "deadline",
        "submitted_at",
        "submitted_by",
        "score",
        "max_score",
        "percent",
        "passed",
        "needs_grading",
    ]
    inlines = [AnswerInline]
