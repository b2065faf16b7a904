"""Institution names stored in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from accounts.models import Institution


@register(Institution)
class InstitutionTranslation(TranslationOptions):
    fields = ("name", "short_name")
