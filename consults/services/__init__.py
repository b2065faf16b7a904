"""Write-side operations of consultations, called by pages, the API and tasks.

Every function takes keyword-only arguments, checks the caller's rights itself (pages narrow
their querysets first) and raises ``PermissionDenied``, ``ValidationError`` (one message per
field), ``ConsultError`` (a ``ValidationError`` whose code says the consult moved on:
``transitions.CONFLICT_CODES``) or ``UnconfirmedIdentifiers`` (text that looks like a patient
identifier, until ``confirmed=True``). Each change is kept as a ``ConsultEvent`` and notified
by e-mail after commit.
"""

from consults.services.answering import (
    consult_answer,
    consult_claim,
    consult_decline,
    consult_release,
    second_opinion_ask,
    second_opinion_give,
)
from consults.services.drawings import DrawingSet, drawings_replace
from consults.services.identifiers import UnconfirmedIdentifiers
from consults.services.requests import (
    SubmitResult,
    consent_record,
    consult_close,
    consult_submit,
    consult_withdraw,
)
from consults.services.teaching import teaching_case_make
from consults.services.thread import consult_mark_seen, message_post
from consults.services.transitions import CONFLICT_CODES, ConsultError

__all__ = [
    "CONFLICT_CODES",
    "ConsultError",
    "DrawingSet",
    "SubmitResult",
    "UnconfirmedIdentifiers",
    "consent_record",
    "consult_answer",
    "consult_claim",
    "consult_close",
    "consult_decline",
    "consult_mark_seen",
    "consult_release",
    "consult_submit",
    "consult_withdraw",
    "drawings_replace",
    "message_post",
    "second_opinion_ask",
    "second_opinion_give",
    "teaching_case_make",
]
