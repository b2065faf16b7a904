"""The OpenAPI schema says what each payload holds, key for key: every GET operation of the
schema is called, as every role, on rows of every kind, and each JSON object of each answer
has exactly the properties its schema documents (recursively: nested objects, lists of
objects, paginated lists). A key the schema does not name, or a documented property missing
from the payload (unless the schema marks it optional), fails.

Objects documented as free-form (``additionalProperties``: language fallbacks, option
feedback, curve parameters …) hold data, not fields: their keys are not compared.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.cineloops.tus import address, create
from tests.core.test_api_fuzz import ROLES, world  # noqa: F401

# Query parameters an operation needs to answer 200 (everything else is called bare).
QUERIES = {"/api/v1/cineloops/{id}/tic/": {"roi": "ellipse:100,100,10,10"}}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema itself: ``$ref`` followed, a one-element ``allOf`` (how drf-spectacular
    writes a nullable or described reference) merged."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif len(schema.get("allOf", ())) == 1:
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            schema = {**_resolve(schema["allOf"][0], components), **rest}
        else:
            return schema


def mismatches(schema: dict, value: Any, components: dict, where: str) -> list[str]:
    """How ``value`` differs from ``schema`` in its keys, at every depth."""
    schema = _resolve(schema, components)
    if value is None:
        return []
    if isinstance(value, list) and "items" in schema:
        found: list[str] = []
        for index, item in enumerate(value):
            found += mismatches(schema["items"], item, components, f"{where}[{index}]")
        return found
    if not isinstance(value, dict) or "properties" not in schema:
        return []
    documented = set(schema["properties"])
    required = set(schema.get("required", ()))
    found = [f"{where}: not documented: {sorted(set(value) - documented)}"] * bool(
        set(value) - documented
    )
    missing = required - set(value)
    if missing:
        found.append(f"{where}: documented but missing: {sorted(missing)}")
    for key in set(value) & documented:
        found += mismatches(schema["properties"][key], value[key], components, f"{where}.{key}")
    return found


def _url(path: str, ids: dict[str, object]) -> str | None:
    """``path`` with its placeholders filled from the row of the longest matching prefix: one
    value for ``{id}``/``{code}``, or a mapping of placeholder to value."""
    for prefix in sorted(ids, key=len, reverse=True):
        if path.startswith(prefix):
            value = ids[prefix]
            values = value if isinstance(value, dict) else {"id": value, "code": value}
            for name, filled in values.items():
                path = path.replace("{" + name + "}", str(filled))
            break
    return None if "{" in path else path


def _json_response_schema(operation: dict) -> dict | None:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    return content.get("application/json", {}).get("schema")


def _submitted_attempt(ids: dict[str, object], tokens: dict[str, str]) -> int:
    """The trainee's attempt, answered and submitted: its payload then holds the answer, the
    feedback and the result (objects that are null before)."""
    trainee = Client(HTTP_AUTHORIZATION=f"Token {tokens['trainee']}")
    attempt = trainee.post(f"/api/v1/quizzes/{ids['/api/v1/quizzes/']}/attempts/").json()
    question = attempt["questions"][0]
    saved = trainee.put(
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}/",
        {"response": {"option": question["options"][0]["id"]}},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    assert trainee.post(f"/api/v1/attempts/{attempt['id']}/submit/").status_code == 200
    return attempt["id"]


def _annotate(ids: dict[str, object], tokens: dict[str, str]) -> None:
    """An ROI, an arrow and a phase marker on the case (the annotations' payloads)."""
    instructor = Client(HTTP_AUTHORIZATION=f"Token {tokens['instructor']}")
    loop = ids["/api/v1/cineloops/"]
    shapes = [
        {"loop": loop, "kind": "ellipse", "roi_role": "lesion", "label": "Lesion",
         "geometry": {"cx": 100, "cy": 100, "rx": 10, "ry": 10}},
        {"loop": loop, "kind": "arrow", "label": "APHE",
         "geometry": {"x1": 10, "y1": 10, "x2": 50, "y2": 50}},
    ]  # fmt: skip
    saved = instructor.put(
        f"/api/v1/cases/{ids['/api/v1/cases/']}/annotations/",
        {"annotations": shapes, "phase_markers": [{"loop": loop, "kind": "peak", "time_s": 2}]},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content


def _partial_upload(tokens: dict[str, str]) -> str:
    """A resumable upload the instructor started (tus creation, no part sent yet)."""
    instructor = Client(HTTP_AUTHORIZATION=f"Token {tokens['instructor']}")
    created = create(instructor, 1000)
    assert created.status_code == 201, created.content
    return address(created).rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.django_db
def test_every_get_payload_has_exactly_the_documented_keys(world):  # noqa: F811
    ids, tokens = world
    ids = {
        **ids,
        "/api/v1/attempts/": _submitted_attempt(ids, tokens),
        "/api/v1/cine-uploads/": _partial_upload(tokens),
        "/api/v1/offline/bundles/": {"kind": "case", "id": ids["/api/v1/cases/"]},
    }
    _annotate(ids, tokens)
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    components = schema["components"]["schemas"]

    operations = {
        path: _json_response_schema(item["get"])
        for path, item in schema["paths"].items()
        if "get" in item and _json_response_schema(item["get"])
    }
    answered: set[str] = set()
    found: list[str] = []
    for role in ROLES:
        client = Client(HTTP_AUTHORIZATION=f"Token {tokens[role]}", HTTP_ACCEPT_LANGUAGE="en")
        for path, response_schema in sorted(operations.items()):
            url = _url(path, ids)
            assert url is not None, f"no row to call {path} with: add one to the world"
            response = client.get(url, QUERIES.get(path, {}))
            if response.status_code != 200:
                continue
            answered.add(path)
            found += mismatches(response_schema, response.json(), components, f"{role} {path}")

    assert not found, "\n".join(sorted(set(found)))
    # Every operation answered at least one role, so every schema was compared.
    assert answered == set(operations), sorted(set(operations) - answered)
