"""/healthz against the real PostgreSQL and Redis, and against a broker that is down."""

import pytest

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_healthz_reports_both_services_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


@pytest.mark.django_db
def test_healthz_503_when_the_broker_port_is_closed(client, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": True, "broker": False}
