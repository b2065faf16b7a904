"""Resumable uploads through the API (tus 1.0): parts, resuming, refusals, ownership, limits.

What each test checks is what a client sees (statuses, headers, JSON) and what is stored
(rows, parts in the originals' storage, loops), never the code's internals.
"""

import io
import zipfile

import pytest

from cineloops import storage
from cineloops import tasks as cine_tasks
from cineloops.models import CineLoop, ResumableUpload, UploadPart
from tests import factories
from tests.cineloops.samples import dicom_head, good_cine, not_dicom, ybr_cine, zip_of
from tests.cineloops.tus import (
    TUS,
    URL,
    address,
    checksum,
    create,
    head,
    metadata,
    patch,
    send,
)
from tests.factories import api_for

pytestmark = pytest.mark.django_db
with_commits = pytest.mark.django_db(transaction=True)  # the join and processing run on commit


def stored_parts() -> list[str]:
    return storage.list_files(storage.originals(), storage.PARTIAL)


@pytest.fixture
def processing_runs(monkeypatch) -> list[int]:
    """The loops the processing task ran for, in order (each run, not each dispatch)."""
    runs: list[int] = []
    real = cine_tasks.loop_process

    def counted(*, loop_pk, **kwargs):
        runs.append(loop_pk)
        return real(loop_pk=loop_pk, **kwargs)

    monkeypatch.setattr(cine_tasks, "loop_process", counted)
    return runs


@with_commits
def test_a_file_sent_in_parts_becomes_one_loop_processed_once(
    celery_eager, processing_runs, api, tmp_path
):
    data = good_cine(tmp_path / "a.dcm", frames=12).read_bytes()
    part = len(data) // 5 + 1

    url = send(api, data, part=part)

    body = api.get(url).json()
    assert (body["status"], body["offset"], body["length"]) == ("complete", len(data), len(data))
    [accepted] = body["result"]["accepted"]
    assert body["result"]["rejected"] == []
    assert accepted["loop"]["status"] == "ready"
    assert processing_runs == [accepted["loop"]["id"]]
    loop = CineLoop.objects.get()
    assert (loop.original_size, loop.source) == (len(data), CineLoop.Source.UPLOAD)
    # The parts are deleted once joined; the record stays (loop ids only) until it expires.
    assert stored_parts() == []
    assert not UploadPart.objects.exists()
    # A HEAD now says it is complete: a client resuming it learns it is done.
    done = head(api, url)
    assert (done["Upload-Offset"], done["Upload-Length"]) == (str(len(data)),) * 2


@with_commits
def test_an_upload_resumes_from_the_offset_the_server_has(celery_eager, api, tmp_path):
    data = good_cine(tmp_path / "a.dcm").read_bytes()
    url = address(create(api, len(data)))
    half = len(data) // 2
    assert patch(api, url, data[:half], 0).status_code == 204

    # The client lost track (the link dropped after sending): HEAD tells where to go on.
    response = head(api, url)
    assert response.status_code == 200
    assert (response["Upload-Offset"], response["Upload-Length"]) == (str(half), str(len(data)))
    assert response["Cache-Control"] == "no-store"
    assert response["Upload-Expires"]
    assert response["Tus-Resumable"] == "1.0.0"

    assert patch(api, url, data[half:], half).status_code == 204
    assert api.get(url).json()["status"] == "complete"
    assert CineLoop.objects.get().status == CineLoop.Status.READY


def test_a_part_at_the_wrong_offset_is_refused_with_the_right_one(api):
    data = dicom_head(bytes(2000))
    url = address(create(api, len(data)))
    assert patch(api, url, data[:1000], 0).status_code == 204

    response = patch(api, url, data[1500:], 1500)  # a gap
    again = patch(api, url, data[:1000], 0)  # sent twice

    for refused in (response, again):
        assert refused.status_code == 409
        assert refused["Upload-Offset"] == "1000"
        assert refused.json() == {
            "detail": "The part does not start where the upload stands (byte 1000).",
            "code": "offset_mismatch",
            "offset": 1000,
        }
    assert ResumableUpload.objects.get().offset == 1000
    assert UploadPart.objects.count() == 1
    assert len(stored_parts()) == 1


def test_a_part_with_a_bad_checksum_is_refused_and_nothing_is_appended(api):
    data = dicom_head(bytes(2000))
    url = address(create(api, len(data)))
    assert patch(api, url, data[:1000], 0).status_code == 204

    corrupted = data[1000:1999] + b"\x01"
    response = patch(api, url, corrupted, 1000, HTTP_UPLOAD_CHECKSUM=checksum(data[1000:]))

    assert response.status_code == 460
    assert response.json()["code"] == "checksum_mismatch"
    assert head(api, url)["Upload-Offset"] == "1000"
    assert UploadPart.objects.count() == 1
    assert len(stored_parts()) == 1
    assert list(storage.incoming_dir().iterdir()) == []  # the refused part is not kept either
    # Sent again intact, with sha1 (the algorithm tus requires), it is appended.
    assert patch(api, url, data[1000:], 1000, with_checksum="sha1").status_code == 204


