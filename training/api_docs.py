"""The OpenAPI schema's settings (drf-spectacular's ``SPECTACULAR_SETTINGS``): title, the
self-hosted documentation assets, names of the status enums, the shared error responses."""

API_DOCS = {
    "TITLE": "CEUS Training Platform API",
    "DESCRIPTION": (
        "Courses, lessons, enrolments and progress for contrast-enhanced ultrasound training."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Self-hosted Swagger UI assets: hospital networks block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" field with different choices: name each set.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "core.scoping.PublicationStatus",
        "CineLoopStatusEnum": "cineloops.models.LoopStatus",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "TicStatusEnum": "cases.models.TicStatus",
        "AnnotationKindEnum": "cases.models.AnnotationKind",
        "PhaseMarkerKindEnum": "cases.models.PhaseKind",
    },
    # The statuses every operation shares (403, 404, 400, 415), documented once.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.shared_error_responses",
    ],
}
