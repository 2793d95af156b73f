"""The OpenAPI 3.1 description of JSON API v1 (schemas in JSON Schema 2020-12).

Kept by hand next to the views; tests check that it names exactly the routes
of the blueprint, that it is a valid OpenAPI document, and that real answers
match its response schemas.
"""

from __future__ import annotations

from typing import Any

from consult.api.schemas import (
    DEFAULT_PLANS,
    MAX_ID,
    MAX_PLAN_TOKEN,
    MAX_PLANS,
    MAX_TOPIC_ITEMS,
    MAX_TOWN,
    MIN_PLANS,
    PHONE_PATTERN,
)
from consult.config import LANGUAGES
from consult.visits import MAX_EMAIL, MAX_IDEMPOTENCY_KEY, MAX_NAME, MAX_PHONE

VERSION = "1.0.0"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Schema], description: str = "") -> Schema:
    schema: Schema = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


_ID: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_INSTANT: Schema = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 wall-clock time at the location, with its UTC offset.",
    "examples": ["2026-12-01T09:00:00+01:00"],
}
_LANGUAGE: Schema = {"type": "string", "enum": list(LANGUAGES)}
_REFERENCE: Schema = {
    "type": "string",
    "pattern": "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$",
    "examples": ["7KQ2-MX4D-9TPA"],
}
_APPOINTMENT_STATES = ["booked", "checked_in", "in_consultation", "done", "cancelled", "no_show"]

SCHEMAS: dict[str, Schema] = {
    "Error": _object(
        {"message": {"type": "string", "description": "Translated, for the person to read."}},
        "Every error answer.",
    ),
    "ValidationError": _object(
        {
            "message": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "Field name → translated messages about that field.",
                "additionalProperties": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                },
            },
        },
        "A 422 answer: what is wrong with which field.",
    ),
    "Topic": _object(
        {
            "id": _ID,
            "slug": {"type": "string"},
            "icon": {"type": "string"},
            "phase": {
                "type": "integer",
                "minimum": 1,
                "maximum": 5,
                "description": "Step of the integration process chain (1 access … 5 work).",
            },
            "default_minutes": {"type": "integer", "minimum": 5, "maximum": 240},
            "name": {"type": "string"},
            "explanation": {"type": "string"},
        },
        "Something a person needs help with, in the requested language.",
    ),
    "AgencyRef": _object({"id": _ID, "name": {"type": "string"}, "short_name": {"type": "string"}}),
    "Location": _object(
        {
            "id": _ID,
            "name": {"type": "string"},
            "street": {"type": "string"},
            "postcode": {"type": "string"},
            "town": {"type": "string"},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            "timezone": {"type": "string", "examples": ["Europe/Berlin"]},
        }
    ),
    "Day": _object(
        {
            "id": _ID,
            "date": {"type": "string", "format": "date"},
            "kind": {"type": "string", "enum": ["joint", "mobile"]},
            "title": {"type": "string"},
            "location": _ref("Location"),
            "agencies": {"type": "array", "items": _ref("AgencyRef")},
        },
        "A published consultation day: a joint day or a mobile advice stop.",
    ),
    "Assignment": _object(
        {
            "agency": _ref("AgencyRef"),
            "topics": {"type": "array", "items": _ID, "minItems": 1},
            "minutes": {"type": "integer", "minimum": 1},
            "language_ok": {"type": "boolean"},
        },
        "One agency the person will see, for which topics and how long.",
    ),
    "PlanAppointment": _object(
        {
            "agency_id": _ID,
            "agency_name": {"type": "string"},
            "session_id": _ID,
            "slot_ids": {"type": "array", "items": _ID, "minItems": 1},
            "starts_at": _INSTANT,
            "ends_at": _INSTANT,
            "room": {"type": "string"},
            "language_ok": {"type": "boolean"},
        }
    ),
    "Plan": _object(
        {
            "token": {
                "type": "string",
                "maxLength": MAX_PLAN_TOKEN,
                "description": "Send back as `plan` to book this plan.",
            },
            "starts_at": _INSTANT,
            "ends_at": _INSTANT,
            "minutes_on_site": {"type": "integer", "minimum": 0},
            "language_issues": {"type": "integer", "minimum": 0},
            "appointments": {"type": "array", "items": _ref("PlanAppointment"), "minItems": 1},
        },
        "One visit: an appointment with each needed agency, back to back.",
    ),
    "DayPlans": _object(
        {
            "day_id": _ID,
            "assignments": {"type": "array", "items": _ref("Assignment")},
            "unserved_topics": {"type": "array", "items": _ID},
            "plans": {
                "type": "array",
                "items": _ref("Plan"),
                "description": "Best first: fewest language issues, then least time on site, "
                "then earliest start.",
            },
            "complete": {
                "type": "boolean",
                "description": "False when planning stopped at its time budget: the plans "
                "given are the best found so far, and better ones may exist.",
            },
        }
    ),
    "VisitAppointment": _object(
        {
            "id": _ID,
            "agency_id": _ID,
            "agency_name": {"type": "string"},
            "starts_at": _INSTANT,
            "ends_at": _INSTANT,
            "room": {"type": "string"},
            "status": {"type": "string", "enum": _APPOINTMENT_STATES},
        }
    ),
    "Visit": _object(
        {
            "reference": _REFERENCE,
            "status": {"type": "string", "enum": ["booked", "cancelled"]},
            "day": _ref("Day"),
            "language": _LANGUAGE,
            "interpreter": {"type": "boolean"},
            "consent": {
                "type": "boolean",
                "description": "The advisors of this visit may talk to each other about the case.",
            },
            "topics": {"type": "array", "items": _ID},
            "appointments": {
                "type": "array",
                "items": _ref("VisitAppointment"),
                "description": "Every appointment, cancelled ones included, in time order.",
            },
        }
    ),
    "BookingRequest": {
        "type": "object",
        "required": ["day_id", "plan", "topics", "name"],
        "additionalProperties": False,
        "properties": {
            "day_id": _ID,
            "plan": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_PLAN_TOKEN,
                "description": "The `token` of a plan from `/days/{day_id}/plans`.",
            },
            "topics": {
                "type": "array",
                "items": _ID,
                "minItems": 1,
                "maxItems": MAX_TOPIC_ITEMS,
                "description": "The topic ids the plans were asked for (at most 6 distinct).",
            },
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_NAME,
                "description": "A first name or a nickname is enough.",
            },
            "phone": {
                "type": ["string", "null"],
                "maxLength": MAX_PHONE,
                "pattern": PHONE_PATTERN.pattern,
            },
            "email": {"type": ["string", "null"], "format": "email", "maxLength": MAX_EMAIL},
            "language": {
                **_LANGUAGE,
                "description": "The person's language; default: the request's language.",
            },
            "interpreter": {"type": "boolean", "default": False},
            "consent": {
                "type": "boolean",
                "default": False,
                "description": "Yes to: May the advisors of this visit talk to each other "
                "about your case?",
            },
        },
    },
    "BookingCreated": _object(
        {
            "reference": _REFERENCE,
            "visit": _ref("Visit"),
            "links": _object(
                {
                    "self": {"type": "string"},
                    "ics": {"type": "string"},
                    "page": {"type": "string"},
                }
            ),
        }
    ),
    "BookingConflict": _object(
        {
            "message": {"type": "string"},
            "next_plan": {
                "anyOf": [_ref("Plan"), {"type": "null"}],
                "description": "The best plan still free for the same topics and language.",
            },
        },
        "A seat of the plan was taken meanwhile; nothing was booked.",
    ),
}


