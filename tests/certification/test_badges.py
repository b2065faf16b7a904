"""Open Badges 3.0 credentials: valid against the official schema, signed with an
eddsa-jcs-2022 Data Integrity proof that any change to the document breaks."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from certification import badges, signing
from certification.models import RequirementKind, RequirementStage
from tests.certification.factories import CertificateFactory, RequirementFactory
from tests.cine.sample_files import shared_missing

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO.parent / "shared" / "schemas" / "openbadges-3.0" / "achievementcredential.schema.json"
SECRET = "badge-test-signing-secret-0123456789abcdefghijkl"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _platform(settings):
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"
    settings.CERT_SIGNING_SECRET = SECRET


@pytest.fixture
def certificate(trainee, programme, version, now):
    trainee.email = "Jane.Doe@Example.org"
    trainee.save(update_fields=["email"])
    RequirementFactory(
        version=version, kind=RequirementKind.SCANS, count=25, exam_types=["ceus_liver"]
    )
    RequirementFactory(version=version, kind=RequirementKind.CME, hours=1.5)
    RequirementFactory(
        version=version,
        kind=RequirementKind.CME,
        hours=4,
        stage=RequirementStage.RECERTIFICATION,
    )
    return CertificateFactory(
        holder=trainee,
        holder_name="Jane Doe",
        programme=programme,
        version=version,
        issued_at=now,
        expires_at=now + timedelta(days=3 * 365),
    )


@pytest.fixture
def badge(certificate):
    return badges.badge_for(certificate)


def _schema_validator() -> Draft201909Validator:
    if not SCHEMA.exists():
        shared_missing(f"the Open Badges 3.0 schema is not at {SCHEMA} (../shared is absent)")
    return Draft201909Validator(json.loads(SCHEMA.read_text()))


def _set(document: dict, path: tuple, value) -> None:
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return "x"
    return value + "x" if value else "x"


def _containers(value, path=()):
    """Paths of every object in the document (the root is ``()``)."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _containers(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _containers(item, (*path, i))


# --- The document -----------------------------------------------------------------------------


