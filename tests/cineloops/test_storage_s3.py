"""Cine files in an S3-compatible object store (``CEUS_S3_BUCKET``): nothing on this host's
disk once a request or a run is over, private objects served by short-lived signed redirects
after the permission check, one run's objects at a time, none left by a deleted loop.

Most tests run against an S3 API inside this process (``s3_mock``); those marked ``s3``
against a real server (``s3_server``: ``.ci/run`` starts moto's), fetching what the
redirects point at. ``test_media`` and ``test_worker_e2e`` run in ``.ci/run`` with the
storages in the object store too, web and worker on separate ``var/`` directories.
"""

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cineloops import recovery, services, storage
from cineloops.models import CineLoop
from tests.cineloops.masks import cine_without_regions
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import fetch, object_store, output_bytes

REPO = Path(__file__).resolve().parents[2]
with_commits = pytest.mark.django_db(transaction=True)  # processing runs on commit
Status = CineLoop.Status


def upload(path: Path, by) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", path.read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=by)
    loop.refresh_from_db()
    return loop


def files_on_disk(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*")]


@with_commits
def test_an_upload_is_processed_through_the_object_store(
    s3_mock, celery_eager, instructor, cine_dirs, tmp_path
):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)

    assert loop.status == Status.READY
    assert object_store()
    run = f"cine/loops/{loop.pk}/{loop.output_run}/"
    assert s3_mock.stored("cine/") == sorted(
        run + getattr(loop, field) for field in CineLoop.FILE_FIELDS.values()
    )
    assert s3_mock.stored("originals/") == []  # de-identified: the original is gone
    # Nothing stayed on this host: the upload, the worker's copy and its outputs were removed.
    assert [p for p in files_on_disk(cine_dirs.uploads, cine_dirs.media) if p.is_file()] == []


@with_commits
def test_media_is_a_redirect_to_a_short_lived_signed_address(
    s3_mock, celery_eager, client, instructor, trainee, settings, tmp_path
):
    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    client.force_login(trainee)  # may not see the loop: no address at all
    assert client.get(f"/cineloops/{loop.pk}/media/video/").status_code == 404
    client.force_login(instructor)

    video = client.get(f"/cineloops/{loop.pk}/media/video/")
    dicom = client.get(f"/cineloops/{loop.pk}/media/dicom/")

    assert video.status_code == 302
    assert video["Cache-Control"] == f"private, max-age={settings.CEUS_S3_URL_EXPIRE_SECONDS // 2}"
    address = urlsplit(video["Location"])
    query = parse_qs(address.query)
    assert address.path.endswith(f"/cine/loops/{loop.pk}/{loop.output_run}/video.mp4")
    assert query["X-Amz-Expires"] == [str(settings.CEUS_S3_URL_EXPIRE_SECONDS)]
    assert query["X-Amz-Signature"]
    assert query["response-content-type"] == ["video/mp4"]
    assert query["response-cache-control"] == ["private, max-age=3600"]
    disposition = parse_qs(urlsplit(dicom["Location"]).query)["response-content-disposition"]
    assert disposition == [f'attachment; filename="loop-{loop.pk}.dcm"']


@with_commits
def test_stored_objects_are_private(s3_mock, celery_eager, instructor, settings, tmp_path):
    settings.CINE_KEEP_ORIGINALS = True
    upload(good_cine(tmp_path / "in.dcm"), instructor)

    keys = s3_mock.stored()
    assert any(key.startswith("originals/") for key in keys)
    for key in keys:
        grants = s3_mock.client.get_object_acl(Bucket=s3_mock.name, Key=key)["Grants"]
        assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"], key  # owner only
        assert grants[0]["Grantee"]["Type"] == "CanonicalUser", key


@with_commits
def test_processing_again_replaces_the_run_and_deleting_the_loop_deletes_its_objects(
    s3_mock, celery_eager, instructor, tmp_path
):
    loop = upload(cine_without_regions(tmp_path / "in.dcm"), instructor)
    assert loop.status == Status.NEEDS_REVIEW  # keeps its original: it may be redone
    first = s3_mock.stored(f"cine/loops/{loop.pk}/")

    services.loop_reprocess(loop=loop, by=instructor)

    loop.refresh_from_db()
    again = s3_mock.stored(f"cine/loops/{loop.pk}/")
    assert loop.status == Status.NEEDS_REVIEW
    assert len(again) == len(first) and not set(again) & set(first)
    assert all(f"/{loop.output_run}/" in key for key in again)

    services.loop_delete(loop=loop, by=instructor)

    assert s3_mock.stored() == []


