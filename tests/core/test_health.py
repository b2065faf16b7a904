"""GET /healthz: 200 when the database and the broker answer, 503 with what failed."""

import pytest

from core import health


@pytest.mark.django_db
def test_healthz_ok_when_the_database_and_the_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_503_when_the_broker_check_fails(client, monkeypatch):
    monkeypatch.setattr(health, "broker_reachable", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "unavailable", "database": True, "broker": False}


@pytest.mark.django_db
def test_healthz_503_when_the_database_check_fails(client, monkeypatch):
    monkeypatch.setattr(health, "database_reachable", lambda: False)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] is False


def test_broker_check_fails_on_a_closed_port(broker_down):
    # A real connection attempt, refused on loopback: no mock of kombu.
    assert health.broker_reachable(timeout=1) is False


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
