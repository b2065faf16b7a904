"""The OpenAPI schema and the Swagger UI, which hospital networks must load without a CDN."""

import re

import pytest

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


@pytest.mark.django_db
def test_schema_is_an_openapi_3_document(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "CEUS Training Platform API"
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.django_db
def test_swagger_ui_loads_only_local_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert all(a.startswith("/static/") or a.startswith("/api/") for a in assets), assets
    assert not EXTERNAL_URL.search(html), EXTERNAL_URL.search(html)


@pytest.mark.django_db
def test_the_schema_documents_the_language_fallbacks(client):
    schemas = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemas = schemas["components"]["schemas"]
    for name in ("CaseDetail", "AttemptQuiz", "PaperQuestion", "PaperOption"):
        assert "other language" in schemas[name]["properties"]["fallback"]["description"], name