@pytest.mark.django_db
def test_the_sweep_deletes_originals_in_the_bucket_that_no_loop_claims(s3_mock, hospital, settings):
    settings.CINE_INCOMING_MAX_AGE_MINUTES = 60
    storage.write_original([b"DICM orphan"], limit=100)
    claimed, _ = storage.write_original([b"DICM claimed"], limit=100)
    CineLoop.objects.create(
        institution=hospital, source=CineLoop.Source.UPLOAD, original_name=claimed
    )
    later = timezone.now() + timedelta(minutes=61)

    assert recovery.uploads_delete_abandoned(now=timezone.now()) == 0  # both just stored
    assert recovery.uploads_delete_abandoned(now=later) == 1

    assert s3_mock.stored("originals/") == [f"originals/{claimed}"]


def test_a_large_original_goes_up_in_parts_and_comes_back_streamed(s3_mock, cine_dirs, tmp_path):
    chunk = os.urandom(1 << 20)
    name, size = storage.write_original((chunk for _ in range(20)), limit=1 << 30)

    head = s3_mock.client.head_object(Bucket=s3_mock.name, Key=f"originals/{name}")
    assert size == head["ContentLength"] == 20 << 20
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload (8 MiB parts)
    assert not any(storage.incoming_dir().iterdir())

    with storage.work_folder() as work:
        copy = storage.original_on_disk(name, work)
        assert copy.parent == work
        assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(chunk * 20).digest()
    assert not copy.exists()  # the copy went with the work folder


def test_a_reader_that_needs_a_path_gets_a_copy_removed_afterwards(s3_mock, cine_dirs):
    name = storage.output_name(7, "run", "intensity.npy")
    storage.media().save(name, SimpleUploadedFile("intensity.npy", b"stack"))

    with storage.local_file(storage.media(), name) as path:
        assert path.read_bytes() == b"stack"
        assert storage.work_dir() in path.parents
    assert not any(storage.work_dir().iterdir())
    with pytest.raises(FileNotFoundError), storage.local_file(storage.media(), name + ".gone"):
        pass


@pytest.mark.s3
@with_commits
def test_the_signed_address_serves_ranges_and_the_bare_one_is_refused(
    s3_server, celery_eager, client, instructor, tmp_path
):
    import urllib.error
    import urllib.request

    loop = upload(good_cine(tmp_path / "in.dcm"), instructor)
    client.force_login(instructor)
    data = output_bytes(loop, "video")

    whole = fetch(client, f"/cineloops/{loop.pk}/media/video/")
    part = fetch(client, f"/cineloops/{loop.pk}/media/video/", HTTP_RANGE="bytes=10-109")

    assert (whole.redirected, whole.status, whole.body) == (True, 200, data)
    assert whole.headers["Content-Type"] == "video/mp4"
    assert (part.status, part.body) == (206, data[10:110])
    assert part.headers["Content-Range"] == f"bytes 10-109/{len(data)}"
    signed = client.get(f"/cineloops/{loop.pk}/media/video/")["Location"]
    bare = signed.split("?")[0]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(bare, timeout=30)
    assert refused.value.code == 403


def run_settings(env: dict[str, str], tmp_path: Path, code: str) -> str:
    inherited = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO,
        env=inherited
        | {"DJANGO_SETTINGS_MODULE": "training.settings", "DJANGO_VAR_DIR": str(tmp_path)}
        | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_bucket_setting_moves_both_storages_into_it_and_lets_pages_load_from_it(tmp_path):
    code = (
        "from django.conf import settings as s; from django.core.files.storage import storages;"
        "o, m = storages['cine_originals'], storages['cine_media'];"
        "print(type(o).__name__, o.bucket_name, o.location, o.default_acl, o.querystring_expire);"
        "print(type(m).__name__, m.bucket_name, m.location, m.querystring_auth);"
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']))"
    )
    env = {
        "CEUS_S3_BUCKET": "ceus-media",
        "CEUS_S3_ORIGINALS_BUCKET": "ceus-originals",
        "CEUS_S3_ENDPOINT_URL": "https://objects.hospital.example:9000",
        "CEUS_S3_URL_EXPIRE_SECONDS": "120",
    }

    lines = run_settings(env, tmp_path, code).splitlines()

    assert lines == [
        "S3Storage ceus-originals originals None 120",
        "S3Storage ceus-media cine True",
        "'self' blob: https://objects.hospital.example:9000",
    ]
    folders = "from django.core.files.storage import storages; print(storages['cine_media'])"
    assert "SettingFolderStorage" in run_settings({}, tmp_path, folders)  # the default
