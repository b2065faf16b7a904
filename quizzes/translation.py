"""Quiz and question texts stored in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from quizzes.models import Option, Question, Quiz


@register(Quiz)
class QuizTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("title", "prompt", "explanation")


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("text", "feedback")
