"""An employer checks a certificate in a real browser: the public verification page, without
logging in, in English and in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.services.certificates import revoke
from tests.certification.factories import CertificateFactory, ProgrammeFactory, VersionFactory
from tests.factories import DirectorFactory, InstitutionFactory, TraineeFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def certificate():
    hospital = InstitutionFactory(name="County Hospital")
    programme = ProgrammeFactory(institution=hospital, title="CEUS Liver — Level 1")
    version = VersionFactory(programme=programme, number=2)
    holder = TraineeFactory(institution=hospital, email="private.holder@example.org")
    issued = timezone.now() - timedelta(days=3)
    return CertificateFactory(
        holder=holder,
        holder_name="Jane Doe",
        programme=programme,
        version=version,
        issued_at=issued,
        expires_at=issued + timedelta(days=3 * 365),
    )


def _facts(page) -> dict[str, str]:
    return {
        name: page.locator(f'[data-field="{name}"]').inner_text()
        for name in ("holder", "programme", "issued", "expires", "status")
    }


def test_anonymous_visitor_sees_a_valid_certificate(page, certificate):
    response = page.goto(reverse("certification:verify", kwargs={"code": certificate.code}))
    assert response.status == 200
    facts = _facts(page)
    assert facts["holder"] == "Jane Doe"
    assert facts["programme"] == "CEUS Liver — Level 1 version 2"
    assert str(timezone.localtime(certificate.issued_at).year) in facts["issued"]
    assert str(timezone.localtime(certificate.expires_at).year) in facts["expires"]
    assert facts["status"] == "Valid"
    assert page.get_by_text("This certificate is valid.").is_visible()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    body = page.content()
    assert "private.holder@example.org" not in body
    assert certificate.holder.username not in body
    assert "County Hospital" not in body
    # Nobody is signed in: the page offers to log in, and nothing else of the site.
    assert page.get_by_role("link", name="Log in").is_visible()


def test_revoked_certificate_shows_revoked(page, certificate):
    director = DirectorFactory(institution=certificate.programme.institution)
    revoke(certificate=certificate, by=director, reason="Logbook entries were not genuine")
    page.goto(reverse("certification:verify", kwargs={"code": certificate.code}))
    assert page.locator('[data-field="status"]').inner_text() == "Revoked"
    assert page.locator('[data-field="revoked"]').is_visible()
    assert page.get_by_text("has been revoked and is no longer valid").is_visible()
    assert "not genuine" not in page.content()


def test_unknown_code_shows_the_not_found_page(page, certificate):
    response = page.goto(reverse("certification:verify", kwargs={"code": "AAAAAAAAAAAAAAAAAAAAAA"}))
    assert response.status == 404
    assert page.locator('[data-verify-result="not-found"]').is_visible()
    assert page.locator('[data-field="holder"]').count() == 0
    assert "Jane Doe" not in page.content()


def test_page_in_chinese(page, certificate):
    url = reverse("certification:verify", kwargs={"code": certificate.code})
    page.goto(url)
    # The switcher submits itself on change and comes back to this page.
    with page.expect_navigation():
        page.locator("#lang-select").select_option(value="zh-hans")
    assert page.url.endswith(url)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="登录", exact=True).is_visible()
    assert page.locator('[data-field="holder"]').inner_text() == "Jane Doe"
    assert page.locator('[data-verify-result="issued"]').is_visible()
    # Dates in the Chinese format (e.g. "2025年3月1日").
    assert "年" in page.locator('[data-field="issued"]').inner_text()
