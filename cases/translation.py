"""Case texts shown to trainees, stored in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from cases.models import Case


@register(Case)
class CaseTranslation(TranslationOptions):
    fields = ("title", "clinical_history", "final_diagnosis", "teaching_points")
