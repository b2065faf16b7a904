"""The PDF certificate: its text (as a PDF reader extracts it) names the holder and the code,
and the QR code image inside the PDF decodes to the public verification address."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the dev extra")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is in the dev extra")

from certification.pdf import certificate_pdf, pdf_filename  # noqa: E402
from tests.certification.factories import CertificateFactory  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _platform(settings):
    settings.PLATFORM_BASE_URL = "https://ceus.example.org"


def _certificate(programme, version, name, **fields):
    return CertificateFactory(programme=programme, version=version, holder_name=name, **fields)


def _read(pdf: bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0]


def _text(page) -> str:
    # Extraction keeps each drawn run; join lines so a test does not depend on line breaks.
    return " ".join(page.extract_text().split())


def _qr_texts(page) -> list[str]:
    """Every barcode zxing finds in the images embedded in the page."""
    found = []
    for image in page.images:
        found += [barcode.text for barcode in zxingcpp.read_barcodes(image.image)]
    return found


def test_pdf_text_holds_name_code_programme_and_dates(programme, version, now):
    certificate = _certificate(
        programme,
        version,
        "Jane Doe",
        issued_at=now,
        expires_at=now + timedelta(days=365),
    )
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    text = _text(_read(pdf))
    assert "Jane Doe" in text
    assert certificate.code in text
    assert "CEUS Liver — Level 1" in text
    assert f"https://ceus.example.org/verify/{certificate.code}/" in text
    # Bilingual: both languages' headings, and the dates (in the platform's time zone).
    assert "Certificate of Competence" in text
    assert "资格证书" in text
    assert "CEUS Training · 超声造影培训" in text  # the platform's name, from the catalogue
    assert timezone.localtime(certificate.issued_at).date().isoformat() in text
    assert timezone.localtime(certificate.expires_at).date().isoformat() in text


def test_chinese_name_is_extractable(programme, version):
    """STSong-Light text carries a Unicode CMap (UniGB-UCS2-H), which pypdf maps back."""
    certificate = _certificate(programme, version, "张伟")
    text = _text(_read(certificate_pdf(certificate)))
    assert "张伟" in text
    assert certificate.code in text


def test_mixed_script_name_keeps_both_parts(programme, version):
    certificate = _certificate(programme, version, "Zhang Wei 张伟")
    text = _text(_read(certificate_pdf(certificate)))
    assert "Zhang Wei" in text and "张伟" in text


def test_qr_in_the_pdf_decodes_to_the_verification_url(programme, version):
    certificate = _certificate(programme, version, "Jane Doe")
    page = _read(certificate_pdf(certificate))
    assert _qr_texts(page) == [f"https://ceus.example.org/verify/{certificate.code}/"]


def test_qr_follows_the_platform_address(programme, version, settings):
    settings.PLATFORM_BASE_URL = "https://training.hospital.cn"
    certificate = _certificate(programme, version, "Jane Doe")
    page = _read(certificate_pdf(certificate))
    assert _qr_texts(page) == [f"https://training.hospital.cn/verify/{certificate.code}/"]


def test_a_very_long_title_and_name_still_fit(programme, version):
    programme.title = "Contrast-enhanced ultrasound of the liver, kidney and pancreas — " * 3
    programme.save(update_fields=["title"])
    name = "Maximiliana Alexandra Konstantinopoulou-Featherstonehaugh von Habsburg"
    certificate = _certificate(programme, version, name)
    page = _read(certificate_pdf(certificate))
    assert name in _text(page)
    assert _qr_texts(page)


def test_same_certificate_same_bytes(programme, version):
    certificate = _certificate(programme, version, "Jane Doe")
    assert certificate_pdf(certificate) == certificate_pdf(certificate)


def test_filename(programme, version):
    certificate = _certificate(programme, version, "Jane Doe")
    assert pdf_filename(certificate) == f"certificate-{programme.slug}-{certificate.code}.pdf"
