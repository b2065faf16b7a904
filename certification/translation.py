"""Programme and requirement names stored in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from certification.models import Programme, Requirement


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    fields = ("title",)
