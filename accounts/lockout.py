"""Sign-in lockout and password-reset limits: the pages and answers that say when to try again.

django-axes counts failed sign-ins (the login page and the API token both authenticate through
``django.contrib.auth.authenticate(request=…)``) and calls ``lockout_response`` when a refused
try comes from a locked-out account or address (settings ``AXES_*``, from ``LOGIN_*``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from core import ratelimit
from core.client_address import client_address

RESET_WINDOW_SECONDS = 3600


def _at(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def _retry_message(retry_at: datetime) -> str:
    return _("Too many failed sign-ins: sign-in is paused. Try again after %(time)s.") % {
        "time": _at(retry_at)
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 with the time to try again: JSON for the API, the lockout page otherwise."""
    # Each refused try during a lockout restarts the cool-off (axes' default), so the wait
    # runs from now.
    wait: timedelta = settings.AXES_COOLOFF_TIME
    retry_at = timezone.now() + wait
    retry_after = str(int(wait.total_seconds()))
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": _retry_message(retry_at)}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"retry_at": retry_at, "message": _retry_message(retry_at), "restarts": True},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


def password_reset_retry_after(request: HttpRequest, *, email: str) -> int:
    """Count one reset request per client address and per e-mail address entered (known or
    not, so the answer says nothing about which accounts exist): 0 if allowed, else the
    seconds to wait."""
    limit = settings.PASSWORD_RESET_RATE_PER_HOUR
    by_address = ratelimit.hit(
        key=f"password-reset-ip:{client_address(request)}",
        limit=limit,
        window_seconds=RESET_WINDOW_SECONDS,
    )
    # Hashed: the shared cache may be a database table, and needs no address in clear.
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_email = ratelimit.hit(
        key=f"password-reset-email:{email_key}",
        limit=limit,
        window_seconds=RESET_WINDOW_SECONDS,
    )
    return max(by_address, by_email)


def password_reset_limited_response(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    retry_at = timezone.now() + timedelta(seconds=retry_after)
    message = _("Too many password-reset requests. Try again after %(time)s.") % {
        "time": _at(retry_at)
    }
    response = render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "message": message},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
