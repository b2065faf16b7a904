"""The platform's Ed25519 signing key, derived from ``settings.CERT_SIGNING_SECRET``.

The key is never stored: HKDF-SHA256 turns the secret into the 32-byte Ed25519 seed, so every
web process and worker derives the same key, and a verifier finds the public half at
``/issuer/key`` as a Multikey (``publicKeyMultibase``: multibase base58-btc of the multicodec
``ed25519-pub`` prefix 0xed01 and the 32 key bytes — "z6Mk…").
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.urls import reverse

# Changing this label changes the key (and breaks every badge issued so far): keep it.
HKDF_INFO = b"ceus-training/certification/open-badges-ed25519/v1"
ED25519_PUB_MULTICODEC = b"\xed\x01"
MULTIKEY_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: i for i, char in enumerate(_B58_ALPHABET)}


def b58encode(data: bytes) -> str:
    """Bitcoin base58 (the alphabet multibase "z" names); leading zero bytes become "1"s."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_B58_ALPHABET[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """The inverse of ``b58encode``; ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"not a base58 character: {char!r}")
        number = number * 58 + _B58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def private_key_from_secret(secret: str | bytes) -> Ed25519PrivateKey:
    raw = secret.encode() if isinstance(secret, str) else secret
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(raw)
    return Ed25519PrivateKey.from_private_bytes(seed)


@lru_cache(maxsize=4)
def _cached_key(secret: str) -> Ed25519PrivateKey:
    return private_key_from_secret(secret)


def signing_key() -> Ed25519PrivateKey:
    """The platform's key (derived once per secret and process)."""
    return _cached_key(settings.CERT_SIGNING_SECRET)


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """ValueError unless ``value`` is a base58-btc multibase Ed25519 Multikey."""
    if not value.startswith("z"):
        raise ValueError("not a base58-btc multibase value")
    data = b58decode(value[1:])
    if len(data) != 34 or not data.startswith(ED25519_PUB_MULTICODEC):
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def issuer_url() -> str:
    """The issuer's id: the Profile document a badge names as its issuer."""
    return settings.PLATFORM_BASE_URL + reverse("certification:issuer")


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """The verification method's URL: the key document plus the key's multibase as fragment,
    so a new secret (a new key) gets a new id instead of silently reusing the old one."""
    key = key or public_key()
    base = settings.PLATFORM_BASE_URL + reverse("certification:issuer_key")
    return f"{base}#{public_key_multibase(key)}"


def key_document() -> dict:
    """The Multikey verifiers fetch from ``/issuer/key``."""
    key = public_key()
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": key_id(key),
        "type": "Multikey",
        "controller": issuer_url(),
        "publicKeyMultibase": public_key_multibase(key),
    }
