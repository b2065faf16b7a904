"""The builder's "share those too" and "Publish" buttons (posts from the next-action bar and
the question form's warning). The services decide; these pages say what happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import author_required
from core.sharing import report_sharing
from quizzes.models import Question, Quiz
from quizzes.services import sharing
from quizzes.services.errors import QuizError


@author_required
@require_POST
def quiz_share(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.editable_by(request.user), pk=pk)
    report_sharing(request, sharing.share_quiz_dependencies(quiz=quiz, by=request.user))
    return redirect("quizzes:edit", pk=quiz.pk)


@author_required
@require_POST
def quiz_publish(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(Quiz.objects.editable_by(request.user), pk=pk)
    try:
        sharing.publish_quiz(quiz=quiz, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except QuizError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Quiz published."))
    return redirect("quizzes:edit", pk=quiz.pk)


@author_required
@require_POST
def question_share(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.editable_by(request.user), pk=pk)
    report_sharing(request, sharing.share_question_dependencies(question=question, by=request.user))
    return redirect("quizzes:question_edit", pk=question.pk)
