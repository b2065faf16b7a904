"""The rule for tests that need ../shared: skipped where it is absent, failed in CI
(``CEUS_REQUIRE_SAMPLES=1``), where a skip would hide a broken set-up."""

import pytest

from .sample_files import REQUIRE_SAMPLES, real_path, shared_missing

ABSENT = "no-such-sample.dcm"


def test_an_absent_sample_skips_the_test(monkeypatch):
    monkeypatch.delenv(REQUIRE_SAMPLES, raising=False)

    with pytest.raises(pytest.skip.Exception, match=ABSENT):
        real_path(ABSENT)


@pytest.mark.parametrize("value", ["0", ""])
def test_only_the_value_1_requires_the_samples(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_SAMPLES, value)

    with pytest.raises(pytest.skip.Exception):
        shared_missing("the schema is absent")


def test_an_absent_sample_fails_the_test_when_required(monkeypatch):
    monkeypatch.setenv(REQUIRE_SAMPLES, "1")

    with pytest.raises(pytest.fail.Exception, match=f"CEUS_REQUIRE_SAMPLES=1, but {ABSENT}"):
        real_path(ABSENT)
    with pytest.raises(pytest.fail.Exception, match="the schema is absent"):
        shared_missing("the schema is absent")


def test_a_present_sample_is_its_path_in_the_shared_folder():
    path = real_path("US1_UNCR.dcm")

    assert path.is_file() and path.parent.name == "dicom-samples"
