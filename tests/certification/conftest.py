"""Fixtures for the certification tests: a fixed clock and a published programme of
``hospital`` whose current version has no requirement yet (tests add theirs)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.certification.factories import ProgrammeFactory, VersionFactory


@pytest.fixture(autouse=True)
def _private_cine_dirs(cine_dirs):
    return cine_dirs


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def programme(hospital):
    return ProgrammeFactory(institution=hospital, title="CEUS Liver — Level 1")


@pytest.fixture
def version(programme, now):
    """Version 1, in force since 30 days before ``now``; evidence counts from the start."""
    return VersionFactory(programme=programme, number=1, published_at=now - timedelta(days=30))
