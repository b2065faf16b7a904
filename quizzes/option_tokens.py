"""Per-attempt opaque tokens for options: what a trainee sees and sends instead of option ids.

Options are created in key order, so their database ids sort into the answer of an ordering
question (and hint at the author's first, usually correct, option elsewhere). Everything that
leaves the server — the attempt payload (API and pages), saved responses, feedback keys —
names an option by ``option_token(attempt_id, option_id)``: an HMAC with the secret key, so a
token says nothing about the option's id or position and differs on every attempt. Answers
come back with tokens and are mapped to ids here; storage (``Answer.response``, the paper)
keeps option ids, so answers stored before tokens existed read unchanged.

Public functions:
    option_token(attempt_id, option_id) -> str
    attempt_tokens(attempt) -> dict[int, str]          (option id -> token, every paper option)
    question_tokens(attempt, question_id) -> dict[int, str]   (QuestionNotOnPaper if off it)
    response_to_tokens(response, tokens) -> response    (ids -> tokens, for display)
    response_from_tokens(response, tokens) -> response  (tokens -> ids; ValidationError if unknown)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

# 64 bits: a collision between two options of one question is out of reach.
TOKEN_LENGTH = 16
_SALT = "quizzes.option_tokens"
# The response keys that hold one option, or a list of options.
_ONE, _MANY = ("option",), ("options", "order")


def option_token(attempt_id: int, option_id: int) -> str:
    """The name of option ``option_id`` on attempt ``attempt_id`` (hex, stable per attempt)."""
    digest = salted_hmac(_SALT, f"{int(attempt_id)}:{int(option_id)}", algorithm="sha256")
    return digest.hexdigest()[:TOKEN_LENGTH]


def attempt_tokens(attempt) -> dict[int, str]:
    """Option id -> token for every option listed on the attempt's paper."""
    return {
        option_id: option_token(attempt.pk, option_id)
        for entry in attempt.paper
        for option_id in entry.get("options") or ()
    }


def question_tokens(attempt, question_id: int) -> dict[int, str]:
    """Option id -> token for one question of the attempt's paper; ``QuestionNotOnPaper`` when
    the question is not on it (checked before the response, as the services do)."""
    from quizzes.services.errors import QuestionNotOnPaper
    from quizzes.services.paper import paper_entry

    entry = paper_entry(attempt.paper, int(question_id))
    if entry is None:
        raise QuestionNotOnPaper()
    return {option_id: option_token(attempt.pk, option_id) for option_id in entry["options"]}


def _map(response: Any, convert) -> Any:
    if not isinstance(response, dict):
        return response
    mapped = dict(response)
    for key in _ONE:
        if key in mapped:
            mapped[key] = convert(mapped[key])
    for key in _MANY:
        if isinstance(mapped.get(key), list):
            mapped[key] = [convert(item) for item in mapped[key]]
    return mapped


def response_to_tokens(response: Any, tokens: Mapping[int, str]) -> Any:
    """A stored response as the trainee sees it: option ids replaced by their tokens (an id
    that is no longer on the paper shows as ``None``, never as itself)."""
    return _map(response, lambda value: tokens.get(value) if isinstance(value, int) else None)


def response_from_tokens(response: Any, tokens: Mapping[int, str]) -> Any:
    """A trainee's response with tokens replaced by option ids, for ``clean_response``.

    Only tokens of this attempt are accepted: a raw option id, or a token from another attempt
    (or another trainee's), is refused with a ``ValidationError``.
    """
    ids = {token: option_id for option_id, token in tokens.items()}

    def convert(value: Any) -> int:
        if not isinstance(value, str) or value not in ids:
            raise ValidationError(
                _("This option is not part of this attempt: use the option ids of its paper."),
                code="unknown_option",
            )
        return ids[value]

    return _map(response, convert)
