"""Open Badges 3.0 credentials (``OpenBadgeCredential``, W3C VC Data Model 2.0) for certificates,
signed with an embedded ``DataIntegrityProof`` of the ``eddsa-jcs-2022`` cryptosuite
(W3C vc-di-eddsa §3.3):

- the proof configuration is the proof without ``proofValue``, with the document's
  ``@context``; the document is the credential without ``proof``;
- both are canonicalised with JCS (RFC 8785) and hashed with SHA-256;
  ``hashData = sha256(proofConfig) || sha256(document)``;
- ``proofValue`` = multibase base58-btc ("z…") of the Ed25519 signature over ``hashData``.

The credential is derived from the certificate on every download, deterministically (the proof's
``created`` is the issue time and Ed25519 signatures are deterministic), so the holder always
gets the same bytes. Its ``credentialStatus`` points to the certificate's bit in the platform's
revocation list (``certification.status_list``). The holder is named by a salted SHA-256 hash
of their e-mail address (an ``IdentityObject``), never the address itself, and by their name
as printed on the certificate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import translation

from certification import signing, status_list
from certification.models import Certificate, Requirement, RequirementKind, RequirementStage
from certification.qr import verification_url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"


# --- JCS (RFC 8785) and the eddsa-jcs-2022 proof -----------------------------------------------


def _no_floats(value: Any, path: str = "$") -> None:
    """JSON numbers that are not integers would need RFC 8785's number serialisation, which
    ``json.dumps`` does not implement: credentials carry none, and this makes sure."""
    if isinstance(value, float):
        raise TypeError(f"floats cannot be canonicalised here ({path})")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"non-string key at {path}")
            _no_floats(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_floats(item, f"{path}[{i}]")


def canonicalize(value: Any) -> bytes:
    """JCS for documents of strings, integers, booleans, null, lists and objects with ASCII
    keys: sorted keys, no whitespace, UTF-8 and the same string escapes as ECMAScript."""

    _no_floats(value)
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _hash_data(document: dict, proof_config: dict) -> bytes:
    config = {**proof_config, "@context": document.get("@context")}
    return (
        hashlib.sha256(canonicalize(config)).digest()
        + hashlib.sha256(canonicalize(document)).digest()
    )


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as credentials carry them."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_credential(
    document: dict,
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime,
) -> dict:
    """``document`` with a ``proof`` list holding one eddsa-jcs-2022 proof."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(unsecured, proof))
    proof["proofValue"] = "z" + signing.b58encode(signature)
    return {**unsecured, "proof": [proof]}


def verify_credential(document: Any, public_key: Ed25519PublicKey) -> bool:
    """True when ``document`` carries exactly one eddsa-jcs-2022 proof that ``public_key``
    made over this very document; False for anything else (never raises on bad input)."""
    if not isinstance(document, dict):
        return False
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not isinstance(proofs, list) or len(proofs) != 1 or not isinstance(proofs[0], dict):
        return False
    proof = proofs[0]
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != "assertionMethod"
        or "@context" in proof
    ):
        return False
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    try:
        signature = signing.b58decode(value[1:])
        config = {key: item for key, item in proof.items() if key != "proofValue"}
        unsecured = {key: item for key, item in document.items() if key != "proof"}
        public_key.verify(signature, _hash_data(unsecured, config))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def iter_leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every scalar of a JSON document with its path (keys and list indexes)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_leaves(item, (*path, i))
    else:
        yield path, value


# --- The credential -------------------------------------------------------------------------


