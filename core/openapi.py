"""OpenAPI post-processing: the refusals every operation shares, documented once.

DRF answers the same way on every view: 403 ``{"detail"}`` when not signed in (session
authentication comes first, so no 401) or not allowed, 404 ``{"detail"}`` when an object in the
path is not visible or a page is past the end of a list, 400 for a body it cannot parse or
validate (``{"detail"}`` or field → messages), 415 for a body in a media type the view does not
parse. Views document what is particular to them (409, 410, 413, 429 …) with
``@extend_schema``; this hook adds the shared statuses an operation does not already document.
"""

from __future__ import annotations

from typing import Any

API_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "A refusal: {detail: message}.",
}
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {},
    "description": (
        "Invalid input: {detail: message}, or each field with its messages (nested objects "
        "and lists follow the request's shape; non_field_errors for the whole body)."
    ),
}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def _response(description: str, component: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def shared_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", API_ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            shared: dict[str, dict[str, Any]] = {}
            if {} not in operation.get("security", [{}]):
                shared["403"] = _response("Not signed in, or not allowed.", "ApiError")
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                shared["404"] = _response("Not found, or not visible to the user.", "ApiError")
            if any(p.get("name") == "page" for p in operation.get("parameters", [])):
                shared["404"] = _response("No such page of the list.", "ApiError")
            if "requestBody" in operation:
                shared["400"] = _response("The body is malformed or invalid.", "ValidationError")
                shared["415"] = _response("The body's media type is not accepted.", "ApiError")
            for code, response in shared.items():
                responses.setdefault(code, response)
    return result