@pytest.mark.parametrize(
    ("value", "code"),
    [("crc32 AAAA", "unsupported_checksum"), ("sha256 not*base64", "bad_header")],
)
def test_a_checksum_the_server_cannot_check_is_a_bad_request(api, value, code):
    url = address(create(api, 500))

    response = patch(api, url, dicom_head(bytes(368)), 0, HTTP_UPLOAD_CHECKSUM=value)

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert ResumableUpload.objects.get().offset == 0


def test_a_part_going_past_the_declared_length_is_refused(api):
    data = dicom_head(bytes(868))
    url = address(create(api, len(data)))

    response = patch(api, url, data + b"more", 0)

    assert response.status_code == 413
    assert response.json()["code"] == "beyond_length"
    assert ResumableUpload.objects.get().offset == 0
    assert stored_parts() == []


def test_a_declared_length_over_the_limit_is_refused_at_creation(api, settings):
    settings.CINE_MAX_UPLOAD_BYTES = 10_000

    over = create(api, 10_001)
    huge = create(api, 2**62)
    at_limit = create(api, 10_000)

    for response in (over, huge):
        assert response.status_code == 413
        assert response.json() == {
            "detail": "The file is larger than the upload limit of 9.8\xa0KB.",
            "code": "too_large",
        }
    assert at_limit.status_code == 201
    assert ResumableUpload.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_UPLOAD_LENGTH": "-5"}, {"HTTP_UPLOAD_LENGTH": "ten"}, {"HTTP_UPLOAD_LENGTH": "0"}],
)
def test_a_missing_bad_or_empty_length_is_refused(api, headers):
    response = api.post(URL, **TUS, **headers)

    assert response.status_code == 400
    assert response.json()["code"] in {"bad_header", "empty_file"}
    assert not ResumableUpload.objects.exists()


def test_requests_without_the_tus_version_are_refused(api):
    created = api.post(URL, HTTP_UPLOAD_LENGTH="500")
    old = api.post(URL, HTTP_UPLOAD_LENGTH="500", HTTP_TUS_RESUMABLE="0.2.2")

    for response in (created, old):
        assert response.status_code == 412
        assert response["Tus-Version"] == "1.0.0"
        assert response.json()["code"] == "tus_version"
    assert not ResumableUpload.objects.exists()


