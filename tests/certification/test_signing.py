"""The platform's signing key: derived from CERT_SIGNING_SECRET with HKDF-SHA256, published as
a Multikey at /issuer/key."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from certification import signing

SECRET = "a-test-signing-secret-that-is-long-enough-0123456789"


def _raw_private(key) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _hkdf_sha256(ikm: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 written out (no salt: a string of HashLen zeros)."""
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for counter in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
    return out[:length]


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        (b"", ""),
        (b"hello world", "StV1DL6CwTryKyV"),
        (b"\0\0\x01", "112"),
        (
            bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"),
            "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
        ),
    ],
)
def test_base58_known_values(raw, encoded):
    assert signing.b58encode(raw) == encoded
    assert signing.b58decode(encoded) == raw


def test_base58_refuses_characters_outside_the_alphabet():
    with pytest.raises(ValueError):
        signing.b58decode("0OIl")


def test_key_is_hkdf_sha256_of_the_secret_with_the_fixed_label():
    key = signing.private_key_from_secret(SECRET)
    assert _raw_private(key) == _hkdf_sha256(SECRET.encode(), signing.HKDF_INFO)


def test_same_secret_same_key_other_secret_other_key():
    one = signing.private_key_from_secret(SECRET)
    again = signing.private_key_from_secret(SECRET)
    other = signing.private_key_from_secret(SECRET + "x")
    assert _raw_public(one.public_key()) == _raw_public(again.public_key())
    assert _raw_public(one.public_key()) != _raw_public(other.public_key())


def test_platform_key_follows_the_setting(settings):
    settings.CERT_SIGNING_SECRET = SECRET
    first = _raw_public(signing.public_key())
    settings.CERT_SIGNING_SECRET = SECRET + "-rotated"
    assert _raw_public(signing.public_key()) != first
    settings.CERT_SIGNING_SECRET = SECRET
    assert _raw_public(signing.public_key()) == first


def test_multikey_round_trip():
    public = signing.private_key_from_secret(SECRET).public_key()
    value = signing.public_key_multibase(public)
    # multicodec ed25519-pub (0xed 0x01) + 32 bytes, base58-btc: always "z6Mk…"
    assert value.startswith("z6Mk")
    assert signing.b58decode(value[1:]) == b"\xed\x01" + _raw_public(public)
    assert _raw_public(signing.public_key_from_multibase(value)) == _raw_public(public)


@pytest.mark.parametrize(
    "value",
    [
        "6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",  # no multibase prefix
        "z" + signing.b58encode(b"\x12\x20" + bytes(32)),  # a sha2-256 multihash, not a key
        "z" + signing.b58encode(b"\xed\x01" + bytes(31)),  # too short
    ],
)
def test_multikey_refuses_what_is_not_an_ed25519_key(value):
    with pytest.raises(ValueError):
        signing.public_key_from_multibase(value)


def test_key_document(settings):
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"
    settings.CERT_SIGNING_SECRET = SECRET
    document = signing.key_document()
    multibase = signing.public_key_multibase(signing.public_key())
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": f"https://ceus.example.org/issuer/key#{multibase}",
        "type": "Multikey",
        "controller": "https://ceus.example.org/issuer",
        "publicKeyMultibase": multibase,
    }
    assert signing.key_id() == document["id"]
