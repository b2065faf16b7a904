"""Offline study in the pages:

- ``{% offline_script %}`` (base.html): the offline study script and its settings;
- ``{% offline_save "module" pk %}``: a "Save for offline" button for a case, module or quiz
  (the server decides again when it is pressed: ``offline.bundles``);
- ``{% offline_quiz quiz %}`` (a quiz's page): an exam's "needs a connection", or a practice
  quiz's button, or why it cannot be taken offline (``offline.rules``).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from offline.bundles import KINDS
from offline.rules import exam_message, quiz_refusal
from offline.views import CACHE_NAME, media_address
from quizzes.models import QuizKind

register = template.Library()


@register.inclusion_tag("offline/_script.html", takes_context=True)
def offline_script(context) -> dict:
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    static_url = settings.STATIC_URL
    return {
        "offline_user": user.pk if signed_in else "",
        "cache": CACHE_NAME,
        "static_url": static_url if static_url.startswith("/") else f"/{static_url}",
        "media": media_address(),
    }


@register.inclusion_tag("offline/_save.html")
def offline_save(kind: str, pk: int) -> dict:
    if kind not in KINDS:
        raise template.TemplateSyntaxError(f"offline_save: no kind {kind!r}")
    return {
        "key": f"{kind}:{int(pk)}",
        "bundle_url": reverse("api-offline-bundle", kwargs={"kind": kind, "pk": int(pk)}),
    }


@register.inclusion_tag("offline/_quiz.html", takes_context=True)
def offline_quiz(context, quiz) -> dict:
    exam = quiz.kind == QuizKind.EXAM
    return {
        "quiz": quiz,
        "exam_message": exam_message() if exam else "",
        "refusal": "" if exam else quiz_refusal(context["user"], quiz),
    }
