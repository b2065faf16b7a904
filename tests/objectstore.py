"""Pytest plugin for the object-store tests: the cine storages in a bucket of their own.

* ``s3_mock``: an S3 API inside this process (moto's ``mock_aws``), for every run of the suite.
* ``s3_server`` (tests marked ``s3``): a real S3 API server at ``CEUS_S3_ENDPOINT_URL`` —
  ``.ci/run`` starts ``moto_server``; by hand: ``moto_server -H 127.0.0.1 -p 9100`` and
  ``CEUS_S3_ENDPOINT_URL=http://127.0.0.1:9100``. Without it the ``s3`` tests are skipped
  with the reason, unless ``CEUS_REQUIRE_S3=1`` (CI), which makes that a failure.

Both yield an ``S3Bucket`` and point ``STORAGES`` at it for the test (``training.storages``,
the configuration ``CEUS_S3_BUCKET`` gives), then empty and delete the bucket.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from training.storages import cine_storages

ENDPOINT_ENV = "CEUS_S3_ENDPOINT_URL"
REGION = "us-east-1"
SKIP_REASON = (
    f"object-store test: needs an S3 API server at {ENDPOINT_ENV} "
    "(bash .ci/run starts moto_server; or moto_server -H 127.0.0.1 -p 9100)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(ENDPOINT_ENV):
        return
    wanted = [item for item in items if item.get_closest_marker("s3")]
    if wanted and os.environ.get("CEUS_REQUIRE_S3") == "1":
        # CI must not pass by skipping the very tests it starts the S3 server for.
        raise pytest.UsageError(f"CEUS_REQUIRE_S3=1, but {SKIP_REASON}")
    for item in wanted:
        item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@dataclass
class S3Bucket:
    name: str
    client: Any  # boto3's S3 client

    def stored(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", ()))


def _bucket(settings, endpoint_url: str | None) -> Iterator[S3Bucket]:
    client = boto3.client("s3", endpoint_url=endpoint_url, region_name=REGION)
    bucket = S3Bucket(f"ceus-test-{uuid.uuid4().hex[:12]}", client)
    client.create_bucket(Bucket=bucket.name)
    settings.STORAGES = settings.STORAGES | cine_storages(
        bucket=bucket.name,
        endpoint_url=endpoint_url,
        region=REGION,
        expire=settings.CEUS_S3_URL_EXPIRE_SECONDS,
    )
    try:
        yield bucket
    finally:
        for key in bucket.stored():
            client.delete_object(Bucket=bucket.name, Key=key)
        client.delete_bucket(Bucket=bucket.name)


@pytest.fixture
def s3_credentials(monkeypatch) -> None:
    """Any key pair does for moto; never a developer's real one."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ceus-tests")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "ceus-tests")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def s3_mock(settings, s3_credentials) -> Iterator[S3Bucket]:
    from moto import mock_aws

    with mock_aws():
        yield from _bucket(settings, endpoint_url=None)


@pytest.fixture
def s3_server(settings, s3_credentials) -> Iterator[S3Bucket]:
    endpoint = os.environ.get(ENDPOINT_ENV)
    if not endpoint:
        pytest.skip(SKIP_REASON)
    yield from _bucket(settings, endpoint_url=endpoint)
