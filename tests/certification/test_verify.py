"""The public verification page /verify/<code>/: name, programme, dates and status only; 404
for unknown codes; rate-limited per client address; English and Chinese; no login."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from certification.models import CertificateStatus
from certification.services.certificates import revoke
from core import ratelimit
from tests.certification.factories import CertificateFactory
from tests.factories import DirectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(trainee, programme, version, now):
    trainee.first_name, trainee.last_name = "Janet", "Holder-Account"
    trainee.email = "janet.private@example.org"
    trainee.save()
    return CertificateFactory(
        holder=trainee,
        holder_name="Jane Doe",
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=10),
        expires_at=now + timedelta(days=3 * 365),
    )


def _url(code: str) -> str:
    return reverse("certification:verify", kwargs={"code": code})


def _main(response) -> str:
    """The page's <main>: the header (navigation, language form) is the same on every page."""
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_url():
    assert _url("abc_DEF-123") == "/verify/abc_DEF-123/"


def test_anonymous_visitor_sees_name_programme_dates_and_status(client, certificate):
    response = client.get(_url(certificate.code))
    assert response.status_code == 200
    main = _main(response)
    assert "Jane Doe" in main
    assert "CEUS Liver — Level 1" in main
    assert "version 1" in main
    assert re.search(r'data-field="issued"><time datetime="[^"]+">[^<]+</time>', main)
    assert re.search(r'data-field="expires"><time datetime="[^"]+">[^<]+</time>', main)
    assert 'data-verify-result="issued"' in main
    assert ">Valid<" in main


def test_page_shows_nothing_else_about_the_holder(client, certificate, hospital):
    response = client.get(_url(certificate.code))
    html = response.content.decode()
    holder = certificate.holder
    for private in (holder.email, holder.username, "Janet", "Holder-Account", hospital.name):
        assert private not in html, private


def test_page_is_not_indexed_nor_cached(client, certificate):
    response = client.get(_url(certificate.code))
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_expired_certificate_reads_expired_before_the_nightly_task(client, certificate, now):
    certificate.expires_at = now - timedelta(days=1)
    certificate.save(update_fields=["expires_at"])
    main = _main(client.get(_url(certificate.code)))
    assert 'data-verify-result="expired"' in main
    assert "has expired" in main


def test_revoked_certificate_shows_when_but_not_why_nor_who(client, certificate, hospital, now):
    director = DirectorFactory(institution=hospital, first_name="Dora", last_name="Director")
    revoke(certificate=certificate, by=director, reason="Falsified logbook entries", now=now)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    response = client.get(_url(certificate.code))
    assert response.status_code == 200
    main = _main(response)
    assert 'data-verify-result="revoked"' in main
    assert re.search(r'data-field="revoked"><time datetime="[^"]+">[^<]+</time>', main)
    assert "Falsified" not in main
    assert "Dora" not in main and director.username not in main


def test_unknown_code_is_404_with_the_same_page(client, certificate):
    response = client.get(_url("no-such-code"))
    assert response.status_code == 404
    assert 'data-verify-result="not-found"' in response.content.decode()
    assert "Jane Doe" not in response.content.decode()


def test_a_near_miss_looks_like_any_unknown_code(client, certificate):
    near = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    prefix = certificate.code[:8]
    far = "x" * len(certificate.code)
    bodies = {_main(client.get(_url(code))) for code in (near, prefix, far)}
    assert len(bodies) == 1


def test_no_other_method_than_get(client, certificate):
    assert client.post(_url(certificate.code)).status_code == 405


def test_chinese(client, certificate):
    response = client.get(_url(certificate.code), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "Jane Doe" in html


# --- Rate limit -------------------------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.CERT_VERIFY_RATE_PER_MINUTE = 3
    return 3


@pytest.fixture
def clock(monkeypatch):
    """A controllable clock for the rate limiter: starts 10 s into a minute."""
    state = {"now": 1_700_000_000.0 - (1_700_000_000 % 60) + 10}
    monkeypatch.setattr(ratelimit, "clock", lambda: state["now"])
    return state


def test_rate_limit_answers_429_with_retry_after(client, certificate, limit, clock):
    for _ in range(limit):
        assert client.get(_url(certificate.code)).status_code == 200
    response = client.get(_url(certificate.code))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 51
    main = _main(response)
    assert 'data-verify-result="rate-limited"' in main
    assert "Too many verification requests" in main
    assert "Jane Doe" not in main


def test_unknown_codes_count_towards_the_limit(client, certificate, limit, clock):
    for i in range(limit):
        assert client.get(_url(f"guess-{i}")).status_code == 404
    assert client.get(_url(certificate.code)).status_code == 429
    assert client.get(_url("guess-more")).status_code == 429


def test_limit_is_per_client_address(client, certificate, limit, clock):
    for _ in range(limit + 1):
        client.get(_url(certificate.code), REMOTE_ADDR="10.0.0.1")
    assert client.get(_url(certificate.code), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(_url(certificate.code), REMOTE_ADDR="10.0.0.2").status_code == 200


def test_limit_resets_in_the_next_minute(client, certificate, limit, clock):
    for _ in range(limit):
        client.get(_url(certificate.code))
    assert client.get(_url(certificate.code)).status_code == 429
    clock["now"] += 60
    assert client.get(_url(certificate.code)).status_code == 200


def test_default_limit_is_thirty(client, certificate, settings, clock):
    del settings.CERT_VERIFY_RATE_PER_MINUTE
    statuses = [client.get(_url("unknown")).status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]


def test_rate_limit_message_in_chinese_page(client, certificate, limit, clock):
    for _ in range(limit):
        client.get(_url(certificate.code))
    response = client.get(_url(certificate.code), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.content.decode()
