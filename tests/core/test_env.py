"""The one helper through which settings read the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from training.env import env_bool, env_int, env_list, env_required, env_str


def test_env_str_default(monkeypatch):
    monkeypatch.delenv("CEUS_TEST_VALUE", raising=False)
    assert env_str("CEUS_TEST_VALUE", "fallback") == "fallback"
    monkeypatch.setenv("CEUS_TEST_VALUE", "set")
    assert env_str("CEUS_TEST_VALUE", "fallback") == "set"


def test_env_required_names_the_variable_and_the_reason(monkeypatch):
    monkeypatch.setenv("CEUS_TEST_VALUE", "   ")
    with pytest.raises(ImproperlyConfigured, match="CEUS_TEST_VALUE must be set: why"):
        env_required("CEUS_TEST_VALUE", "why")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("0", False), ("", False)]
)
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("CEUS_TEST_VALUE", raw)
    assert env_bool("CEUS_TEST_VALUE", default=not expected) is expected


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("CEUS_TEST_VALUE", "ture")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        env_bool("CEUS_TEST_VALUE", default=False)


def test_env_int(monkeypatch):
    monkeypatch.setenv("CEUS_TEST_VALUE", "42")
    assert env_int("CEUS_TEST_VALUE", 1) == 42
    monkeypatch.setenv("CEUS_TEST_VALUE", "")
    assert env_int("CEUS_TEST_VALUE", 1) == 1
    monkeypatch.setenv("CEUS_TEST_VALUE", "4O")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("CEUS_TEST_VALUE", 1)


def test_env_list(monkeypatch):
    monkeypatch.setenv("CEUS_TEST_VALUE", "a.org, b.org,,")
    assert env_list("CEUS_TEST_VALUE", []) == ["a.org", "b.org"]
    monkeypatch.delenv("CEUS_TEST_VALUE")
    assert env_list("CEUS_TEST_VALUE", ["x"]) == ["x"]
