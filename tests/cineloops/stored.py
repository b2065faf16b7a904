"""What the cine storages hold, read in tests whichever they are (folders or an object store),
and media fetched the way a browser does (following the redirect to an object store)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cineloops import storage
from cineloops.models import CineLoop


def object_store() -> bool:
    """True when the cine storages are an object store (``CEUS_S3_BUCKET``), not folders."""
    return storage.local_path(storage.media(), "probe") is None


def original_file(name: str) -> Path:
    """A stored original's path (folder storage only: permissions, modification times)."""
    return Path(storage.originals().path(name))


def output_file(loop: CineLoop, kind: str) -> Path:
    """A derived file's path (folder storage only: readers that need a path)."""
    return Path(storage.media().path(loop.output_name(kind)))


def original_bytes(name: str) -> bytes:
    with storage.originals().open(name, "rb") as src:
        return src.read()


def output_bytes(loop: CineLoop, kind: str) -> bytes:
    with storage.media().open(loop.output_name(kind), "rb") as src:
        return src.read()


def outputs_of(pk: int) -> list[str]:
    """Every stored output file of loop ``pk`` (``loops/<pk>/<run>/<file>``), in order."""
    return storage.list_files(storage.media(), storage.loop_prefix(pk))


@dataclass
class Fetched:
    status: int
    headers: Mapping[str, str]
    body: bytes
    redirected: bool  # answered by the object store, after the platform's redirect


# No proxy from the environment: the object store of the tests is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(client, url: str, **extra: str) -> Fetched:
    """GET ``url`` with a Django test client; a redirect to an object store is followed with
    the same request headers (``HTTP_RANGE=…`` etc.), as a browser or video player does."""
    response = client.get(url, **extra)
    if response.status_code != 302:
        streaming = getattr(response, "streaming", False)
        body = b"".join(response.streaming_content) if streaming else response.content
        return Fetched(response.status_code, response.headers, body, redirected=False)
    assert response["Cache-Control"].startswith("private"), response["Cache-Control"]
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in extra.items()
        if key.startswith("HTTP_")
    }
    request = urllib.request.Request(response["Location"], headers=headers)
    try:
        with _OPENER.open(request, timeout=30) as answer:
            return Fetched(answer.status, answer.headers, answer.read(), redirected=True)
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read(), redirected=True)
