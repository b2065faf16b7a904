"""The one error of the live services: a code (stable, for clients and tests) and a message
translated for the person who caused it. The consumer sends it to the sender only as
``{"type": "error", "code", "message"}``; pages and the API map ``forbidden`` to 403,
``not_found`` to 404, ``conflict`` codes to 409 and the rest to 400."""

from __future__ import annotations

from django.utils.functional import Promise

# Codes that mean "the session moved on" (the API's 409), not bad input.
CONFLICT_CODES = frozenset(
    {"not_live", "not_scheduled", "session_over", "poll_open", "poll_closed", "not_driver"}
)


class LiveError(Exception):
    def __init__(self, code: str, message: str | Promise) -> None:
        self.code = code
        self.message = message
        super().__init__(code)

    @property
    def forbidden(self) -> bool:
        return self.code in ("forbidden", "not_host", "muted")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
