"""The personal calendar feed's secret address: made on first use, replaced on demand (the old
address stops working at once), removed on demand.

Public functions (keyword-only):
    feed_token(*, user) -> str              the current token, made if there is none
    feed_token_replace(*, user) -> str      a new token; the old one no longer reads anything
    feed_token_remove(*, user) -> None
    feed_owner(token) -> User | None        whose feed ``token`` reads (an active user)
"""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction

from accounts.models import User
from live.models import CalendarFeed

TOKEN_BYTES = 32  # 43 URL-safe characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def feed_token(*, user: User) -> str:
    existing = CalendarFeed.objects.filter(user=user).values_list("token", flat=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, token=_new_token()).token
    except IntegrityError:  # made at the same moment by another request
        return CalendarFeed.objects.get(user=user).token


def feed_token_replace(*, user: User) -> str:
    token = _new_token()
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


def feed_token_remove(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_owner(token: str) -> User | None:
    # Only what token_urlsafe makes is looked up: anything else (a NUL byte, which PostgreSQL
    # refuses in text) is no feed.
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    feed = CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user")
    found = feed.first()
    return found.user if found else None
