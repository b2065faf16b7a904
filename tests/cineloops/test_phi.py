"""Patient data planted everywhere a file can carry it must come out nowhere (DOMAIN §4):
not in an output file, an API response, a rendered page, a log line or the database."""

import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pydicom import config, dcmread
from pydicom.dataset import Dataset

from cineloops.models import CineLoop
from tests.cineloops.samples import dicom_head, good_cine, zip_of

pytestmark = pytest.mark.django_db(transaction=True)

MARKER = "ZZPHI-42"
NAME = "张伟"
FILE_NAME = f"{NAME}_{MARKER}_liver.dcm"
# Every encoding a scanner, a private block or a careless program could store them in.
NEEDLES = [
    MARKER.encode("ascii"),
    MARKER.encode("utf-16-le"),
    NAME.encode("utf-8"),
]
TEXT_NEEDLES = [*NEEDLES, NAME.encode("gb18030"), NAME.encode("utf-16-le")]


def planted_cine(path):
    good_cine(path)
    ds = dcmread(path)
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = f"{NAME}^{MARKER}"
    ds.PatientID = MARKER
    ds.InstitutionName = MARKER
    ds.StudyDescription = f"{NAME} {MARKER}"
    inner = Dataset()
    inner.PatientName = f"{NAME}^{MARKER}"
    inner.OperatorsName = MARKER
    outer = Dataset()
    outer.PatientName = f"{NAME}^{MARKER}"
    outer.ReferencedInstanceSequence = [inner]  # two levels deep
    ds.ReferencedSeriesSequence = [outer]
    block = ds.private_block(0x0011, "ZZ PRIVATE", create=True)
    block.add_new(0x01, "LO", f"{NAME} {MARKER}")
    ds.add_new(0x60000022, "LO", MARKER)  # OverlayDescription
    ds.add_new(0x60004000, "LT", f"{NAME} {MARKER}")  # OverlayComments
    with config.disable_value_validation():
        # Invalid for its VR: pydicom's validation messages would quote it.
        ds.add_new(0x00100030, "DA", MARKER)  # PatientBirthDate
        ds.save_as(path, enforce_file_format=True)
    return path


def assert_clean(text_or_bytes, where: str) -> None:
    data = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode()
    needles = TEXT_NEEDLES if not isinstance(text_or_bytes, bytes) else NEEDLES
    for needle in needles:
        assert needle not in data, f"{needle!r} found in {where}"


def test_planted_patient_data_appears_nowhere(
    celery_eager, api, client, instructor, tmp_path, cine_dirs, caplog
):
    caplog.set_level(logging.DEBUG)
    source = planted_cine(tmp_path / "in.dcm")
    assert MARKER.encode() in source.read_bytes()  # the test would prove nothing otherwise

    created = api.post(
        "/api/v1/cineloops/", {"file": SimpleUploadedFile(FILE_NAME, source.read_bytes())}
    )
    archive = zip_of({f"{NAME}/{MARKER}/IM0001": source.read_bytes()})
    zipped = api.post("/api/v1/cineloops/", {"file": SimpleUploadedFile(f"{MARKER}.zip", archive)})

    assert created.status_code == zipped.status_code == 202
    loops = list(CineLoop.objects.all())
    assert [loop.status for loop in loops] == ["ready", "ready"]

    # Output files, including the de-identified DICOM and the JSON, byte for byte.
    outputs = [p for p in cine_dirs.media.rglob("*") if p.is_file()]
    assert len(outputs) == 2 * 6
    for path in outputs:
        data = path.read_bytes()
        text_like = path.suffix in (".json", ".dcm")
        for needle in TEXT_NEEDLES if text_like else NEEDLES:
            assert needle not in data, f"{needle!r} in {path.name}"
        assert MARKER not in path.name and NAME not in path.name
    # Nothing left under the upload folder at all (originals deleted), not even a name.
    assert [p for p in cine_dirs.uploads.rglob("*") if p.is_file()] == []

    # API responses.
    assert_clean(created.content, "the upload response")
    assert_clean(zipped.content, "the ZIP upload response")
    assert_clean(api.get("/api/v1/cineloops/").content, "the list")
    for loop in loops:
        assert_clean(api.get(f"/api/v1/cineloops/{loop.pk}/").content, "the detail")

    # Rendered pages, in both languages.
    client.force_login(instructor)
    for language in ("en", "zh-hans"):
        for url in ["/cineloops/", "/cineloops/upload/"] + [f"/cineloops/{x.pk}/" for x in loops]:
            page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert page.status_code == 200
            assert_clean(page.content, url)

    # The database: every stored value of every loop.
    for row in CineLoop.objects.values():
        assert_clean(json.dumps(row, default=str, ensure_ascii=False), "a database row")

    # Logs at DEBUG, messages and any attached exception text.
    for record in caplog.records:
        assert_clean(record.getMessage() + (record.exc_text or ""), f"log {record.name}")


def test_zip_entry_names_never_reach_messages(api, settings, tmp_path):
    member = good_cine(tmp_path / "a.dcm").read_bytes()
    archive = zip_of({f"{NAME}_{MARKER}.dcm": member})
    settings.CINE_MAX_UPLOAD_BYTES = len(archive) + 100  # the ZIP fits, its entry does not
    assert len(member) > settings.CINE_MAX_UPLOAD_BYTES

    response = api.post("/api/v1/cineloops/", {"file": SimpleUploadedFile("a.zip", archive)})

    assert response.status_code == 400
    assert "ZIP entry" in response.json()["rejected"][0]["error"]
    assert_clean(response.content, "the refusal")


def test_a_damaged_zip_entry_is_reported_without_its_name(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    archive = bytearray(zip_of({f"{MARKER}.dcm": dicom_head(b"x" * 5000)}))
    # A wrong CRC in the central directory: zipfile's error text quotes the entry name.
    crc_at = archive.find(b"PK\x01\x02") + 16
    archive[crc_at : crc_at + 4] = b"\0\0\0\0"

    response = api.post("/api/v1/cineloops/", {"file": SimpleUploadedFile("a.zip", bytes(archive))})

    assert response.status_code == 400
    assert "damaged" in response.json()["rejected"][0]["error"]
    assert_clean(response.content, "the refusal")
    assert MARKER not in caplog.text
