"""The OpenAPI 3.1 description of JSON API v1 (schemas in JSON Schema 2020-12).

Kept by hand next to the views; tests check that it names exactly the routes
of the blueprint, that it is a valid OpenAPI document, and that real answers
match its response schemas.
"""

from __future__ import annotations

from typing import Any

from consult.api.openapi_components import PARAMETERS, RESPONSES, SCHEMAS, Schema
from consult.api.openapi_paths import PATHS

__all__ = [
    "DOCUMENT",
    "PARAMETERS",
    "PATHS",
    "RESPONSES",
    "SCHEMAS",
    "VERSION",
    "Schema",
    "document",
]

VERSION = "1.0.0"

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "consult API",
        "version": VERSION,
        "summary": "Joint consultation days for migrants: find a day, plan and book one visit.",
        "description": "Every error answer is JSON with a `message` in the requested language "
        "(`lang` or Accept-Language); 422 answers add `errors` by field. Booking and "
        "look-ups by booking reference are rate-limited (429). While the database cannot be "
        "reached or is busy, every operation that needs it answers 503 with `Retry-After`.",
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "responses": RESPONSES, "parameters": PARAMETERS},
}


def document() -> dict[str, Any]:
    """The OpenAPI document of API v1."""
    return DOCUMENT
