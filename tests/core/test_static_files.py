"""Static files in production: collected under hashed names, each with a brotli and a gzip copy,
served by WhiteNoise compressed as the browser accepts and cached as immutable (a changed file
is a new name, so a browser never has to ask again)."""

import gzip
import re

import brotli
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.collected_static import PRODUCTION_STATIC
from tests.core.test_settings import PRODUCTION_ENV, run_django

# Under pytest -n, on the worker that collects the static files for test_page_weight too.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("production-static")]

ONE_YEAR = 365 * 24 * 3600


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _static_urls(client) -> list[str]:
    """The scripts and styles a page links, as rendered with the collected manifest."""
    html = client.get(reverse("accounts:login")).content.decode()
    return re.findall(r'(?:src|href)="(/static/[^"]+\.(?:css|js))"', html)


def test_production_collects_with_the_compressed_manifest_storage_and_brotli(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from whitenoise.compress import brotli_installed; "
        "print(settings.STORAGES['staticfiles']['BACKEND'], brotli_installed)"
    )
    result = run_django(["-c", code], PRODUCTION_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [PRODUCTION_STATIC, "True"]


def test_hashed_files_are_served_brotli_or_gzip_and_immutable(client, production_static):
    urls = _static_urls(client)
    assert any(url.endswith(".css") for url in urls) and any(url.endswith(".js") for url in urls)

    for url in urls:
        name = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", url.removeprefix("/static/"))
        assert name != url.removeprefix("/static/"), f"{url} is not a hashed name"
        with open(finders.find(name), "rb") as source:
            original = source.read()
        for accepted, encoding, decode in (
            ("gzip, deflate, br, zstd", "br", brotli.decompress),
            ("gzip, deflate", "gzip", gzip.decompress),
            ("", None, lambda body: body),
        ):
            response = client.get(url, HTTP_ACCEPT_ENCODING=accepted)

            assert response.status_code == 200, url
            assert response.get("Content-Encoding") == encoding, (url, accepted)
            assert decode(_body(response)) == original, url
            cache_control = response["Cache-Control"]
            assert "immutable" in cache_control and "public" in cache_control, url
            max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
            assert max_age >= ONE_YEAR, url
            assert "Accept-Encoding" in response["Vary"], url


def test_an_unhashed_name_is_not_cached_for_long(client, production_static):
    """Only a hashed name may be kept forever: the same name may hold new content tomorrow."""
    response = client.get("/static/js/app.js", HTTP_ACCEPT_ENCODING="br")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) <= 600
