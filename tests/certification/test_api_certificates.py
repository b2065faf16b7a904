"""Certificate API (/api/v1/certificates/…) and the holder's pages through the session: the
holder and the programme's managers see a certificate, nobody else does."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from certification import badges, signing
from certification.services.certificates import revoke
from tests.certification.factories import CertificateFactory, ProgrammeFactory, VersionFactory
from tests.factories import DirectorFactory, TraineeFactory, api_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(trainee, programme, version, now):
    return CertificateFactory(
        holder=trainee,
        holder_name="Jane Doe",
        programme=programme,
        version=version,
        issued_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=365),
    )


@pytest.fixture
def other_programme(other_hospital):
    programme = ProgrammeFactory(institution=other_hospital, title="CEUS Kidney")
    VersionFactory(programme=programme, number=1)
    return programme


@pytest.fixture
def elsewhere(other_programme, other_hospital):
    """A certificate of another hospital's programme, held by a trainee there."""
    return CertificateFactory(
        holder=TraineeFactory(institution=other_hospital),
        programme=other_programme,
        version=other_programme.versions.get(),
    )


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["results"]]


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- List ----------------------------------------------------------------------------------


def test_trainee_lists_own_certificates(trainee, certificate, elsewhere, programme, version):
    other_holder = CertificateFactory(programme=programme, version=version)
    codes = _codes(_token_client(trainee).get("/api/v1/certificates/"))
    assert codes == [certificate.code]
    assert other_holder.code not in codes


def test_list_item_shape(trainee, certificate):
    item = api_for(trainee).get("/api/v1/certificates/").json()["results"][0]
    assert item["code"] == certificate.code
    assert item["holder"] == trainee.pk
    assert item["holder_name"] == "Jane Doe"
    assert item["programme"] == {
        "id": certificate.programme_id,
        "title": "CEUS Liver — Level 1",
        "slug": certificate.programme.slug,
    }
    assert item["version"] == 1
    assert item["status"] == "issued"
    assert item["revoked_at"] is None
    assert item["manual"] is False
    assert item["verify_url"].endswith(f"/verify/{certificate.code}/")
    assert item["pdf_url"].endswith(f"/api/v1/certificates/{certificate.code}/certificate.pdf")
    assert item["badge_url"].endswith(f"/api/v1/certificates/{certificate.code}/badge.json")
    assert "email" not in json.dumps(item)


def test_director_lists_the_certificates_of_managed_programmes(
    director, certificate, elsewhere, programme, version
):
    second = CertificateFactory(programme=programme, version=version)
    codes = _codes(api_for(director).get("/api/v1/certificates/"))
    assert sorted(codes) == sorted([certificate.code, second.code])


def test_director_filters_by_holder(director, certificate, trainee, programme, version):
    CertificateFactory(programme=programme, version=version)
    codes = _codes(api_for(director).get("/api/v1/certificates/", {"holder": trainee.pk}))
    assert codes == [certificate.code]


def test_director_filters_by_programme(director, certificate, hospital):
    other = ProgrammeFactory(institution=hospital)
    mine = CertificateFactory(programme=other, version=VersionFactory(programme=other))
    codes = _codes(api_for(director).get("/api/v1/certificates/", {"programme": other.pk}))
    assert codes == [mine.code]


def test_holder_filter_cannot_reach_other_holders(trainee, certificate, elsewhere):
    response = api_for(trainee).get("/api/v1/certificates/", {"holder": elsewhere.holder_id})
    assert _codes(response) == []


def test_site_admin_lists_all(site_admin, certificate, elsewhere):
    codes = _codes(api_for(site_admin).get("/api/v1/certificates/"))
    assert sorted(codes) == sorted([certificate.code, elsewhere.code])


def test_director_of_another_hospital_sees_none(other_hospital, certificate):
    director = DirectorFactory(institution=other_hospital)
    assert _codes(api_for(director).get("/api/v1/certificates/")) == []


def test_malformed_filter_is_400(director):
    response = api_for(director).get("/api/v1/certificates/", {"holder": "me"})
    assert response.status_code == 400
    assert "holder" in response.json()["detail"]


def test_anonymous_is_refused(client, certificate):
    assert client.get("/api/v1/certificates/").status_code in (401, 403)
    assert client.get(f"/api/v1/certificates/{certificate.code}/").status_code in (401, 403)


# --- Detail --------------------------------------------------------------------------------


def test_holder_and_manager_read_a_certificate(trainee, director, site_admin, certificate):
    for user in (trainee, director, site_admin):
        response = api_for(user).get(f"/api/v1/certificates/{certificate.code}/")
        assert response.status_code == 200, user
        assert response.json()["code"] == certificate.code


def test_others_get_the_unknown_code_answer(certificate, hospital, other_hospital, instructor):
    unknown = api_for(TraineeFactory(institution=hospital)).get("/api/v1/certificates/nope/")
    assert unknown.status_code == 404
    outsiders = [
        TraineeFactory(institution=hospital),  # a colleague
        instructor,  # signs scans off, does not manage the programme
        DirectorFactory(institution=other_hospital),
    ]
    for user in outsiders:
        for suffix in ("", "badge.json", "certificate.pdf"):
            response = api_for(user).get(f"/api/v1/certificates/{certificate.code}/{suffix}")
            assert response.status_code == 404, (user, suffix)
            assert response.json() == unknown.json()


