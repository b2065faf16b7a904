"""The client's address, the one rule for every per-address limit (login lockout, password
reset, /verify/).

By default it is REMOTE_ADDR, what the server itself saw. Behind reverse proxies set
``TRUSTED_PROXY_HEADER`` (e.g. ``HTTP_X_FORWARDED_FOR``) and ``TRUSTED_PROXY_COUNT`` (how many
proxies of ours append to it): each proxy appends the address that connected to it, so the
client is the COUNT-th entry from the right. Entries further left were written by the client
and are ignored — a forged header cannot choose the address that is counted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not header or count < 1:
        return remote
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    if not hops:
        return remote  # not through our proxies (a health probe on the host, a test client)
    # Fewer hops than proxies: the request skipped an outer proxy; the leftmost hop is then
    # still written by one of ours.
    return _valid(hops[-min(count, len(hops))]) or remote
