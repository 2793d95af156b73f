"""The paths of the OpenAPI document of JSON API v1: one entry per route of the blueprint."""

from __future__ import annotations

from consult.api.openapi_components import LANGUAGE_SCHEMA, PARAMETERS, Schema, param, ref
from consult.api.schemas import DEFAULT_PLANS, MAX_PLANS, MAX_TOWN, MIN_PLANS


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
                "200": _json("Topics in display order.", {"type": "array", "items": ref("Topic")}),
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
                param("town", "query", {"type": "string", "maxLength": MAX_TOWN}, "Exact town."),
                param(
                    "from",
                    "query",
                    {"type": "string", "format": "date"},
                    "First date (default today; earlier dates count as today).",
                ),
                param(
                    "to",
                    "query",
                    {"type": "string", "format": "date"},
                    "Last date (default eight weeks after `from`; at most 366 days after it).",
                ),
                *_params("lang", "AcceptLanguage"),
            ],
            "responses": {
                "200": _json("Days, soonest first.", {"type": "array", "items": ref("Day")}),
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
                param("language", "query", LANGUAGE_SCHEMA, "The language the person speaks."),
                param("arrive", "query", _CLOCK, "Earliest local start (HH:MM)."),
                param("leave", "query", _CLOCK, "Latest local end (HH:MM)."),
                param(
                    "mediator",
                    "query",
                    {"type": "boolean", "default": False},
                    "The person asks for a volunteer language mediator to accompany them.",
                ),
                param(
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
                "200": _json("Plans, best first.", ref("DayPlans")),
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
                "content": {"application/json": {"schema": ref("BookingRequest")}},
            },
            "responses": {
                "201": {
                    **_json("Booked.", ref("BookingCreated")),
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
                    ref("BookingConflict"),
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
                "200": _json("The visit.", ref("Visit")),
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
