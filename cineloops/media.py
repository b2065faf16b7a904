"""Serve a derived file with HTTP Range support (RFC 9110 §14), so video players can seek.

Only single byte ranges are honoured (players ask for one); a multi-range or malformed header
is ignored and the whole file sent, as §14.2 allows. A range starting past the end is answered
416 with ``Content-Range: bytes */size``. ``If-Range`` with a stale validator also gets the
whole file.

Production (``CINE_MEDIA_ACCEL_PREFIX``): Django checks who may see the loop, then hands the
transfer to nginx with ``X-Accel-Redirect``; nginx does ranges itself. Example::

    location /protected-cine/ {
        internal;                      # unreachable from outside: only via X-Accel-Redirect
        alias /srv/ceus/var/cine/;     # = CINE_MEDIA_DIR, with the trailing slash
    }

with ``CINE_MEDIA_ACCEL_PREFIX=/protected-cine/``.

Object store (``CEUS_S3_BUCKET``): the answer is a redirect to an address of the object, signed
for ``CEUS_S3_URL_EXPIRE_SECONDS``, that sets the type and disposition of the object's answer;
the store does ranges itself. The bucket stays private: without the signature, nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.http import http_date

from cineloops.storage import local_path

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions asked for, inclusive; None for "the whole file".

    Raises ``Unsatisfiable`` for a valid range that selects nothing in a file of ``size``.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # other units, several ranges, garbage: ignore it
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid syntax: ignore
    if start >= size:
        raise Unsatisfiable
    return start, min(int(last) if last else size - 1, size - 1)


def _validator(path: Path) -> tuple[str, str]:
    stat = path.stat()
    return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', http_date(stat.st_mtime)


def _stream(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as src:
        src.seek(start)
        while length > 0:
            chunk = src.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


async def _stream_async(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    """``_stream`` for an ASGI server: a synchronous iterator there would be read whole into
    memory before the first byte is sent (Django lists it), a whole video per viewer."""
    src = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(src.seek, start)
        while length > 0:
            chunk = await asyncio.to_thread(src.read, min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(src.close)


def serve_file(
    request: HttpRequest,
    store: Storage,
    name: str,
    *,
    content_type: str,
    download_name: str | None = None,
) -> HttpResponse:
    """Send the stored file ``name`` (which the caller has checked the user may see).

    Raises ``FileNotFoundError`` when a folder storage does not have it (an object store is
    not asked: the signed address answers 404 itself).
    """
    path = local_path(store, name)
    if path is None:
        return _signed_redirect(store, name, content_type=content_type, download_name=download_name)
    if not path.is_file():
        raise FileNotFoundError(name)
    if settings.CINE_MEDIA_ACCEL_PREFIX:
        return _accel(name, content_type=content_type, download_name=download_name)
    size = path.stat().st_size
    etag, last_modified = _validator(path)
    byte_range = None
    if_range = request.headers.get("If-Range")
    if not if_range or if_range in (etag, last_modified):
        try:
            byte_range = parse_range(request.headers.get("Range"), size)
        except Unsatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            response["Accept-Ranges"] = "bytes"
            return response
    start, end = byte_range or (0, size - 1)
    length = end - start + 1 if size else 0
    http_request = getattr(request, "_request", request)  # under a DRF Request, Django's
    stream = _stream_async if isinstance(http_request, ASGIRequest) else _stream
    response = StreamingHttpResponse(
        stream(path, start, length),
        status=206 if byte_range else 200,
        content_type=content_type,
    )
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    _common_headers(response, download_name)
    return response


def _accel(name: str, *, content_type: str, download_name: str | None) -> HttpResponse:
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = settings.CINE_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + quote(name)
    _common_headers(response, download_name)
    return response


def _signed_redirect(
    store: Storage, name: str, *, content_type: str, download_name: str | None
) -> HttpResponse:
    expire = settings.CEUS_S3_URL_EXPIRE_SECONDS
    parameters = {"ResponseContentType": content_type, "ResponseCacheControl": CACHE_CONTROL}
    if download_name:
        parameters["ResponseContentDisposition"] = _disposition(download_name)
    response = HttpResponseRedirect(store.url(name, parameters=parameters, expire=expire))
    # The browser may reuse the redirect while the address is still good for a while.
    response["Cache-Control"] = f"private, max-age={expire // 2}"
    return response


# Per-user content: browsers may cache it, shared caches must not.
CACHE_CONTROL = "private, max-age=3600"


def _disposition(download_name: str) -> str:
    return f'attachment; filename="{download_name}"'


def _common_headers(response: HttpResponse, download_name: str | None) -> None:
    response["Cache-Control"] = CACHE_CONTROL
    if download_name:
        response["Content-Disposition"] = _disposition(download_name)