def _email_identity(certificate: Certificate) -> dict | None:
    email = (certificate.holder.email or "").strip().lower()
    if not email:
        return None
    # A salt per certificate, stable across downloads, that nobody can precompute.
    salt = hmac.new(
        settings.CERT_SIGNING_SECRET.encode(),
        b"badge-identity-salt:" + certificate.code.encode(),
        hashlib.sha256,
    ).hexdigest()[:32]
    digest = hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "salt": salt,
    }


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def requirement_text(requirement: Requirement) -> str:
    """One line of the criteria: the requirement's own title, else what it asks for."""
    if requirement.title:
        return requirement.title
    kind = requirement.kind
    if kind == RequirementKind.COURSES:
        titles = ", ".join(course.title for course in requirement.courses.all())
        return f"Complete the courses: {titles}" if titles else "Complete the courses"
    if kind == RequirementKind.QUIZ and requirement.quiz_id:
        score = (
            f" with at least {requirement.min_score}%" if requirement.min_score is not None else ""
        )
        return f"Pass {requirement.quiz.title}{score}"
    if kind == RequirementKind.CASES:
        scope = " ".join(part for part in (requirement.organ, requirement.category) if part)
        return f"Review {requirement.count or 0} published {scope + ' ' if scope else ''}cases"
    if kind == RequirementKind.SCANS:
        types = ", ".join(str(Requirement.exam_type_label(t)) for t in requirement.exam_types)
        of = f" ({types})" if types else ""
        return f"Log {requirement.count or 0} supervised, quality-reviewed scans{of}"
    if kind == RequirementKind.CME:
        return f"Earn {_number(requirement.hours)} CME hours"
    if kind == RequirementKind.LIVE_HOURS:
        return f"Attend {_number(requirement.hours)} hours of live teaching sessions"
    if kind == RequirementKind.CONSULTS:
        scope = f"{requirement.organ} " if requirement.organ else ""
        return (
            f"Have {requirement.count or 0} {scope}consultations answered by an expert centre, "
            "with the expert's feedback on one's own reading"
        )
    if kind == RequirementKind.PREREQUISITE and requirement.prerequisite_id:
        return f"Hold a valid certificate of {requirement.prerequisite.title}"
    return str(requirement.get_kind_display())


def criteria_narrative(certificate: Certificate) -> str:
    """The requirements the certificate was issued on (initial or recertification), as a
    Markdown list."""
    stages = [RequirementStage.BOTH]
    stages.append(
        RequirementStage.RECERTIFICATION if certificate.renews_id else RequirementStage.INITIAL
    )
    requirements = (
        certificate.version.requirements.filter(stage__in=stages)
        .select_related("quiz", "prerequisite")
        .prefetch_related("courses")
    )
    lines = [f"- {requirement_text(requirement)}" for requirement in requirements]
    return "\n".join(lines) or "- Awarded by the programme's directors"


def build_credential(certificate: Certificate) -> dict:
    """The unsigned OpenBadgeCredential of ``certificate``, in English whoever downloads it:
    the signed document is the same for everyone, and verifiers abroad read it. (The
    programme's title and description are as their authors wrote them.)"""
    base = settings.PLATFORM_BASE_URL
    programme, version = certificate.programme, certificate.version
    with translation.override("en"):
        platform_name = str(settings.PLATFORM_NAME)
        narrative = criteria_narrative(certificate)
        achievement_id = f"{base}{programme.get_absolute_url()}#v{version.number}"
        identifiers = [
            {
                "type": "IdentityObject",
                "hashed": False,
                "identityHash": certificate.holder_name,
                "identityType": "name",
            }
        ]
        email = _email_identity(certificate)
        if email is not None:
            identifiers.insert(0, email)
        credential = {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": verification_url(certificate.code),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": programme.title,
            "description": f"{programme.title} (version {version.number}), "
            f"awarded to {certificate.holder_name}.",
            "issuer": {
                "id": signing.issuer_url(),
                "type": ["Profile"],
                "name": platform_name,
                "url": base,
            },
            "validFrom": timestamp(certificate.issued_at),
            "awardedDate": timestamp(certificate.issued_at),
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": identifiers,
                "achievement": {
                    "id": achievement_id,
                    "type": ["Achievement"],
                    "achievementType": "Certification",
                    "name": programme.title,
                    "description": programme.description.strip() or programme.title,
                    "criteria": {"narrative": narrative},
                    "version": str(version.number),
                },
            },
        }
    if certificate.expires_at is not None:
        credential["validUntil"] = timestamp(certificate.expires_at)
    # Revocation is looked up in the platform's status list; expiry is validUntil above.
    credential["credentialStatus"] = status_list.credential_status(certificate)
    return credential


def badge_for(certificate: Certificate) -> dict:
    """The signed credential the holder downloads."""
    return sign_credential(
        build_credential(certificate),
        signing.signing_key(),
        verification_method=signing.key_id(),
        created=certificate.issued_at,
    )
