"""Session texts shown to participants, stored in English and Simplified Chinese."""

from modeltranslation.translator import TranslationOptions, register

from live.models import LiveSession


@register(LiveSession)
class LiveSessionTranslation(TranslationOptions):
    fields = ("title", "description")