def test_options_lists_what_the_server_supports(api, settings):
    response = api.options(URL)

    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,expiration,checksum,termination"
    assert response["Tus-Max-Size"] == str(settings.CINE_MAX_UPLOAD_BYTES)
    assert response["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


def test_a_part_with_another_content_type_is_refused(api):
    url = address(create(api, 500))

    response = api.generic(
        "PATCH", url, dicom_head(bytes(368)), content_type="application/octet-stream",
        HTTP_UPLOAD_OFFSET="0", **TUS,
    )  # fmt: skip

    assert response.status_code == 415
    assert ResumableUpload.objects.get().offset == 0


@with_commits
def test_a_part_after_completion_is_refused_clearly(celery_eager, api, tmp_path):
    data = good_cine(tmp_path / "a.dcm").read_bytes()
    url = send(api, data, part=len(data))

    again = patch(api, url, data[-10:], len(data) - 10)
    more = patch(api, url, b"x", len(data))

    for response in (again, more):
        assert response.status_code == 409
        assert response.json()["code"] == "upload_complete"
        assert (
            response.json()["detail"] == "This upload is already complete: it takes no more data."
        )
        assert response["Upload-Offset"] == str(len(data))
    assert CineLoop.objects.count() == 1


def test_a_part_after_expiry_is_refused_clearly(api, settings, later):
    data = dicom_head(bytes(2000))
    url = address(create(api, len(data)))
    assert patch(api, url, data[:1000], 0).status_code == 204
    ResumableUpload.objects.update(expires_at=later(seconds=-1))

    response = patch(api, url, data[1000:], 1000)
    status = head(api, url)

    assert response.status_code == 410
    assert response.json() == {
        "detail": "This upload has expired: upload the file again.",
        "code": "expired",
    }
    assert status.status_code == 410
    assert ResumableUpload.objects.get().offset == 1000


def test_the_first_part_of_a_file_that_is_not_dicom_ends_the_upload(api, tmp_path):
    data = not_dicom(tmp_path / "ward-list.dcm").read_bytes()
    url = address(create(api, len(data) * 100))  # a big file: refused before the rest is sent

    response = patch(api, url, data, 0)

    assert response.status_code == 422
    assert response.json()["code"] == "not_dicom"
    assert "not a DICOM file" in response.json()["detail"]
    assert not ResumableUpload.objects.exists()
    assert stored_parts() == []
    assert head(api, url).status_code == 404


def test_only_its_creator_may_use_an_upload(api, instructor, hospital, settings):
    data = dicom_head(bytes(2000))
    url = address(create(api, len(data)))
    assert patch(api, url, data[:1000], 0).status_code == 204
    colleague = api_for(factories.InstructorFactory(institution=hospital))
    admin = api_for(factories.SiteAdminFactory())

    for other in (colleague, admin):
        assert head(other, url).status_code == 404
        assert other.get(url).status_code == 404
        assert patch(other, url, data[1000:], 1000).status_code == 404
        assert other.delete(url, **TUS).status_code == 404
    assert ResumableUpload.objects.get().offset == 1000
    # Addresses are random UUIDs (122 bits): nothing to count up from.
    upload = ResumableUpload.objects.get()
    assert upload.pk.version == 4
    assert str(upload.pk) in url


def test_trainees_and_strangers_cannot_open_an_upload(trainee, client):
    assert create(api_for(trainee), 500).status_code == 403
    assert create(client, 500).status_code == 403
    assert not ResumableUpload.objects.exists()


def test_an_upload_can_be_cancelled_and_its_parts_are_deleted(
    api, django_capture_on_commit_callbacks
):
    data = dicom_head(bytes(2000))
    url = address(create(api, len(data)))
    assert patch(api, url, data[:1000], 0).status_code == 204
    assert stored_parts()

    with django_capture_on_commit_callbacks(execute=True):  # parts go once the row has gone
        response = api.delete(url, **TUS)

    assert response.status_code == 204
    assert not ResumableUpload.objects.exists()
    assert stored_parts() == []
    assert head(api, url).status_code == 404


def test_the_file_name_in_the_metadata_is_never_kept(api):
    name = "ZHANG_WEI_liver.dcm"
    response = create(api, 500, HTTP_UPLOAD_METADATA=metadata(filename=name, filetype="x"))

    assert response.status_code == 201
    assert name not in str(list(ResumableUpload.objects.values()))


def test_a_site_administrator_names_the_owning_institution(hospital):
    admin = api_for(factories.SiteAdminFactory())

    response = create(admin, 500, HTTP_UPLOAD_METADATA=metadata(institution=str(hospital.pk)))
    unknown = create(admin, 500, HTTP_UPLOAD_METADATA=metadata(institution="999999"))
    without = create(admin, 500)

    assert response.status_code == 201
    assert ResumableUpload.objects.get().institution == hospital
    assert unknown.status_code == without.status_code == 400


def test_an_instructor_cannot_upload_for_another_institution(api, other_hospital):
    response = create(api, 500, HTTP_UPLOAD_METADATA=metadata(institution=str(other_hospital.pk)))

    assert response.status_code == 403
    assert not ResumableUpload.objects.exists()


def test_unfinished_uploads_per_person_are_capped(api, monkeypatch):
    monkeypatch.setattr("cineloops.resumable.MAX_OPEN_UPLOADS", 2)
    assert create(api, 500).status_code == create(api, 500).status_code == 201

    response = create(api, 500)

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_uploads"


@with_commits
def test_a_zip_sent_in_parts_is_expanded_as_a_form_upload_is(celery_eager, api, tmp_path):
    data = zip_of(
        {
            "study/IM0001": good_cine(tmp_path / "a.dcm").read_bytes(),
            "study/notes.txt": b"ward list",
            "study/IM0002": ybr_cine().read_bytes(),
        }
    )

    url = send(api, data, part=len(data) // 3 + 1)

    result = api.get(url).json()["result"]
    assert [(item["entry"], item["loop"]["status"]) for item in result["accepted"]] == [
        (1, "ready"),
        (3, "needs_review"),
    ]
    assert [(item["entry"], item["code"]) for item in result["rejected"]] == [(2, "not_dicom")]
    assert CineLoop.objects.filter(source=CineLoop.Source.ZIP).count() == 2


@with_commits
def test_the_zip_limits_apply_to_the_whole_file(celery_eager, api, settings, tmp_path):
    settings.CINE_MAX_ZIP_MEMBERS = 2
    cine = good_cine(tmp_path / "a.dcm").read_bytes()
    data = zip_of({f"IM{n}": cine for n in range(3)})

    url = send(api, data, part=len(data) // 2 + 1)

    result = api.get(url).json()["result"]
    assert result["accepted"] == []
    assert [item["code"] for item in result["rejected"]] == ["zip_too_many"]
    assert not CineLoop.objects.exists()
    assert stored_parts() == []


def test_the_schema_documents_the_resumable_upload(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    collection = schema["paths"]["/api/v1/cine-uploads/"]["post"]
    item = schema["paths"]["/api/v1/cine-uploads/{id}/"]
    assert "tus 1.0" in collection["summary"]
    for word in ("HEAD gives Upload-Offset", "PATCH", "Upload-Checksum", "DELETE cancels"):
        assert word in collection["description"]
    assert set(item) >= {"get", "patch", "delete"}
    assert {"204", "409", "410", "413", "460"} <= set(item["patch"]["responses"])
    assert "application/offset+octet-stream" in item["patch"]["requestBody"]["content"]


def test_a_zip_head_in_the_first_part_is_not_refused(api):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("IM0001", dicom_head(bytes(5000)))
    data = buffer.getvalue()
    url = address(create(api, len(data)))

    assert patch(api, url, data[:200], 0).status_code == 204
