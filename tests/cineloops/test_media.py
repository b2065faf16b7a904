"""Serving derived files: only to those who may see the loop, with byte ranges for seeking.

Storage-neutral: on the folder default the platform streams the bytes itself; with an object
store (``.ci/run``'s S3 step) it redirects to a signed address, which ``fetch`` follows.
"""

import warnings

import pytest
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops import services, storage
from cineloops.media import Unsatisfiable, parse_range
from cineloops.models import CineLoop
from tests.cineloops.samples import good_cine
from tests.cineloops.stored import fetch, object_store, original_bytes, output_bytes
from tests.factories import api_for

# Files are made by an upload processed on commit: those tests use real commits.
with_loop = pytest.mark.django_db(transaction=True)


@pytest.fixture
def loop(celery_eager, instructor, tmp_path) -> CineLoop:
    uploaded = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "a.dcm").read_bytes())
    loop = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    loop.refresh_from_db()
    assert loop.status == CineLoop.Status.READY
    return loop


def url(loop: CineLoop, kind: str) -> str:
    return f"/cineloops/{loop.pk}/media/{kind}/"


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 100, None),
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=90-", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=-500", 100, (0, 99)),
        ("bytes=50-5000", 100, (50, 99)),
        ("bytes=0-0", 1, (0, 0)),
        ("bytes=9-3", 100, None),  # invalid: ignored
        ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file instead
        ("items=0-1", 100, None),
        ("bytes=-", 100, None),
    ],
)
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100)])
def test_parse_range_unsatisfiable(header, size):
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


@with_loop
def test_whole_file(client, instructor, loop):
    client.force_login(instructor)
    data = output_bytes(loop, "video")

    response = fetch(client, url(loop, "video"))

    assert response.status == 200
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(data))
    assert "private" in response.headers["Cache-Control"]
    assert response.body == data


@with_loop
def test_a_range_gives_206_with_those_bytes(client, instructor, loop):
    client.force_login(instructor)
    data = output_bytes(loop, "video")

    response = fetch(client, url(loop, "video"), HTTP_RANGE="bytes=100-1099")

    assert response.status == 206
    assert response.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert response.headers["Content-Length"] == "1000"
    assert response.body == data[100:1100]


@with_loop
def test_an_open_ended_range_runs_to_the_end(client, instructor, loop):
    client.force_login(instructor)
    data = output_bytes(loop, "video")

    response = fetch(client, url(loop, "video"), HTTP_RANGE="bytes=-100")

    assert response.status == 206
    size = len(data)
    assert response.headers["Content-Range"] == f"bytes {size - 100}-{size - 1}/{size}"
    assert response.body == data[-100:]


@with_loop
def test_a_range_past_the_end_is_416(client, instructor, loop):
    client.force_login(instructor)
    size = len(output_bytes(loop, "video"))

    response = fetch(client, url(loop, "video"), HTTP_RANGE=f"bytes={size}-")

    assert response.status == 416
    if not response.redirected:  # (an object store's 416 need not say the size)
        assert response.headers["Content-Range"] == f"bytes */{size}"


@with_loop
def test_if_range_with_a_stale_validator_sends_the_whole_file(client, instructor, loop):
    if object_store():
        pytest.skip("If-Range is the object store's to honour (moto's server ignores it)")
    client.force_login(instructor)
    size = len(output_bytes(loop, "video"))

    response = fetch(client, url(loop, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')

    assert response.status == 200
    assert response.headers["Content-Length"] == str(size)
    etag = response.headers["ETag"]
    fresh = fetch(client, url(loop, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert fresh.status == 206


@with_loop
def test_each_kind_has_its_type(client, instructor, loop):
    client.force_login(instructor)
    expected = {
        "poster": "image/jpeg",
        "thumbnails": "image/jpeg",
        "dicom": "application/dicom",
        "metadata": "application/json",
        "intensity": "application/octet-stream",
    }
    for kind, content_type in expected.items():
        response = fetch(client, url(loop, kind), HTTP_ACCEPT="image/avif,image/webp")
        assert (response.status, response.headers["Content-Type"]) == (200, content_type), kind
        assert response.body == output_bytes(loop, kind), kind
    dicom = fetch(client, url(loop, "dicom"))
    assert dicom.headers["Content-Disposition"] == f'attachment; filename="loop-{loop.pk}.dcm"'


@with_loop
def test_others_get_404(client, loop, trainee, other_instructor):
    for user in (trainee, other_instructor):
        client.force_login(user)
        for kind in ("video", "poster", "dicom"):
            assert client.get(url(loop, kind)).status_code == 404, (user, kind)


@with_loop
def test_anonymous_gets_nothing(client, loop):
    assert client.get(url(loop, "video")).status_code in (401, 403)


@with_loop
def test_an_api_token_works_for_files(loop, instructor):
    response = fetch(api_for(instructor), url(loop, "poster"))
    assert response.status == 200
    assert response.body == output_bytes(loop, "poster")


@with_loop
def test_the_original_is_never_served(client, instructor, loop, settings, tmp_path):
    settings.CINE_KEEP_ORIGINALS = True
    uploaded = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "b.dcm").read_bytes())
    kept = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    kept.refresh_from_db()
    assert storage.original_exists(kept.original_name)
    client.force_login(instructor)

    for kind in ("original", "upload", "source", kept.original_name, "..", "derived"):
        assert client.get(f"/cineloops/{kept.pk}/media/{kind}/").status_code == 404, kind
    original = original_bytes(kept.original_name)
    for kind in CineLoop.FILE_FIELDS:
        assert fetch(client, url(kept, kind)).body != original


@with_loop
def test_files_of_unprocessed_loops_are_not_served(client, instructor, loop):
    CineLoop.objects.filter(pk=loop.pk).update(status=CineLoop.Status.PROCESSING)
    client.force_login(instructor)
    assert client.get(url(loop, "video")).status_code == 404


@with_loop
def test_a_file_missing_from_its_folder_is_404(client, instructor, loop):
    if object_store():
        pytest.skip("an object store is not asked before the redirect: its address says 404")
    storage.media().delete(loop.output_name("video"))
    client.force_login(instructor)
    assert client.get(url(loop, "video")).status_code == 404


@with_loop
def test_x_accel_redirect_in_production(client, instructor, loop, settings):
    if object_store():
        pytest.skip("X-Accel-Redirect hands nginx a file of a folder storage")
    settings.CINE_MEDIA_ACCEL_PREFIX = "/protected-cine/"
    client.force_login(instructor)

    response = client.get(url(loop, "video"))

    assert response.status_code == 200
    expected = f"/protected-cine/loops/{loop.pk}/{loop.output_run}/video.mp4"
    assert response["X-Accel-Redirect"] == expected
    assert response.content == b""


@with_loop
def test_an_asgi_server_streams_the_file_as_it_is_read(async_client, instructor, loop):
    """Under ASGI (what `serve` runs) the body is an asynchronous iterator: a synchronous one
    would be read whole into memory before its first byte is sent."""
    if object_store():
        pytest.skip("an object store answers with a signed address: the store sends the bytes")
    data = output_bytes(loop, "video")

    async def get() -> tuple[int, bool, bytes]:
        await async_client.aforce_login(instructor)
        response = await async_client.get(url(loop, "video"), headers={"Range": "bytes=100-"})
        body = b"".join([part async for part in response.streaming_content])
        return response.status_code, response.is_async, body

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*must consume synchronous iterators")
        status, is_async, body = async_to_sync(get)()
    assert (status, is_async, body) == (206, True, data[100:])
