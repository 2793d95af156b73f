"""The components of the OpenAPI document of JSON API v1: schemas, responses, parameters.

Schemas are JSON Schema 2020-12. The paths (`openapi_paths`) refer to them by
name; `openapi` puts both into the document.
"""

from __future__ import annotations

from typing import Any

from consult.api.schemas import MAX_ID, MAX_PLAN_TOKEN, MAX_TOPIC_ITEMS, PHONE_PATTERN
from consult.config import LANGUAGES
from consult.contacts import MAX_EMAIL, MAX_IDEMPOTENCY_KEY, MAX_NAME, MAX_PHONE

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to the component schema `name`."""
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
LANGUAGE_SCHEMA: Schema = {"type": "string", "enum": list(LANGUAGES)}
_REFERENCE: Schema = {
    "type": "string",
    "pattern": "^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$",
    "examples": ["7KQ2-MX4D-9TPA"],
}
_APPOINTMENT_STATES = ["booked", "checked_in", "in_consultation", "done", "cancelled", "no_show"]

SCHEMAS: dict[str, Schema] = {
    "Error": {
        **_object(
            {"message": {"type": "string", "description": "Translated, for the person to read."}},
            "Every error answer.",
        ),
        "properties": {
            "message": {"type": "string", "description": "Translated, for the person to read."},
            "request_id": {
                "type": "string",
                "description": "On 5xx answers: the id to quote when asking about it "
                "(also in the X-Request-ID header of every answer).",
            },
        },
    },
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
            "location": ref("Location"),
            "agencies": {"type": "array", "items": ref("AgencyRef")},
        },
        "A published consultation day: a joint day or a mobile advice stop.",
    ),
    "Assignment": _object(
        {
            "agency": ref("AgencyRef"),
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
            "appointments": {"type": "array", "items": ref("PlanAppointment"), "minItems": 1},
        },
        "One visit: an appointment with each needed agency, back to back.",
    ),
    "DayPlans": _object(
        {
            "day_id": _ID,
            "assignments": {"type": "array", "items": ref("Assignment")},
            "unserved_topics": {"type": "array", "items": _ID},
            "plans": {
                "type": "array",
                "items": ref("Plan"),
                "description": "Best first: fewest language issues, then least time on site, "
                "then earliest start.",
            },
            "complete": {
                "type": "boolean",
                "description": "False when planning stopped at its time budget: the plans "
                "given are the best found so far, and better ones may exist.",
            },
            "mediator_language": {
                "anyOf": [LANGUAGE_SCHEMA, {"type": "null"}],
                "description": "Every plan fits the free time of a volunteer language "
                "mediator who speaks this language; book it with `mediator: true`.",
            },
            "mediator_missing": {
                "type": "boolean",
                "description": "A mediator was asked for and none is free on this day: the "
                "plans are without one.",
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
            "day": ref("Day"),
            "language": LANGUAGE_SCHEMA,
            "interpreter": {"type": "boolean"},
            "mediator": {
                "type": "boolean",
                "description": "A volunteer language mediator accompanies the person.",
            },
            "consent": {
                "type": "boolean",
                "description": "The advisors of this visit may talk to each other about the case.",
            },
            "topics": {"type": "array", "items": _ID},
            "appointments": {
                "type": "array",
                "items": ref("VisitAppointment"),
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
                **LANGUAGE_SCHEMA,
                "description": "The person's language; default: the request's language.",
            },
            "interpreter": {"type": "boolean", "default": False},
            "mediator": {
                "type": "boolean",
                "default": False,
                "description": "A language mediator must accompany the visit (a plan with "
                "`mediator_language`): with none free, nothing is booked (409).",
            },
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
            "visit": ref("Visit"),
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
                "anyOf": [ref("Plan"), {"type": "null"}],
                "description": "The best plan still free for the same topics and language.",
            },
        },
        "A seat of the plan was taken meanwhile; nothing was booked.",
    ),
}


def _error_response(description: str, schema: str = "Error") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


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


def param(name: str, where: str, schema: Schema, description: str, **more: Any) -> Schema:
    """A parameter object: its name, where it is sent, its schema and what it means."""
    return {"name": name, "in": where, "schema": schema, "description": description, **more}


PARAMETERS: dict[str, Schema] = {
    "lang": param(
        "lang",
        "query",
        LANGUAGE_SCHEMA,
        "Language of names and messages; default: Accept-Language, then German.",
    ),
    "AcceptLanguage": param(
        "Accept-Language", "header", {"type": "string"}, "Used when `lang` is not given."
    ),
    "topic": param(
        "topic",
        "query",
        {"type": "array", "items": _ID, "maxItems": MAX_TOPIC_ITEMS},
        "A topic id; repeat for several (`topic=1&topic=2`).",
        style="form",
        explode=True,
    ),
    "dayId": param("day_id", "path", _ID, "A consultation day.", required=True),
    "reference": param(
        "reference",
        "path",
        {"type": "string", "maxLength": 40},
        "Booking reference; case and dashes do not matter.",
        required=True,
    ),
    "IdempotencyKey": param(
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
