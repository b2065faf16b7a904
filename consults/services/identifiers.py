"""The identifier warning of the logbook, for consultations: free text that looks like a patient
identifier (``cases.phi``) is refused until the writer confirms it is not one.

What the requester writes goes to another hospital, and the local reference, which only the
requesting institution reads, should still not be a name or an ID card number. The warnings
are stored with what was sent (``[{"field", "kinds"}]``); messages are made when shown, in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.phi import KIND_LABELS, check_texts

# The free-text fields checked, with the labels the writer sees.
FIELD_LABELS = {
    "clinical_question": gettext_lazy("Clinical question"),
    "local_reference": gettext_lazy("Local reference"),
    "impression": gettext_lazy("Your impression"),
    "diagnosis": gettext_lazy("Most likely diagnosis"),
    "recommendation": gettext_lazy("Recommendation"),
    "report": gettext_lazy("Report"),
    "second_opinion": gettext_lazy("Second opinion"),
    "body": gettext_lazy("Message"),
}


class UnconfirmedIdentifiers(ValidationError):
    """The text seems to hold identifiers and the writer has not confirmed it does not."""

    def __init__(self, warnings: list[dict[str, object]]) -> None:
        self.warnings = warnings
        super().__init__(
            _(
                "Some text looks like a patient identifier. Remove it, or confirm that there "
                "are no identifiers to send it."
            ),
            "unconfirmed_identifiers",
        )


def identifier_warnings(texts: Mapping[str, object]) -> list[dict[str, object]]:
    """The stored form of the warnings for ``texts`` (field name → text)."""
    found = check_texts(
        {name: (str(FIELD_LABELS[name]), str(text or "")) for name, text in texts.items()}
    )
    return [{"field": w.field, "kinds": list(w.kinds)} for w in found]


def checked(texts: Mapping[str, object], *, confirmed: bool) -> list[dict[str, object]]:
    """The warnings for ``texts``; raises ``UnconfirmedIdentifiers`` when there are some and
    the writer has not confirmed."""
    warnings = identifier_warnings(texts)
    if warnings and not confirmed:
        raise UnconfirmedIdentifiers(warnings)
    return warnings


def warning_messages(warnings: Sequence[Mapping[str, Any]]) -> list[str]:
    messages = []
    for warning in warnings:
        field = str(warning.get("field"))
        values = {
            "field": FIELD_LABELS.get(field, field),
            "kinds": ", ".join(
                str(KIND_LABELS[kind]) for kind in warning.get("kinds", []) if kind in KIND_LABELS
            ),
        }
        if field == "local_reference":
            message = _(
                "“%(field)s” seems to contain %(kinds)s. Only your institution sees it, but use "
                "your hospital's own record or examination number rather than a name or an ID "
                "card number."
            )
        else:
            message = _(
                "“%(field)s” seems to contain %(kinds)s. The other hospital must not learn who "
                "the patient is: please remove it unless it is made up."
            )
        messages.append(message % values)
    return messages


def with_messages(warnings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The warnings with their ``message`` (the API's and the pages' form)."""
    return [
        {**warning, "message": message}
        for warning, message in zip(warnings, warning_messages(warnings), strict=True)
    ]
