"""REST API: upload (202, per-file errors, ZIPs, 413), polling, listing, rights (404/403)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from cineloops.models import CineLoop
from tests.cineloops.samples import good_cine, not_dicom, truncated, ybr_cine, zip_of
from tests.factories import api_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/cineloops/"
Status = CineLoop.Status


def dicom_upload(path, name="upload.dcm") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/dicom")


@pytest.mark.django_db(transaction=True)
def test_upload_returns_202_and_the_loop_becomes_ready(celery_eager, api, tmp_path):
    response = api.post(URL, {"file": dicom_upload(good_cine(tmp_path / "a.dcm"))})

    assert response.status_code == 202
    body = response.json()
    assert body["rejected"] == []
    [accepted] = body["accepted"]
    assert (accepted["file"], accepted["entry"]) == (0, None)
    loop_id = accepted["loop"]["id"]

    detail = api.get(f"{URL}{loop_id}/").json()
    assert detail["status"] == "ready"
    assert detail["progress"] == 100
    assert detail["error"] == ""
    assert (detail["frames"], detail["rows"], detail["columns"]) == (6, 48, 64)
    assert detail["duration_s"] == pytest.approx(0.24)
    files = detail["files"]
    for kind in ("video", "poster", "thumbnails"):
        assert files[kind] == f"http://testserver/cineloops/{loop_id}/media/{kind}/"
        assert api.get(files[kind]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_several_files_one_bad_the_rest_unaffected(celery_eager, api, tmp_path):
    files = [
        dicom_upload(good_cine(tmp_path / "a.dcm")),
        dicom_upload(not_dicom(tmp_path / "b.dcm")),
        dicom_upload(ybr_cine()),
    ]

    body = api.post(URL, {"file": files}).json()

    statuses = {item["file"]: item["loop"]["status"] for item in body["accepted"]}
    assert statuses == {0: "ready", 2: "needs_review"}
    [refused] = body["rejected"]  # not DICOM: refused at upload, never stored
    assert (refused["file"], refused["entry"], refused["code"]) == (1, None, "not_dicom")
    assert "not a DICOM file" in refused["error"]
    assert CineLoop.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_zip_with_good_and_bad_files(celery_eager, api, tmp_path, settings):
    settings.CINE_MAX_UPLOAD_BYTES = 200_000
    archive = zip_of(
        {
            "study/IM0001": good_cine(tmp_path / "a.dcm").read_bytes(),
            "study/IM0002": not_dicom(tmp_path / "b.dcm").read_bytes(),
            "study/IM0003": truncated(tmp_path / "c.dcm").read_bytes(),
            "study/IM0004": ybr_cine().read_bytes(),  # 225 kB: over the lowered limit
            "DICOMDIR": b"directory of patient names",
            "__MACOSX/study/._IM0001": b"resource fork",
        }
    )

    response = api.post(URL, {"file": SimpleUploadedFile("upload.zip", archive)})

    assert response.status_code == 202
    body = response.json()
    by_entry = {item["entry"]: item["loop"] for item in body["accepted"]}
    assert by_entry[1]["status"] == "ready"
    assert (by_entry[3]["status"], by_entry[3]["error_code"]) == ("failed", "truncated_file")
    refused = {item["entry"]: item for item in body["rejected"]}
    assert (refused[2]["file"], refused[2]["code"]) == (0, "not_dicom")
    assert (refused[4]["file"], refused[4]["code"]) == (0, "zip_entry_too_large")
    assert "upload limit of 195.3" in refused[4]["error"]
    assert CineLoop.objects.count() == 2  # DICOMDIR and macOS metadata skipped


def test_a_file_over_the_limit_stops_the_request_with_413(api, tmp_path, settings, cine_dirs):
    settings.CINE_MAX_UPLOAD_BYTES = 10_000

    response = api.post(URL, {"file": dicom_upload(ybr_cine())})

    assert response.status_code == 413
    assert "upload limit of 9.8" in response.json()["detail"]
    assert CineLoop.objects.count() == 0
    assert not any(p.is_file() for p in cine_dirs.uploads.rglob("*"))  # nothing left behind


def test_a_damaged_zip_is_refused_with_its_reason(api):
    response = api.post(URL, {"file": SimpleUploadedFile("x.zip", b"PK\x03\x04" + b"\0" * 200)})

    assert response.status_code == 400
    [refused] = response.json()["rejected"]
    assert "damaged" in refused["error"]


def test_no_file_is_a_400(api):
    response = api.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_trainees_cannot_upload(trainee, tmp_path):
    response = api_for(trainee).post(URL, {"file": dicom_upload(good_cine(tmp_path / "a.dcm"))})
    assert response.status_code == 403
    assert CineLoop.objects.count() == 0


def test_anonymous_is_refused():
    assert APIClient().get(URL).status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_others_get_404_on_the_loop(celery_eager, api, tmp_path, trainee, other_instructor):
    body = api.post(URL, {"file": dicom_upload(good_cine(tmp_path / "a.dcm"))}).json()
    loop_id = body["accepted"][0]["loop"]["id"]

    for user in (trainee, other_instructor):
        client = api_for(user)
        assert client.get(f"{URL}{loop_id}/").status_code == 404
        assert client.get(URL).json()["results"] == []


@pytest.mark.django_db(transaction=True)
def test_site_admins_see_every_loop_and_upload_for_an_institution(
    celery_eager, site_admin, hospital, other_hospital, tmp_path
):
    client = api_for(site_admin)
    upload = dicom_upload(good_cine(tmp_path / "a.dcm"))

    refused = client.post(URL, {"file": upload})
    assert refused.status_code == 400  # a site admin has no institution of their own
    upload.seek(0)
    body = client.post(URL, {"file": upload, "institution": other_hospital.pk}).json()

    loop = CineLoop.objects.get(pk=body["accepted"][0]["loop"]["id"])
    assert loop.institution == other_hospital
    assert [item["id"] for item in client.get(URL).json()["results"]] == [loop.pk]


def test_instructors_cannot_upload_for_another_institution(api, other_hospital, tmp_path):
    upload = dicom_upload(good_cine(tmp_path / "a.dcm"))
    response = api.post(URL, {"file": upload, "institution": other_hospital.pk})
    assert response.status_code == 403


def test_list_filters_by_ids_for_polling(api, instructor, tmp_path):
    from cineloops.services import loop_create_from_path

    loops = [
        loop_create_from_path(path=good_cine(tmp_path / f"{n}.dcm"), by=instructor)
        for n in range(3)
    ]

    response = api.get(URL, {"ids": f"{loops[0].pk},{loops[2].pk},x"})

    assert sorted(item["id"] for item in response.json()["results"]) == sorted(
        [loops[0].pk, loops[2].pk]
    )
    first = response.json()["results"][0]
    assert first["status"] in ("queued", "uploaded")
    assert first["files"] is None


def test_the_schema_is_valid_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
