"""The platform's revocation list: a W3C Bitstring Status List (v1.0) that every badge points to.

Each certificate holds a ``status_list_index`` allocated once, at random, when it is issued, and
never reused (certificates are never deleted: their audit events protect them). Its badge
carries a ``BitstringStatusListEntry`` with ``statusPurpose`` "revocation" naming that index and
the list's URL; the platform publishes the list there as a ``BitstringStatusListCredential``,
signed like the badges (eddsa-jcs-2022). A verifier holding only the badge fetches the list,
decodes ``encodedList`` and reads the bit: 1 = revoked.

- **Only revocation.** Expiry is already in the badge (``validUntil``), which verifiers check
  without asking anyone, so it has no list of its own; a suspension list would have nothing to
  say (certificates are not suspended).
- **Herd privacy.** The list always has ``LIST_SIZE`` entries (131,072 bits, 16 KB before
  compression) and indexes are random, so fetching it tells the issuer nothing about which
  certificate is being checked, and an index says nothing about when it was issued.
- **Encoding.** Bit ``i`` is bit ``7 - i % 8`` of byte ``i // 8`` (the left-most bit is index
  0); the bytes are GZIP-compressed and written as multibase base64url without padding ("u…").
- **Never stale.** The signed list is cached under a key made from the set of revoked indexes,
  read from the database on every request (one indexed query): a revocation changes the key,
  so the next request builds and signs the new list. ``revoke`` also drops the old entry.

Public functions:
    allocate_index() -> int
    credential_status(certificate) -> dict
    status_list_url() -> str
    signed_status_list() -> tuple[dict, str]
    encode_bitstring(indexes, size=LIST_SIZE) -> str
    decode_bitstring(encoded) -> bytes
    is_set(bitstring, index) -> bool
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from certification import signing
from certification.models import Certificate, CertificateStatus

LIST_SIZE = 131_072  # the spec's minimum, for herd privacy
STATUS_PURPOSE = "revocation"
CACHE_PREFIX = "cert-status-list:"
CACHE_SECONDS = 24 * 3600
_ALLOCATE_ATTEMPTS = 64


class StatusListFull(RuntimeError):
    """No free index left (more than about half the list is used): the list must grow."""


def allocate_index() -> int:
    """A random index no certificate holds yet. Two issues racing for the same index (1 in
    131,072) meet the unique constraint; the caller retries with a new one."""
    used = set()
    for _ in range(_ALLOCATE_ATTEMPTS):
        candidate = secrets.randbelow(LIST_SIZE)
        if candidate in used:
            continue
        if not Certificate.objects.filter(status_list_index=candidate).exists():
            return candidate
        used.add(candidate)
    raise StatusListFull(f"no free status list index after {_ALLOCATE_ATTEMPTS} attempts")


def status_list_url() -> str:
    """The stable public URL of the revocation list (the list credential's id)."""
    return settings.PLATFORM_BASE_URL + reverse("certification:status_list")


def credential_status(certificate: Certificate) -> dict:
    """The badge's ``credentialStatus``: where its revocation bit is."""
    url = status_list_url()
    index = certificate.status_list_index
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),  # the spec's type: a base-10 integer as a string
        "statusListCredential": url,
    }


def encode_bitstring(indexes: Iterable[int], size: int = LIST_SIZE) -> str:
    """Multibase base64url (no padding) of the GZIP of a ``size``-bit string with ``indexes``
    set. ``mtime=0`` keeps the bytes the same for the same bits."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    """The inverse of ``encode_bitstring``: the uncompressed bitstring's bytes."""
    if not encoded.startswith("u"):
        raise ValueError("not a multibase base64url value")
    body = encoded[1:]
    packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return gzip.decompress(packed)


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def _revoked_indexes() -> list[int]:
    return sorted(
        Certificate.objects.filter(status=CertificateStatus.REVOKED).values_list(
            "status_list_index", flat=True
        )
    )


def _build(indexes: list[int]) -> dict:
    # Imported here: badges imports this module for credential_status.
    from certification import badges

    url = status_list_url()
    now = timezone.now()
    document = {
        "@context": [badges.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signing.issuer_url(),
        "validFrom": badges.timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bitstring(indexes),
        },
    }
    return badges.sign_credential(
        document, signing.signing_key(), verification_method=signing.key_id(), created=now
    )


def _cache_key(indexes: list[int]) -> str:
    state = "|".join([",".join(map(str, indexes)), status_list_url(), signing.key_id()])
    return CACHE_PREFIX + hashlib.sha256(state.encode()).hexdigest()


def signed_status_list() -> tuple[dict, str]:
    """The signed list credential as of now, and a tag that changes whenever its bits do
    (for the ETag). Built and signed once per state of the list, then served from the cache."""
    indexes = _revoked_indexes()
    key = _cache_key(indexes)
    document = cache.get(key)
    if document is None:
        document = _build(indexes)
        cache.set(CACHE_PREFIX + "current", key, timeout=None)
        cache.set(key, document, timeout=CACHE_SECONDS)
    return document, key.removeprefix(CACHE_PREFIX)


def forget_cached_list() -> None:
    """Drop the cached list (called after a revocation commits). Correctness does not depend
    on it — the cache key follows the revoked set — it only frees the superseded entry."""
    current = cache.get(CACHE_PREFIX + "current")
    if current:
        cache.delete(current)
    cache.delete(CACHE_PREFIX + "current")
