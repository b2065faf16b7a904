"""The printable certificate: one A4 landscape page, in English and Chinese, with a QR code of
the public verification address.

Latin text is set in Helvetica and Chinese in reportlab's built-in CID font ``STSong-Light``
(the PDF viewer supplies the glyphs, so no font file ships or downloads). A name or title that
mixes scripts is set run by run in the font that has the characters.

The labels are printed in both languages whatever language the holder reads the site in, so
the English/Chinese pairs live here rather than in the translation catalogue (a missing
catalogue entry would otherwise print the English twice).
"""

from __future__ import annotations

import io
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from certification.models import Certificate
from certification.qr import qr_png, verification_url

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))

PAGE = landscape(A4)
QR_SIZE = 42 * mm
INK = colors.HexColor("#1f2937")
ACCENT = colors.HexColor("#0f5f8c")

TITLE = ("Certificate of Competence", "资格证书")
CERTIFIES = ("This certifies that", "兹证明")
COMPLETED = (
    "has met every requirement of the certification programme",
    "已完成以下认证项目的全部要求",
)
VERSION = ("Version", "版本")
ISSUED = ("Issued", "签发日期")
VALID_UNTIL = ("Valid until", "有效期至")
NO_EXPIRY = ("No expiry", "长期有效")
CODE = ("Verification code", "验证码")
VERIFY = ("Verify this certificate at", "请扫描二维码或访问以下网址验证本证书")


def _is_latin(char: str) -> bool:
    # Helvetica here is WinAnsi-encoded: whatever cp1252 cannot hold goes to the CJK font.
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _runs(text: str, latin_font: str) -> list[tuple[str, str]]:
    """``text`` cut into (font, run) pieces by script."""
    runs: list[tuple[str, str]] = []
    for char in text:
        font = latin_font if _is_latin(char) else CJK
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _width(text: str, size: float, latin_font: str = LATIN) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in _runs(text, latin_font))


def _fit(text: str, size: float, max_width: float, latin_font: str = LATIN) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``max_width`` (at least 8 pt)."""
    while size > 8 and _width(text, size, latin_font) > max_width:
        size -= 0.5
    return size


def _draw(
    canvas: Canvas,
    text: str,
    y: float,
    size: float,
    *,
    x: float | None = None,
    latin_font: str = LATIN,
    color=INK,
) -> None:
    """Draw ``text`` at height ``y``: centred on the page, or from ``x`` when given."""
    start = (PAGE[0] - _width(text, size, latin_font)) / 2 if x is None else x
    canvas.setFillColor(color)
    for font, run in _runs(text, latin_font):
        canvas.setFont(font, size)
        canvas.drawString(start, y, run)
        start += pdfmetrics.stringWidth(run, font, size)


def _pair(pair: tuple[str, str]) -> str:
    return f"{pair[0]} · {pair[1]}"


def _date(moment: datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else _pair(NO_EXPIRY)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes (the same bytes for the same certificate)."""
    programme, version = certificate.programme, certificate.version
    url = verification_url(certificate.code)
    with translation.override("en"):
        platform = str(settings.PLATFORM_NAME)
    # The platform's name is in the catalogue already; the same English twice is not printed.
    with translation.override("zh-hans"):
        platform_zh = str(settings.PLATFORM_NAME)
    heading = platform if platform_zh == platform else _pair((platform, platform_zh))
    width, height = PAGE
    content_width = width - 2 * 30 * mm

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, invariant=True, pageCompression=1)
    canvas.setTitle(f"{programme.title} — {certificate.holder_name}")
    canvas.setAuthor(platform)
    canvas.setSubject(f"{TITLE[0]} {certificate.code}")

    # Frame.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    _draw(canvas, heading, height - 32 * mm, 14, color=ACCENT, latin_font=LATIN_BOLD)
    _draw(canvas, TITLE[0], height - 50 * mm, 30, latin_font=LATIN_BOLD)
    _draw(canvas, TITLE[1], height - 62 * mm, 22)
    _draw(canvas, _pair(CERTIFIES), height - 78 * mm, 13)
    name_size = _fit(certificate.holder_name, 28, content_width, LATIN_BOLD)
    _draw(canvas, certificate.holder_name, height - 94 * mm, name_size, latin_font=LATIN_BOLD)
    _draw(canvas, _pair(COMPLETED), height - 108 * mm, 13)
    title_size = _fit(programme.title, 20, content_width, LATIN_BOLD)
    _draw(canvas, programme.title, height - 122 * mm, title_size, latin_font=LATIN_BOLD)
    _draw(canvas, f"{_pair(VERSION)} {version.number}", height - 131 * mm, 11)

    # Dates and code on the left, the QR code on the right, above the frame's bottom edge.
    left, line = 30 * mm, 7 * mm
    rows = [
        (_pair(ISSUED), _date(certificate.issued_at)),
        (_pair(VALID_UNTIL), _date(certificate.expires_at)),
        (_pair(CODE), certificate.code),
    ]
    y = 62 * mm
    for label, value in rows:
        _draw(canvas, f"{label}:", y, 10, x=left)
        _draw(canvas, value, y, 11, x=left + 62 * mm, latin_font=LATIN_BOLD)
        y -= line
    _draw(canvas, _pair(VERIFY), y - 2 * mm, 9, x=left)
    _draw(canvas, url, y - 8 * mm, 9, x=left, color=ACCENT)

    qr = ImageReader(io.BytesIO(qr_png(url)))
    canvas.drawImage(qr, width - 30 * mm - QR_SIZE, 22 * mm, width=QR_SIZE, height=QR_SIZE)

    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.programme.slug}-{certificate.code}.pdf"
