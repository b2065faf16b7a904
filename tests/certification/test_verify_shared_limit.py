"""/verify/'s rate limit is counted once for all worker processes (the shared cache: the
database cache without CACHE_URL), per client address taken from a trusted proxy header only
when one is configured."""

from __future__ import annotations

import contextlib

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client

from core import ratelimit
from core.client_address import client_address

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limit(settings, monkeypatch):
    settings.CERT_VERIFY_RATE_PER_MINUTE = 3
    start = 1_700_000_000.0 - (1_700_000_000 % 60) + 10
    monkeypatch.setattr(ratelimit, "clock", lambda: start)
    return 3


def _start_another_process(monkeypatch) -> None:
    """What a second worker process has: its own empty process memory (every local-memory
    cache) and its own cache connections; only the database is shared."""
    monkeypatch.setattr(locmem, "_caches", {})
    monkeypatch.setattr(locmem, "_expire_info", {})
    monkeypatch.setattr(locmem, "_locks", {})
    for alias in caches.settings:
        with contextlib.suppress(AttributeError):  # never opened in this "process"
            del caches[alias]


def _verify(client: Client, **meta) -> int:
    return client.get("/verify/unknown-code/", **meta).status_code


def test_two_processes_share_one_count(monkeypatch):
    first, second = Client(), Client()
    assert [_verify(first), _verify(first)] == [404, 404]
    _start_another_process(monkeypatch)
    assert [_verify(second), _verify(second)] == [404, 429]


def test_a_spoofed_forwarded_for_is_ignored_by_default():
    client = Client()
    statuses = [
        _verify(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}", REMOTE_ADDR="203.0.113.7")
        for i in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_behind_one_trusted_proxy_the_address_it_saw_is_counted(settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    # The client forges the left part; our proxy appends what connected to it (the right part).
    statuses = [
        _verify(
            client,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.10",
            REMOTE_ADDR="10.0.0.2",  # the proxy itself
        )
        for i in range(4)
    ]
    assert statuses == [404, 404, 404, 429]
    other = _verify(client, HTTP_X_FORWARDED_FOR="192.0.2.11", REMOTE_ADDR="10.0.0.2")
    assert other == 404


# --- The address rule itself --------------------------------------------------------------


class _Request:
    def __init__(self, **meta):
        self.META = meta


def test_default_is_remote_addr_only():
    request = _Request(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.1, 192.0.2.10", "192.0.2.10"),
        (2, "198.51.100.1, 192.0.2.10, 10.1.1.1", "192.0.2.10"),
        (2, "192.0.2.10", "192.0.2.10"),  # an outer proxy was skipped
        (1, "", "10.0.0.2"),  # no header: what the server saw
        (1, "198.51.100.1, not-an-address", "10.0.0.2"),
    ],
)
def test_the_right_hop_is_used(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = count
    request = _Request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_the_login_lockout_uses_the_same_rule(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    request = _Request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.10")
    assert get_client_ip_address(request) == "192.0.2.10"
