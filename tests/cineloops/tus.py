"""A minimal tus 1.0 client over Django's test client, for the resumable upload tests."""

from __future__ import annotations

import base64
import hashlib

URL = "/api/v1/cine-uploads/"
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OFFSET_TYPE = "application/offset+octet-stream"


def checksum(data: bytes, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"


def metadata(**pairs: str) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items()
    )


def create(api, length: int, **headers):
    return api.post(URL, HTTP_UPLOAD_LENGTH=str(length), **TUS, **headers)


def address(response) -> str:
    """The upload's address from a creation's Location, as a path for the test client."""
    return response["Location"].removeprefix("http://testserver")


def head(api, url: str):
    return api.head(url, **TUS)


def patch(
    api, url: str, data: bytes, offset: int, *, with_checksum: str | None = "sha256", **headers
):
    if with_checksum:
        headers.setdefault("HTTP_UPLOAD_CHECKSUM", checksum(data, with_checksum))
    return api.generic(
        "PATCH",
        url,
        data,
        content_type=OFFSET_TYPE,
        HTTP_UPLOAD_OFFSET=str(offset),
        **TUS,
        **headers,
    )


def send(api, data: bytes, *, part: int, **create_headers) -> str:
    """Create an upload of ``data`` and send it in parts of ``part`` bytes; its address."""
    created = create(api, len(data), **create_headers)
    assert created.status_code == 201, created.content
    url = address(created)
    for start in range(0, len(data), part):
        response = patch(api, url, data[start : start + part], start)
        assert response.status_code == 204, response.content
        assert int(response["Upload-Offset"]) == min(start + part, len(data))
    return url
