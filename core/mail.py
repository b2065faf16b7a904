"""E-mail to platform users, the one way every app sends it (certification, consultations).

Each message is composed in the recipient's preferred language (``in_language_of``; the
platform's default when they chose none) and sent through Django's e-mail backend as plain
text (``send_to``); a user without an address gets nothing. Links in mail are whole addresses
(``absolute_url``: ``PLATFORM_BASE_URL`` + the path). While ``muted()`` is active, messages
are composed and counted as sent but not handed to the backend, as Django's dummy backend
would: the demo loader acts for people who do not exist.

Public functions:
    in_language_of(user)            context manager: translations in the user's language
    send_to(user, subject, body) -> bool
    absolute_url(name, **kwargs) -> str
    muted()                         context manager
    is_muted() -> bool
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation


@contextmanager
def in_language_of(user) -> Iterator[None]:
    with translation.override(getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE):
        yield


def absolute_url(name: str, **kwargs: object) -> str:
    """``PLATFORM_BASE_URL`` + the named page's path: e-mails need whole addresses."""
    return f"{settings.PLATFORM_BASE_URL}{reverse(name, kwargs=kwargs or None)}"


_MUTED: ContextVar[bool] = ContextVar("platform_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    token = _MUTED.set(True)
    try:
        yield
    finally:
        _MUTED.reset(token)


def is_muted() -> bool:
    return _MUTED.get()


def send_to(user, subject: str, body: str) -> bool:
    """Send one plain-text message to ``user``; False when they have no address."""
    if not user.email:
        return False
    if not _MUTED.get():
        send_mail(" ".join(subject.split()), body, None, [user.email])
    return True
