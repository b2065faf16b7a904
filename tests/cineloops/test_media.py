"""Serving derived files: only to those who may see the loop, with byte ranges for seeking."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cineloops import services, storage
from cineloops.media import Unsatisfiable, parse_range
from cineloops.models import CineLoop
from tests.cineloops.samples import good_cine
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


def body(response) -> bytes:
    return b"".join(response.streaming_content)


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
    data = loop.file_path("video").read_bytes()

    response = client.get(url(loop, "video"))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(data))
    assert "private" in response["Cache-Control"]
    assert body(response) == data


@with_loop
def test_a_range_gives_206_with_those_bytes(client, instructor, loop):
    client.force_login(instructor)
    data = loop.file_path("video").read_bytes()

    response = client.get(url(loop, "video"), HTTP_RANGE="bytes=100-1099")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert response["Content-Length"] == "1000"
    assert body(response) == data[100:1100]


@with_loop
def test_an_open_ended_range_runs_to_the_end(client, instructor, loop):
    client.force_login(instructor)
    data = loop.file_path("video").read_bytes()

    response = client.get(url(loop, "video"), HTTP_RANGE="bytes=-100")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(data) - 100}-{len(data) - 1}/{len(data)}"
    assert body(response) == data[-100:]


@with_loop
def test_a_range_past_the_end_is_416(client, instructor, loop):
    client.force_login(instructor)
    size = loop.file_path("video").stat().st_size

    response = client.get(url(loop, "video"), HTTP_RANGE=f"bytes={size}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@with_loop
def test_if_range_with_a_stale_validator_sends_the_whole_file(client, instructor, loop):
    client.force_login(instructor)
    size = loop.file_path("video").stat().st_size

    response = client.get(url(loop, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"')

    assert response.status_code == 200
    assert response["Content-Length"] == str(size)
    fresh = client.get(url(loop, "video"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=response["ETag"])
    assert fresh.status_code == 206


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
        response = client.get(url(loop, kind), HTTP_ACCEPT="image/avif,image/webp")
        assert (response.status_code, response["Content-Type"]) == (200, content_type), kind
    dicom = client.get(url(loop, "dicom"))
    assert dicom["Content-Disposition"] == f'attachment; filename="loop-{loop.pk}.dcm"'


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
    response = api_for(instructor).get(url(loop, "poster"))
    assert response.status_code == 200


@with_loop
def test_the_original_is_never_served(client, instructor, loop, settings, tmp_path):
    settings.CINE_KEEP_ORIGINALS = True
    uploaded = SimpleUploadedFile("upload.dcm", good_cine(tmp_path / "b.dcm").read_bytes())
    kept = services.loop_create_from_upload(uploaded_file=uploaded, by=instructor)
    kept.refresh_from_db()
    assert storage.original_path(kept.original_name).is_file()
    client.force_login(instructor)

    for kind in ("original", "upload", "source", kept.original_name, "..", "derived"):
        assert client.get(f"/cineloops/{kept.pk}/media/{kind}/").status_code == 404, kind
    original = storage.original_path(kept.original_name).read_bytes()
    for kind in CineLoop.FILE_FIELDS:
        assert body(client.get(url(kept, kind))) != original


@with_loop
def test_files_of_unprocessed_loops_are_not_served(client, instructor, loop):
    CineLoop.objects.filter(pk=loop.pk).update(status=CineLoop.Status.PROCESSING)
    client.force_login(instructor)
    assert client.get(url(loop, "video")).status_code == 404


@with_loop
def test_x_accel_redirect_in_production(client, instructor, loop, settings):
    settings.CINE_MEDIA_ACCEL_PREFIX = "/protected-cine/"
    client.force_login(instructor)

    response = client.get(url(loop, "video"))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-cine/loops/{loop.pk}/derived/video.mp4"
    assert response.content == b""
