"""Static files as production serves them: collected, hashed and compressed, then served by
WhiteNoise (a pytest plugin, listed in tests/conftest.py).

The suite otherwise runs on the development storage (files served as they are from static/).
``collected_static`` runs ``collectstatic`` once per session with the production storage into a
temporary STATIC_ROOT; ``production_static`` points the settings at it for one test, so that
``{% static %}`` gives hashed names and WhiteNoise serves the .br/.gz files written beside them.
Only our own static/ is collected: the admin's and the API docs' files (megabytes of JavaScript,
minutes of brotli) are on none of the pages measured.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STATIC = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _storages(settings) -> dict:
    return settings.STORAGES | {"staticfiles": {"BACKEND": PRODUCTION_STATIC}}


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=_storages(settings),
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(settings, collected_static) -> Iterator[Path]:
    """This test's settings serve the collected files (WhiteNoise reads STATIC_ROOT when its
    middleware is built: at a client's first request, or when a server thread starts)."""
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = _storages(settings)
    yield collected_static
