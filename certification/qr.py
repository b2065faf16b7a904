"""The public verification address of a certificate, and its QR code."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse


def verification_url(code: str) -> str:
    """The absolute address of the public verification page (what the QR code holds)."""
    return settings.PLATFORM_BASE_URL + reverse("certification:verify", kwargs={"code": code})


def qr_png(text: str, *, scale: int = 10) -> bytes:
    """A black-on-white PNG QR code of ``text`` with the standard four-module quiet zone.
    Error correction level M survives a crease or a smudge on a printed certificate."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False, boost_error=False).save(
        out, kind="png", scale=scale, border=4
    )
    return out.getvalue()
