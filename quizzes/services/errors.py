"""Errors of the assessment services. Each carries ``.message``, translated, for the page or
the API (``{"detail": message}``).

How callers map them: ``QuizUnavailable`` 403, ``NotYourAttempt`` 404, ``AttemptClosed`` and
``AnswerLocked`` 409, ``QuestionNotOnPaper`` 404, ``NotAllowed`` 403, any other ``QuizError``
400. A response of the wrong shape raises django's ``ValidationError`` (from
``quizzes.validation.clean_response``), 400.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class QuizError(Exception):
    default_message = _("This quiz action is not possible.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class QuizUnavailable(QuizError):
    """Not visible, not published, not open yet, closed, or no attempts left."""

    default_message = _("This quiz is not available.")


class AttemptClosed(QuizError):
    """The attempt was submitted or its deadline has passed."""

    default_message = _("This attempt is closed.")


class AnswerLocked(QuizError):
    """The answer was checked (feedback "immediately"): it can no longer change."""

    default_message = _("This answer has been checked and can no longer be changed.")


class NotYourAttempt(QuizError):
    """No such attempt for this user (said the same way as "does not exist": no probing)."""

    default_message = _("Attempt not found.")


class QuestionNotOnPaper(QuizError):
    default_message = _("This question is not part of the attempt.")


class NotAllowed(QuizError):
    """The user may not manage this quiz (grading, results)."""

    default_message = _("You may not manage this quiz.")
