"""Template filters for bilingual content (a template builtin, no ``{% load %}`` needed).

``{{ course|tr:"title" }}`` prints the title in the reader's language, or in the other one
followed by a small marker; ``{{ lesson.body_html }}{{ lesson|lang_marker:"body" }}`` adds
only the marker, for texts rendered another way (Markdown).
"""

from django import template
from django.utils.safestring import SafeString

from core.content_language import fallback_language, fallback_marker, translated_html

register = template.Library()


@register.filter
def tr(obj, field: str) -> SafeString:
    return translated_html(obj, field)


@register.filter
def lang_marker(obj, field: str) -> SafeString:
    return fallback_marker(fallback_language(obj, field))
