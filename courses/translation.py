"""Course content stored in English and Simplified Chinese (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from courses.models import Course, Lesson, Module


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "summary", "description")


@register(Module)
class ModuleTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "body")
