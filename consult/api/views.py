"""JSON API v1: topics, days, plans and visits for apps and partner sites.

Each view checks its input (`schemas`), calls the domain (`itineraries`,
`visits`) and answers with `serialise`; every error is JSON with a message in
the person's language, and 422 answers name the fields that are wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from consult import http_errors, itineraries
from consult.api import openapi, schemas, serialise
from consult.api.schemas import Invalid
from consult.availability import day_stamp
from consult.boundary import json_has_control_characters
from consult.config import LANGUAGES
from consult.errors import N_, DomainError
from consult.extensions import csrf, db, limiter
from consult.itineraries import PlanningError
from consult.models import (
    ConsultationDay,
    Topic,
    TransitionError,
    Visit,
    normalise_reference,
    utcnow,
)
from consult.visit_calendar import ics_response
from consult.visits import BookingError, BookingRequest, Contact, UnfitPlanError, book_visit
from consult.waitlist import offer_freed_seats
from consult.web import tagged

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _known_language() -> None:
    """`?lang=` names one of the offered languages, as the OpenAPI document says."""
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise Invalid.one("lang", N_("Please choose one of the offered languages."))


# Clients authenticate nothing and carry no session cookie worth forging.
csrf.exempt(bp)

MAX_BODY_BYTES = 16 * 1024
MAX_REFERENCE_CHARS = 40
CANCEL_REASON = "cancelled through the API"

MESSAGES = {
    **http_errors.MESSAGES,
    404: _l("We could not find what you asked for."),
    413: _l("The request is too large."),
}

# Contact.checked() names no field; the API does, so that a form can mark it.
_CONTACT_FIELDS = {
    "Please give a name. A first name or a nickname is enough.": "name",
    "The name is too long (at most %(max)d characters).": "name",
    "This does not look like a phone number.": "phone",
    "This does not look like an e-mail address.": "email",
    "Please choose one of the offered languages.": "language",
}
_PRIVATE_ENDPOINTS = frozenset({"api.book", "api.visit", "api.visit_calendar", "api.cancel_visit"})


class ApiError(Exception):
    """An answer other than success: a status, an untranslated msgid, more body fields."""

    def __init__(
        self, status: int, message: str, *, extra: Mapping[str, Any] | None = None, **params: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.params = params
        self.extra = dict(extra or {})

    @classmethod
    def from_domain(cls, status: int, error: DomainError, **extra: Any) -> ApiError:
        return cls(status, error.message, extra=extra, **error.params)


def _booking_limit() -> str:
    return current_app.config["CONSULT_RATELIMIT_BOOKING"]


def _lookup_limit() -> str:
    return current_app.config["CONSULT_RATELIMIT_LOOKUP"]


# One budget for every look-up by reference, so guessing cannot spread over endpoints.
_reference_lookup = limiter.shared_limit(_lookup_limit, scope="api-reference-lookup")


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _topics(topic_ids: tuple[int, ...], field: str) -> list[Topic]:
    try:
        return itineraries.load_topics(topic_ids)
    except PlanningError as error:
        raise Invalid.one(field, error.message, **error.params) from None


def _no_bookable_day() -> ApiError:
    return ApiError(404, N_("This consultation day does not exist or is not open for booking."))


def _bookable_day_or_404(day_id: int) -> ConsultationDay:
    day = db.session.get(ConsultationDay, day_id) if day_id <= schemas.MAX_ID else None
    if day is None or not day.is_bookable:
        raise _no_bookable_day()
    return day


def _visit_or_404(reference: str) -> Visit:
    found = None
    if len(reference) <= MAX_REFERENCE_CHARS:
        found = db.session.scalar(
            sa.select(Visit).where(Visit.reference == normalise_reference(reference))
        )
    if found is None:
        raise ApiError(404, N_("We could not find a visit with this booking reference."))
    return found


def _json_object() -> Mapping[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong with it."""
    if request.mimetype != "application/json":
        raise ApiError(
            400, N_("Please send the request body as JSON (Content-Type: application/json).")
        )
    request.max_content_length = MAX_BODY_BYTES
    raw = request.get_data(cache=False)
    if json_has_control_characters(raw):
        raise ApiError(
            400, N_("The request could not be understood. Please check what you entered.")
        )
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ApiError(400, N_("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise ApiError(400, N_("The request body must be a JSON object."))
    return body


@bp.get("/topics")
def topics() -> ResponseReturnValue:
    """Active topics, named in the requested language."""
    locale = _locale()
    return jsonify([serialise.topic(t, locale) for t in itineraries.load_active_topics()])


@bp.get("/days")
def days() -> ResponseReturnValue:
    """Upcoming published days, filtered by topics, town and dates."""
    query = schemas.days_query(request.args, today=utcnow().date())
    topic_ids = [t.id for t in _topics(query.topic_ids, "topic")] if query.topic_ids else []
    found = itineraries.upcoming_days(
        town=query.town, start=query.start, end=query.end, topic_ids=topic_ids
    )
    return jsonify([serialise.day(day) for day in found])


@bp.get("/days/<int:day_id>/plans")
def day_plans(day_id: int) -> ResponseReturnValue:
    """The best plans for the chosen topics on one day, best first."""
    # The stamp is enough to name the answer; the day itself is loaded only to plan.
    stamp = day_stamp(day_id)
    if stamp is None:
        raise _no_bookable_day()
    query = schemas.plans_query(request.args)
    now = utcnow()
    etag = itineraries.plans_etag(stamp, ("api", _locale(), query), now)

    def answer() -> Response:
        day = _bookable_day_or_404(day_id)
        chosen = _topics(query.topic_ids, "topic")
        try:
            result = itineraries.plans_for_day(
                day,
                chosen,
                language=query.language,
                arrive=query.arrive,
                leave=query.leave,
                limit=query.limit,
                now=now,
            )
        except PlanningError as error:
            raise Invalid.one("leave", error.message, **error.params) from None
        return jsonify(serialise.day_plans(result))

    return tagged(etag, answer)


@bp.post("/visits")
@limiter.limit(_booking_limit)
def book() -> ResponseReturnValue:
    """Book one visit from a plan token: all appointments or none."""
    data = schemas.booking(_json_object(), default_language=_locale())
    day = db.session.get(ConsultationDay, data.day_id)
    if day is None or not day.is_bookable:
        raise Invalid.one("day_id", N_("This consultation day is not open for booking."))
    chosen = _topics(data.topic_ids, "topics")
    contact = Contact(data.name, data.phone, data.email, data.language, data.interpreter)
    try:
        contact.checked()
    except BookingError as error:
        field = _CONTACT_FIELDS.get(error.message, "contact")
        raise Invalid.one(field, error.message, **error.params) from None
    consent_wording = None
    if data.consent:
        with force_locale(data.language):
            consent_wording = _(
                "May the advisors of this visit talk to each other about your case?"
            )
    try:
        visit = book_visit(
            BookingRequest(
                day_id=day.id,
                appointments=data.plan,
                contact=contact,
                topic_ids=[t.id for t in chosen],
                consent_wording=consent_wording,
            )
        )
    except UnfitPlanError as error:
        # Not a plan we offer for these topics (made up or changed): the client's mistake.
        raise Invalid.one("plan", error.message, **error.params) from None
    except BookingError as error:
        result = itineraries.plans_for_day(day, chosen, language=data.language, limit=1)
        next_plan = serialise.plan(result, result.plans[0]) if result.plans else None
        raise ApiError.from_domain(409, error, next_plan=next_plan) from None
    location = url_for("api.visit", reference=visit.reference)
    body = {
        "reference": visit.reference,
        "visit": serialise.visit(visit),
        "links": {
            "self": location,
            "ics": url_for("api.visit_calendar", reference=visit.reference),
            "page": url_for("public.visit", reference=visit.reference),
        },
    }
    return jsonify(body), 201, {"Location": location}


@bp.get("/visits/<reference>")
@_reference_lookup
def visit(reference: str) -> ResponseReturnValue:
    """A visit by its booking reference (any case, with or without dashes)."""
    return jsonify(serialise.visit(_visit_or_404(reference)))


@bp.delete("/visits/<reference>")
@_reference_lookup
def cancel_visit(reference: str) -> ResponseReturnValue:
    """Cancel the whole visit; its seats are free at once."""
    found = _visit_or_404(reference)
    try:
        found.cancel(reason=CANCEL_REASON)
    except TransitionError as error:
        raise ApiError.from_domain(409, error) from None
    offer_freed_seats(found.day)
    db.session.commit()
    return "", 204


@bp.get("/visits/<reference>.ics")
@_reference_lookup
def visit_calendar(reference: str) -> ResponseReturnValue:
    """The visit as an iCalendar file with all its appointments."""
    return ics_response(_visit_or_404(reference))


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())


@bp.after_request
def _headers(response: Response) -> Response:
    response.vary.add("Accept-Language")
    if request.endpoint in _PRIVATE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, message: str, **body: Any) -> ResponseReturnValue:
    return jsonify(message=message, **body), status


@bp.errorhandler(Invalid)
def _invalid(error: Invalid) -> ResponseReturnValue:
    errors = {
        name: [_(p.message, **p.params) for p in problems]
        for name, problems in error.errors.items()
    }
    return _error(422, str(MESSAGES[422]), errors=errors)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> ResponseReturnValue:
    return _error(error.status, _(error.message, **error.params), **error.extra)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    return _error(code, str(MESSAGES.get(code, MESSAGES[400])))


for _code in MESSAGES:
    if _code != 500:
        bp.register_error_handler(_code, _http_error)


@bp.errorhandler(500)
def _server_error(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    return _error(500, str(MESSAGES[500]))