def test_badge_validates_against_the_official_schema(badge):
    validator = _schema_validator()
    errors = sorted(validator.iter_errors(badge), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_catches_a_broken_badge(badge):
    """The validation above can fail: a badge without its subject's achievement does not pass."""
    validator = _schema_validator()
    broken = copy.deepcopy(badge)
    del broken["credentialSubject"]["achievement"]
    assert not validator.is_valid(broken)


def test_badge_content(badge, certificate):
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"https://ceus.example.org/verify/{certificate.code}/"
    assert badge["issuer"] == {
        "id": "https://ceus.example.org/issuer",
        "type": ["Profile"],
        "name": "CEUS Training",
        "url": "https://ceus.example.org",
    }
    assert badge["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert badge["validUntil"] == certificate.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    achievement = badge["credentialSubject"]["achievement"]
    assert badge["credentialSubject"]["type"] == ["AchievementSubject"]
    assert achievement["name"] == "CEUS Liver — Level 1"
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == "https://ceus.example.org/certification/programmes/" + (
        f"{certificate.programme.slug}/#v{certificate.version.number}"
    )
    # The initial certificate's criteria: both-stage requirements, not recertification ones.
    narrative = achievement["criteria"]["narrative"]
    assert "Log 25 supervised, quality-reviewed scans (CEUS liver)" in narrative
    assert "Earn 1.5 CME hours" in narrative
    assert "Earn 4 CME hours" not in narrative
    proof = badge["proof"][0]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-jcs-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == signing.key_id()
    assert proof["proofValue"].startswith("z")


def test_holder_named_by_salted_email_hash_and_name_never_by_address(badge, certificate):
    identifiers = badge["credentialSubject"]["identifier"]
    email = next(i for i in identifiers if i["identityType"] == "emailAddress")
    assert email["hashed"] is True and email["type"] == "IdentityObject"
    # The spec's IdentityHash: sha256 over the (normalised) address followed by the salt.
    expected = hashlib.sha256(("jane.doe@example.org" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == f"sha256${expected}"
    name = next(i for i in identifiers if i["identityType"] == "name")
    assert name == {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "Jane Doe",
        "identityType": "name",
    }
    text = json.dumps(badge).lower()
    assert "jane.doe@example.org" not in text
    assert certificate.holder.username not in text


def test_salts_differ_between_certificates(certificate, programme):
    other = CertificateFactory(holder=certificate.holder, programme=programme, status="expired")
    first = badges.badge_for(certificate)["credentialSubject"]["identifier"][0]
    second = badges.badge_for(other)["credentialSubject"]["identifier"][0]
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_badge_without_email_names_the_holder_only(certificate):
    certificate.holder.email = ""
    certificate.holder.save(update_fields=["email"])
    identifiers = badges.badge_for(certificate)["credentialSubject"]["identifier"]
    assert [i["identityType"] for i in identifiers] == ["name"]


def test_recertification_lists_recertification_criteria(certificate, trainee, programme, version):
    renewal = CertificateFactory(
        holder=trainee, programme=programme, version=version, renews=certificate, status="expired"
    )
    narrative = badges.badge_for(renewal)["credentialSubject"]["achievement"]["criteria"]
    assert "Earn 4 CME hours" in narrative["narrative"]


def test_badge_is_the_same_on_every_download(certificate):
    assert badges.badge_for(certificate) == badges.badge_for(certificate)


def test_badge_holds_no_floats(badge):
    assert not [path for path, value in badges.iter_leaves(badge) if isinstance(value, float)]


def test_badge_without_expiry_has_no_valid_until(certificate):
    certificate.expires_at = None
    assert "validUntil" not in badges.badge_for(certificate)


# --- JCS ------------------------------------------------------------------------------------


def test_jcs_sorts_keys_drops_whitespace_and_keeps_unicode():
    document = {"b": [1, True, None], "a": {"z": "张伟", "y": '\u2028\n"é'}}
    assert badges.canonicalize(document) == (
        '{"a":{"y":"\u2028\\n\\"é","z":"张伟"},"b":[1,true,null]}'.encode()
    )


def test_jcs_refuses_floats():
    with pytest.raises(TypeError):
        badges.canonicalize({"hours": 1.5})


# --- The proof ------------------------------------------------------------------------------


def test_signature_verifies(badge):
    assert badges.verify_credential(badge, signing.public_key())


def test_proof_follows_eddsa_jcs_2022_as_written(badge):
    """An independent check of the spec's algorithm (not our verify function): the signature
    covers sha256(JCS(proof options + document @context)) || sha256(JCS(document))."""
    proof = dict(badge["proof"][0])
    signature = signing.b58decode(proof.pop("proofValue")[1:])
    unsecured = {k: v for k, v in badge.items() if k != "proof"}
    proof["@context"] = unsecured["@context"]

    def jcs(value) -> bytes:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    hash_data = hashlib.sha256(jcs(proof)).digest() + hashlib.sha256(jcs(unsecured)).digest()
    signing.public_key().verify(signature, hash_data)  # raises InvalidSignature if wrong


def test_changing_any_field_breaks_verification(badge):
    key = signing.public_key()
    leaves = list(badges.iter_leaves(badge))
    assert len(leaves) > 30
    for path, value in leaves:
        tampered = copy.deepcopy(badge)
        _set(tampered, path, _changed(value))
        assert not badges.verify_credential(tampered, key), path


def test_changing_a_value_type_breaks_verification(badge):
    key = signing.public_key()
    for path, value in badges.iter_leaves(badge):
        tampered = copy.deepcopy(badge)
        _set(tampered, path, [value])
        assert not badges.verify_credential(tampered, key), path


def test_adding_a_field_anywhere_breaks_verification(badge):
    key = signing.public_key()
    for path, _obj in _containers(badge):
        tampered = copy.deepcopy(badge)
        target = tampered
        for step in path:
            target = target[step]
        target["extra"] = "added"
        assert not badges.verify_credential(tampered, key), path


def test_removing_any_field_breaks_verification(badge):
    key = signing.public_key()
    for path, obj in _containers(badge):
        for name in obj:
            tampered = copy.deepcopy(badge)
            target = tampered
            for step in path:
                target = target[step]
            del target[name]
            assert not badges.verify_credential(tampered, key), (*path, name)


def test_reordering_keys_or_pretty_printing_keeps_it_valid(badge):
    """Canonicalisation is what is signed: the JSON's layout is not."""
    pretty = json.loads(json.dumps(badge, indent=4, sort_keys=False))
    reordered = dict(reversed(list(pretty.items())))
    assert badges.verify_credential(reordered, signing.public_key())


def test_list_order_is_signed(badge):
    tampered = copy.deepcopy(badge)
    tampered["credentialSubject"]["identifier"].reverse()
    assert not badges.verify_credential(tampered, signing.public_key())


def test_another_secret_does_not_verify(certificate, settings, badge):
    other = signing.private_key_from_secret(SECRET + "-other")
    forged = badges.sign_credential(
        badges.build_credential(certificate),
        other,
        verification_method=signing.key_id(),
        created=certificate.issued_at,
    )
    assert badges.verify_credential(forged, other.public_key())
    assert not badges.verify_credential(forged, signing.public_key())
    assert not badges.verify_credential(badge, other.public_key())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b.pop("proof"),
        lambda b: b.__setitem__("proof", []),
        lambda b: b.__setitem__("proof", [b["proof"][0], b["proof"][0]]),
        lambda b: b.__setitem__("proof", "z123"),
        lambda b: b["proof"][0].__setitem__("proofValue", "not base58 0OIl"),
        lambda b: b["proof"][0].__setitem__("proofValue", "z1"),
        lambda b: b["proof"][0].__setitem__("@context", b["@context"]),
    ],
)
def test_malformed_proofs_are_refused_not_raised(badge, mangle):
    mangle(badge)
    assert badges.verify_credential(badge, signing.public_key()) is False


def test_non_documents_are_refused():
    key = signing.public_key()
    assert badges.verify_credential([], key) is False
    assert badges.verify_credential("{}", key) is False


def test_published_key_verifies_the_badge(client, badge):
    """What a verifier does: follow verificationMethod to the key document, decode its
    publicKeyMultibase, verify."""
    method = badge["proof"][0]["verificationMethod"]
    path = method.removeprefix("https://ceus.example.org").split("#")[0]
    response = client.get(path)
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == method
    assert document["type"] == "Multikey"
    assert document["controller"] == badge["issuer"]["id"]
    key = signing.public_key_from_multibase(document["publicKeyMultibase"])
    assert badges.verify_credential(badge, key)


def test_issuer_profile_lists_the_key(client, badge):
    response = client.get("/issuer")
    assert response.status_code == 200
    profile = response.json()
    assert profile["id"] == badge["issuer"]["id"]
    assert profile["type"] == ["Profile"]
    assert profile["assertionMethod"] == [badge["proof"][0]["verificationMethod"]]
