"""JSON API v1: topics, days, plans and visits for apps and partner sites.

Each view checks its input (`schemas`), calls the domain (`itineraries`,
`visits`) and answers with `serialise`; every error is JSON with a message in
the person's language, and 422 answers name the fields that are wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from consult import http_errors, itineraries, throttle
from consult.api import openapi, schemas, serialise
from consult.api.schemas import Invalid, Problem
from consult.availability import day_stamp
from consult.boundary import json_has_control_characters
from consult.cancelling import cancel_visit as cancel_locked
from consult.config import LANGUAGES
from consult.contacts import MAX_IDEMPOTENCY_KEY, ContactError
from consult.errors import N_, DomainError
from consult.extensions import csrf, db
from consult.itineraries import PlanningError
from consult.logs import request_id
from consult.models import (
    ConsultationDay,
    Topic,
    TransitionError,
    Visit,
    normalise_reference,
    utcnow,
)
from consult.throttle import counted_lookup
from consult.visit_calendar import ics_response
from consult.visits import (
    AlreadyBooked,
    BookingError,
    BookingRequest,
    Contact,
    ReusedKeyError,
    UnfitPlanError,
    book_visit,
    booked_before,
)
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
IDEMPOTENCY_KEY = "Idempotency-Key"
_PRINTABLE_KEY = re.compile(rf"[ -~]{{1,{MAX_IDEMPOTENCY_KEY}}}")  # printable ASCII

MESSAGES = {
    **http_errors.MESSAGES,
    404: _l("We could not find what you asked for."),
    413: _l("The request is too large."),
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
    if counted_lookup(found) is None:
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
                mediator=query.mediator,
            )
        except PlanningError as error:
            raise Invalid.one("leave", error.message, **error.params) from None
        return jsonify(serialise.day_plans(result))

    return tagged(etag, answer)


def _booking_input(body: Mapping[str, Any]) -> tuple[schemas.BookingInput, str | None]:
    """The booking and its Idempotency-Key; `Invalid` names every field that is wrong."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    problems: dict[str, list[Problem]] = {}
    if key is not None and not _PRINTABLE_KEY.fullmatch(key):
        problems[IDEMPOTENCY_KEY] = [
            Problem(
                N_("The Idempotency-Key must be 1 to %(max)d printable ASCII characters."),
                {"max": MAX_IDEMPOTENCY_KEY},
            )
        ]
    try:
        data = schemas.booking(body, default_language=_locale())
    except Invalid as error:
        raise Invalid({**error.errors, **problems}) from None
    if problems:
        raise Invalid(problems)
    return data, key


def _digest(body: Mapping[str, Any]) -> str:
    """SHA-256 of the body as canonical JSON: the same request whatever its key order."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _reused_key(error: ReusedKeyError) -> Invalid:
    return Invalid.one(IDEMPOTENCY_KEY, error.message, **error.params)


def _booking_body(visit: Visit) -> dict[str, Any]:
    """The answer to a booking: the visit and where to find it."""
    return {
        "reference": visit.reference,
        "visit": serialise.visit(visit),
        "links": {
            "self": url_for("api.visit", reference=visit.reference),
            "ics": url_for("api.visit_calendar", reference=visit.reference),
            "page": url_for("public.visit", reference=visit.reference),
        },
    }


def _created(body: dict[str, Any], *, replayed: bool = False) -> ResponseReturnValue:
    headers = {"Location": body["links"]["self"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return jsonify(body), 201, headers


@bp.post("/visits")
@throttle.booking
def book() -> ResponseReturnValue:
    """Book one visit from a plan token: all appointments or none.

    Sent again with the same Idempotency-Key, the request books nothing and answers
    the visit that the first one booked.
    """
    body = _json_object()
    data, key = _booking_input(body)
    digest = _digest(body) if key else None
    try:
        earlier = booked_before(key, digest)
    except ReusedKeyError as error:
        raise _reused_key(error) from None
    if earlier is not None:
        return _created(_booking_body(earlier), replayed=True)
    day = db.session.get(ConsultationDay, data.day_id)
    if day is None or not day.is_bookable:
        raise Invalid.one("day_id", N_("This consultation day is not open for booking."))
    chosen = _topics(data.topic_ids, "topics")
    contact = Contact(data.name, data.phone, data.email, data.language, data.interpreter)
    try:
        contact.checked()
    except ContactError as error:
        raise Invalid.one(error.field, error.message, **error.params) from None
    consent_wording = None
    if data.consent:
        with force_locale(data.language):
            consent_wording = _(
                "May the advisors of this visit talk to each other about your case?"
            )
    # The answer is made before the request commits (see `database.unit_of_work`), so
    # that once the visit is stored nothing can keep the client from hearing 201.
    try:
        booked = book_visit(
            BookingRequest(
                day_id=day.id,
                appointments=data.plan,
                contact=contact,
                topic_ids=[t.id for t in chosen],
                consent_wording=consent_wording,
                idempotency_key=key,
                idempotency_digest=digest,
                mediator=data.mediator,
            )
        )
    except AlreadyBooked as twin:
        return _created(_booking_body(twin.visit), replayed=True)
    except ReusedKeyError as error:
        raise _reused_key(error) from None
    except UnfitPlanError as error:
        # Not a plan we offer for these topics (made up or changed): the client's mistake.
        raise Invalid.one("plan", error.message, **error.params) from None
    except BookingError as error:
        result = itineraries.plans_for_day(
            day, chosen, language=data.language, limit=1, mediator=data.mediator
        )
        next_plan = serialise.plan(result, result.plans[0]) if result.plans else None
        raise ApiError.from_domain(409, error, next_plan=next_plan) from None
    return _created(_booking_body(booked))


@bp.get("/visits/<reference>")
def visit(reference: str) -> ResponseReturnValue:
    """A visit by its booking reference (any case, with or without dashes)."""
    return jsonify(serialise.visit(_visit_or_404(reference)))


@bp.delete("/visits/<reference>")
def cancel_visit(reference: str) -> ResponseReturnValue:
    """Cancel the whole visit; its seats are free at once."""
    found = _visit_or_404(reference)
    try:
        found = cancel_locked(found.id, CANCEL_REASON)
    except TransitionError as error:
        db.session.rollback()
        raise ApiError.from_domain(409, error) from None
    offer_freed_seats(found.day)
    return "", 204


@bp.get("/visits/<reference>.ics")
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
    body = {"message": str(MESSAGES.get(code, MESSAGES[400]))}
    if code >= 500:
        body["request_id"] = request_id()
    return jsonify(body), code, http_errors.error_headers(error)


for _code in MESSAGES:
    if _code != 500:
        bp.register_error_handler(_code, _http_error)


@bp.errorhandler(500)
def _server_error(error: Exception) -> ResponseReturnValue:
    db.session.rollback()
    return _error(500, str(MESSAGES[500]), request_id=request_id())


def _database_unavailable(error: Exception) -> ResponseReturnValue:
    return _http_error(http_errors.database_unavailable(error))


for _error_class in http_errors.DATABASE_ERRORS:
    bp.register_error_handler(_error_class, _database_unavailable)