def _error_response(description: str, schema: str = "Error") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


RESPONSES: dict[str, Schema] = {
    "BadRequest": _error_response(
        "A query value carries a control character, or the body is not JSON, not an object, "
        "or not sent as JSON."
    ),
    "NotFound": _error_response("Unknown or not public."),
    "Conflict": _error_response("The state does not allow this (for example, already cancelled)."),
    "Invalid": _error_response("Some fields are not valid.", "ValidationError"),
    "TooManyRequests": {
        **_error_response("Rate limit reached; wait for `Retry-After` seconds."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    "ServerError": _error_response("Something went wrong on the server."),
    "ServiceUnavailable": {
        **_error_response(
            "The database could not be reached or was busy; nothing was changed. "
            "Try again after `Retry-After` seconds."
        ),
        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    },
}


def _param(name: str, where: str, schema: Schema, description: str, **more: Any) -> Schema:
    return {"name": name, "in": where, "schema": schema, "description": description, **more}


PARAMETERS: dict[str, Schema] = {
    "lang": _param(
        "lang",
        "query",
        _LANGUAGE,
        "Language of names and messages; default: Accept-Language, then German.",
    ),
    "AcceptLanguage": _param(
        "Accept-Language", "header", {"type": "string"}, "Used when `lang` is not given."
    ),
    "topic": _param(
        "topic",
        "query",
        {"type": "array", "items": _ID, "maxItems": MAX_TOPIC_ITEMS},
        "A topic id; repeat for several (`topic=1&topic=2`).",
        style="form",
        explode=True,
    ),
    "dayId": _param("day_id", "path", _ID, "A consultation day.", required=True),
    "reference": _param(
        "reference",
        "path",
        {"type": "string", "maxLength": 40},
        "Booking reference; case and dashes do not matter.",
        required=True,
    ),
    "IdempotencyKey": _param(
        "Idempotency-Key",
        "header",
        {"type": "string", "pattern": f"^[ -~]{{1,{MAX_IDEMPOTENCY_KEY}}}$"},
        "A key the client makes for this booking (a UUID, say), 1 to "
        f"{MAX_IDEMPOTENCY_KEY} printable ASCII characters. Sent again with the same "
        "body, for instance after a timeout or a 503, the request books nothing and answers "
        "the visit booked the first time (201, `Idempotent-Replayed: true`); with a "
        "different body it is refused (422).",
    ),
}


def _params(*names: str) -> list[Schema]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _json(description: str, schema: Schema) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Schema]:
    names = {
        "400": "BadRequest",
        "404": "NotFound",
        "409": "Conflict",
        "422": "Invalid",
        "429": "TooManyRequests",
        "500": "ServerError",
        "503": "ServiceUnavailable",
    }
    return {code: {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


_CLOCK = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["09:30"]}

PATHS: dict[str, Schema] = {
    "/topics": {
        "get": {
            "operationId": "listTopics",
            "summary": "Active topics",
            "parameters": _params("lang", "AcceptLanguage"),
            "responses": {
                "200": _json("Topics in display order.", {"type": "array", "items": _ref("Topic")}),
                **_errors("400", "422", "500", "503"),
            },
        }
    },
    "/days": {
        "get": {
            "operationId": "listDays",
            "summary": "Upcoming published consultation days",
            "parameters": [
                *_params("topic"),
                _param("town", "query", {"type": "string", "maxLength": MAX_TOWN}, "Exact town."),
                _param(
                    "from",
                    "query",
                    {"type": "string", "format": "date"},
                    "First date (default today; earlier dates count as today).",
                ),
                _param(
                    "to",
                    "query",
                    {"type": "string", "format": "date"},
                    "Last date (default eight weeks after `from`; at most 366 days after it).",
                ),
                *_params("lang", "AcceptLanguage"),
            ],
            "responses": {
                "200": _json("Days, soonest first.", {"type": "array", "items": _ref("Day")}),
                **_errors("400", "422", "500", "503"),
            },
        }
    },
    "/days/{day_id}/plans": {
        "get": {
            "operationId": "listPlans",
            "summary": "The best plans for a visit on one day",
            "parameters": [
                *_params("dayId"),
                {**PARAMETERS["topic"], "required": True},
                _param("language", "query", _LANGUAGE, "The language the person speaks."),
                _param("arrive", "query", _CLOCK, "Earliest local start (HH:MM)."),
                _param("leave", "query", _CLOCK, "Latest local end (HH:MM)."),
                _param(
                    "limit",
                    "query",
                    {
                        "type": "integer",
                        "minimum": MIN_PLANS,
                        "maximum": MAX_PLANS,
                        "default": DEFAULT_PLANS,
                    },
                    "How many plans at most.",
                ),
                *_params("lang", "AcceptLanguage"),
            ],
            "responses": {
                "200": _json("Plans, best first.", _ref("DayPlans")),
                **_errors("400", "404", "422", "500", "503"),
            },
        }
    },
    "/visits": {
        "post": {
            "operationId": "bookVisit",
            "summary": "Book one visit: every appointment of a plan, or none",
            "parameters": _params("lang", "AcceptLanguage", "IdempotencyKey"),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("BookingRequest")}},
            },
            "responses": {
                "201": {
                    **_json("Booked.", _ref("BookingCreated")),
                    "headers": {
                        "Location": {
                            "schema": {"type": "string"},
                            "description": "The visit's URL in this API.",
                        },
                        "Idempotent-Replayed": {
                            "schema": {"type": "string", "enum": ["true"]},
                            "description": "Present when the visit was booked by an earlier "
                            "request with the same Idempotency-Key.",
                        },
                    },
                },
                "409": _json(
                    "A seat of the plan was taken meanwhile; nothing was booked.",
                    _ref("BookingConflict"),
                ),
                **_errors("400", "422", "429", "500", "503"),
            },
        }
    },
    "/visits/{reference}": {
        "parameters": _params("reference", "lang", "AcceptLanguage"),
        "get": {
            "operationId": "getVisit",
            "summary": "A visit by its booking reference",
            "responses": {
                "200": _json("The visit.", _ref("Visit")),
                **_errors("400", "404", "422", "429", "500", "503"),
            },
        },
        "delete": {
            "operationId": "cancelVisit",
            "summary": "Cancel the whole visit",
            "responses": {
                "204": {"description": "Cancelled; the seats are free again."},
                **_errors("400", "404", "409", "422", "429", "500", "503"),
            },
        },
    },
    "/visits/{reference}.ics": {
        "get": {
            "operationId": "getVisitCalendar",
            "summary": "The visit as an iCalendar file",
            "parameters": _params("reference", "lang", "AcceptLanguage"),
            "responses": {
                "200": {
                    "description": "A calendar with every appointment of the visit.",
                    "content": {"text/calendar": {"schema": {"type": "string"}}},
                },
                **_errors("400", "404", "422", "429", "500", "503"),
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "responses": {
                "200": _json("OpenAPI 3.1 document.", {"type": "object"}),
                **_errors("400", "422", "500"),
            },
        }
    },
}

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