def test_expired_status_before_the_nightly_task(trainee, certificate, now):
    certificate.expires_at = now - timedelta(minutes=1)
    certificate.save(update_fields=["expires_at"])
    response = api_for(trainee).get(f"/api/v1/certificates/{certificate.code}/")
    assert response.json()["status"] == "expired"


# --- Badge ---------------------------------------------------------------------------------


def test_holder_downloads_a_badge_that_verifies(trainee, certificate):
    response = _token_client(trainee).get(f"/api/v1/certificates/{certificate.code}/badge.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    badge = response.json()
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badges.verify_credential(badge, signing.public_key())


def test_manager_downloads_the_badge(director, certificate):
    response = api_for(director).get(f"/api/v1/certificates/{certificate.code}/badge.json")
    assert response.status_code == 200
    assert badges.verify_credential(response.json(), signing.public_key())


def test_revoked_files_are_gone(trainee, director, certificate, now):
    revoke(certificate=certificate, by=director, reason="Audit finding", now=now)
    client = api_for(trainee)
    for suffix in ("badge.json", "certificate.pdf"):
        response = client.get(f"/api/v1/certificates/{certificate.code}/{suffix}")
        assert response.status_code == 410, suffix
        assert response.json() == {
            "detail": "This certificate has been revoked: its files are no longer available."
        }
    item = client.get(f"/api/v1/certificates/{certificate.code}/").json()
    assert item["status"] == "revoked"
    assert item["revoked_at"] is not None
    assert item["pdf_url"] is None and item["badge_url"] is None


def test_expired_certificate_files_remain(trainee, certificate, now):
    certificate.expires_at = now - timedelta(days=1)
    certificate.status = "expired"
    certificate.save(update_fields=["expires_at", "status"])
    client = api_for(trainee)
    assert client.get(f"/api/v1/certificates/{certificate.code}/badge.json").status_code == 200


# --- PDF -----------------------------------------------------------------------------------


def test_holder_downloads_the_pdf(trainee, certificate):
    pypdf = pytest.importorskip("pypdf")
    response = _token_client(trainee).get(
        f"/api/v1/certificates/{certificate.code}/certificate.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and certificate.code in disposition
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Jane Doe" in text and certificate.code in text


def test_pdf_when_the_client_asks_for_pdf(trainee, certificate, now, director):
    client = api_for(trainee)
    url = f"/api/v1/certificates/{certificate.code}/certificate.pdf"
    response = client.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    # An error is still {"detail"} JSON, labelled as such.
    revoke(certificate=certificate, by=director, reason="Audit finding", now=now)
    response = client.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 410
    assert response["Content-Type"] == "application/json"
    assert "revoked" in json.loads(response.content)["detail"]


# --- The holder's pages (session) -----------------------------------------------------------


def test_holder_certificate_page_links_the_downloads(client, trainee, certificate):
    client.force_login(trainee)
    url = reverse("certification:certificate", kwargs={"code": certificate.code})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    pdf = reverse("certification:certificate_pdf", kwargs={"code": certificate.code})
    badge = reverse("certification:certificate_badge", kwargs={"code": certificate.code})
    assert f'href="{pdf}"' in html and f'href="{badge}"' in html
    assert f"/verify/{certificate.code}/" in html


def test_session_downloads(client, trainee, certificate):
    client.force_login(trainee)
    pdf = client.get(reverse("certification:certificate_pdf", kwargs={"code": certificate.code}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    badge = client.get(
        reverse("certification:certificate_badge", kwargs={"code": certificate.code})
    )
    assert badge.status_code == 200
    assert "attachment" in badge["Content-Disposition"]
    assert badges.verify_credential(json.loads(badge.content), signing.public_key())


def test_session_pages_refuse_others(client, certificate, hospital):
    names = ("certificate", "certificate_pdf", "certificate_badge")
    for name in names:
        url = reverse(f"certification:{name}", kwargs={"code": certificate.code})
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(TraineeFactory(institution=hospital))
    for name in names:
        url = reverse(f"certification:{name}", kwargs={"code": certificate.code})
        assert client.get(url).status_code == 404


def test_session_revoked_page_and_gone_files(client, trainee, director, certificate, now):
    revoke(certificate=certificate, by=director, reason="Audit finding", now=now)
    client.force_login(trainee)
    page = client.get(reverse("certification:certificate", kwargs={"code": certificate.code}))
    html = page.content.decode()
    assert 'data-verify-result="revoked"' in html
    assert "certificate.pdf" not in html
    for name in ("certificate_pdf", "certificate_badge"):
        url = reverse(f"certification:{name}", kwargs={"code": certificate.code})
        assert client.get(url).status_code == 410


def test_api_schema_describes_the_certificate_routes(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in (
        "/api/v1/certificates/",
        "/api/v1/certificates/{code}/",
        "/api/v1/certificates/{code}/badge.json",
        "/api/v1/certificates/{code}/certificate.pdf",
    ):
        assert path in paths
    pdf = paths["/api/v1/certificates/{code}/certificate.pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
