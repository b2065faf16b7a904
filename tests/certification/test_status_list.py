"""The revocation list (W3C Bitstring Status List v1.0): a verifier holding only the badge
follows its credentialStatus to the platform's signed list and reads the certificate's bit."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

import pytest

from certification import badges, signing, status_list
from certification.models import Certificate
from certification.services.certificates import issue_manually, revoke
from tests.certification.factories import CertificateFactory
from tests.factories import TraineeFactory

pytestmark = pytest.mark.django_db
BASE = "https://ceus.example.org"


@pytest.fixture(autouse=True)
def _platform(settings):
    settings.PLATFORM_BASE_URL = BASE
    settings.CERT_SIGNING_SECRET = "status-list-test-secret-0123456789abcdefghij"


@pytest.fixture
def certificate(programme, version):
    return CertificateFactory(programme=programme, version=version)


def fetch_list(client, badge: dict) -> tuple[dict, object]:
    """What a verifier does with the badge alone: fetch the list its credentialStatus names."""
    url = badge["credentialStatus"]["statusListCredential"]
    response = client.get(url.removeprefix(BASE))
    assert response.status_code == 200, response.content[:200]
    return response.json(), response


def bit(list_credential: dict, badge: dict) -> int:
    """The spec's validation: base64url-decode, gunzip, read bit statusListIndex (left-most
    bit of the first byte is index 0) — written here without the platform's decoder."""
    encoded = list_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    body = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(bits) * 8 >= 131_072  # herd privacy: the spec's minimum length
    index = int(badge["credentialStatus"]["statusListIndex"])
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_badge_names_its_entry_in_the_revocation_list(certificate):
    badge = badges.badge_for(certificate)
    url = f"{BASE}/issuer/status/revocation"
    assert badge["credentialStatus"] == {
        "id": f"{url}#{certificate.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_list_index),
        "statusListCredential": url,
    }
    assert badges.verify_credential(badge, signing.public_key())  # the entry is signed too


def test_the_list_is_public_and_its_proof_verifies(client, certificate):
    document, response = fetch_list(client, badges.badge_for(certificate))  # no login
    assert response["Access-Control-Allow-Origin"] == "*"
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["id"] == f"{BASE}/issuer/status/revocation"
    assert document["issuer"] == f"{BASE}/issuer"
    subject = document["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "revocation")
    # Verified with the key the issuer publishes, as for the badges.
    method = document["proof"][0]["verificationMethod"]
    key_doc = client.get(method.removeprefix(BASE).split("#")[0]).json()
    key = signing.public_key_from_multibase(key_doc["publicKeyMultibase"])
    assert badges.verify_credential(document, key)
    # And by the eddsa-jcs-2022 algorithm written out (not the platform's verify function).
    proof = dict(document["proof"][0])
    signature = signing.b58decode(proof.pop("proofValue")[1:])
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof["@context"] = unsecured["@context"]

    def jcs(value) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    key.verify(
        signature, hashlib.sha256(jcs(proof)).digest() + hashlib.sha256(jcs(unsecured)).digest()
    )
    tampered = json.loads(json.dumps(document))
    tampered["credentialSubject"]["encodedList"] = status_list.encode_bitstring([0])
    assert not badges.verify_credential(tampered, key)


def test_bit_is_0_while_valid_and_1_once_revoked(client, certificate, programme, version, director):
    other = CertificateFactory(programme=programme, version=version)
    badge, other_badge = badges.badge_for(certificate), badges.badge_for(other)
    before, first = fetch_list(client, badge)  # now cached
    assert bit(before, badge) == 0 and bit(before, other_badge) == 0

    revoke(certificate=certificate, by=director, reason="Logbook falsified")

    after, second = fetch_list(client, badge)  # never the cached list from before
    assert bit(after, badge) == 1
    assert bit(after, other_badge) == 0
    assert badges.verify_credential(after, signing.public_key())
    assert first["ETag"] != second["ETag"]


def test_unchanged_list_answers_304_to_a_revalidation(client, certificate):
    _document, response = fetch_list(client, badges.badge_for(certificate))
    assert response["Cache-Control"] == "public, no-cache"
    again = client.get("/issuer/status/revocation", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert client.post("/issuer/status/revocation").status_code == 405


def test_encoding_follows_the_spec_layout():
    encoded = status_list.encode_bitstring([0, 9, 131_071])
    bits = status_list.decode_bitstring(encoded)
    assert len(bits) == 16_384
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert sum(bin(byte).count("1") for byte in bits) == 3
    assert [status_list.is_set(bits, i) for i in (0, 1, 9, 131_071)] == [True, False, True, True]


def test_issue_allocates_an_index_once_and_draws_again_on_a_clash(
    director, programme, version, monkeypatch
):
    first = issue_manually(user=TraineeFactory(), programme=programme, by=director, reason="x")
    assert 0 <= first.status_list_index < status_list.LIST_SIZE
    # Two issues racing drew the same random index: the loser draws again.
    draws = iter([first.status_list_index, 4242])
    monkeypatch.setattr(status_list, "allocate_index", lambda: next(draws))
    second = issue_manually(user=TraineeFactory(), programme=programme, by=director, reason="x")
    assert second.status_list_index == 4242
    # Revoking keeps the index: the bit that is set is the one the badge already names.
    revoke(certificate=first, by=director, reason="y")
    assert Certificate.objects.get(pk=first.pk).status_list_index == first.status_list_index
