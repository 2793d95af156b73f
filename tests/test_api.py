"""JSON API v1: find a day, plan and book a visit, look it up, cancel it; every error is JSON."""

from __future__ import annotations

import re
import threading
from datetime import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from icalendar import Calendar
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from consult.api.openapi import document
from consult.extensions import db
from consult.models import (
    Appointment,
    AppointmentStatus,
    Consent,
    ConsultationDay,
    DayStatus,
    Seat,
    Visit,
    VisitStatus,
)
from tests.conftest import make_app
from tests.factories import ApiWorld as World
from tests.factories import create_api_world, create_day, create_session, create_topic
from tests.support import count

NO_VISIT = "We could not find a visit with this booking reference."
CONSENT_QUESTION = "May the advisors of this visit talk to each other about your case?"


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return create_api_world()


def english(client: FlaskClient) -> FlaskClient:
    """A client whose messages come in English (the default language is German)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return english(app.test_client())


def plans(client: FlaskClient, day_id: int, *topics: int, **args: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/days/{day_id}/plans", query_string={"topic": topics, **args})
    assert response.status_code == 200, response.json
    return response.json


def booking(world: World, token: str, **changes: Any) -> dict[str, Any]:
    body = {
        "day_id": world.day,
        "plan": token,
        "topics": [world.residence, world.work],
        "name": "Amina",
        "phone": "+49 391 123456",
        "email": "amina@example.org",
        "language": "ar",
        "interpreter": False,
        "consent": False,
    }
    body.update(changes)
    return body


def first_token(client: FlaskClient, world: World) -> str:
    return plans(client, world.day, world.residence, world.work)["plans"][0]["token"]


def book(client: FlaskClient, body: dict[str, Any], **kwargs: Any):
    return client.post("/api/v1/visits", json=body, **kwargs)


# --- topics ---------------------------------------------------------------------------------


def test_topics_are_named_in_the_requested_language(client: FlaskClient, world: World) -> None:
    english = client.get("/api/v1/topics", headers={"Accept-Language": "en"})
    german = client.get("/api/v1/topics?lang=de", headers={"Accept-Language": "en"})

    assert english.status_code == german.status_code == 200
    assert [t["name"] for t in english.json] == ["Residence permit", "Work", "Recognition"]
    assert [t["name"] for t in german.json] == ["Aufenthaltstitel", "Arbeit", "Recognition"]
    assert german.json[0] == {
        "id": world.residence,
        "slug": german.json[0]["slug"],
        "icon": "",
        "phase": 1,
        "default_minutes": 20,
        "name": "Aufenthaltstitel",
        "explanation": "Visum und Erlaubnisse",
    }
    assert "Accept-Language" in german.headers["Vary"]


# --- days -----------------------------------------------------------------------------------

RANGE = {"from": "2030-03-01", "to": "2030-04-30"}


def test_days_lists_published_days_with_location_and_agencies(
    client: FlaskClient, world: World
) -> None:
    days = client.get("/api/v1/days", query_string=RANGE).json

    assert [d["id"] for d in days] == [world.day, world.mobile_day]  # the draft day is hidden
    joint = days[0]
    assert (joint["date"], joint["kind"], joint["title"]) == ("2030-03-12", "joint", "Joint day")
    assert joint["location"]["town"] == "Magdeburg"
    assert joint["location"]["timezone"] == "Europe/Berlin"
    assert sorted(a["short_name"] for a in joint["agencies"]) == ["ABH", "JC"]
    assert days[1]["kind"] == "mobile"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"topic": "residence"}, ["day"]),
        ({"topic": "work"}, ["day", "mobile_day"]),
        ({"topic": ["residence", "work"]}, ["day"]),
        ({"town": "Halle"}, ["mobile_day"]),
        ({"town": "Leipzig"}, []),
        ({"from": "2030-03-13"}, ["mobile_day"]),
        ({"to": "2030-03-31"}, ["day"]),
    ],
)
def test_days_are_filtered_by_topic_town_and_dates(
    client: FlaskClient, world: World, args: dict[str, Any], expected: list[str]
) -> None:
    query = dict(RANGE)
    for name, value in args.items():
        if name == "topic":
            names = [value] if isinstance(value, str) else value
            query["topic"] = [getattr(world, t) for t in names]
        else:
            query[name] = value

    response = client.get("/api/v1/days", query_string=query)

    assert response.status_code == 200
    assert [d["id"] for d in response.json] == [getattr(world, n) for n in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2030-13-01"}, "from"),
        ({"from": "12.03.2030"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "2030-04-01", "to": "2030-03-01"}, "to"),
        ({"from": "2030-01-01", "to": "2031-06-01"}, "to"),
        ({"topic": "abc"}, "topic"),
        ({"topic": "-1"}, "topic"),
        ({"topic": "99999999999"}, "topic"),
        ({"topic": "424242"}, "topic"),  # well-formed but unknown
        ({"town": "x" * 81}, "town"),
    ],
)
def test_bad_day_filters_get_422_with_the_field(
    client: FlaskClient, world: World, query: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/days", query_string=query)

    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    assert response.json["message"]


# --- plans ----------------------------------------------------------------------------------


def test_plans_are_ranked_and_in_the_locations_time_zone(client: FlaskClient, world: World) -> None:
    result = plans(client, world.day, world.residence, world.work, language="ar", limit=10)

    assert result["day_id"] == world.day
    assert result["unserved_topics"] == []
    by_agency = {a["agency"]["id"]: a for a in result["assignments"]}
    assert by_agency[world.office]["topics"] == [world.residence]
    assert by_agency[world.office]["language_ok"] is True
    assert by_agency[world.jobcenter]["language_ok"] is False  # no Arabic, no interpreter
    ranked = [(p["language_issues"], p["minutes_on_site"], p["starts_at"]) for p in result["plans"]]
    assert len(ranked) > 1
    assert ranked == sorted(ranked)

    best = result["plans"][0]
    assert best["starts_at"] == "2030-03-12T09:00:00+01:00"
    assert best["minutes_on_site"] == 60  # 20 + 5 changeover, next slot at :40, 20
    assert best["language_issues"] == 1
    first, second = best["appointments"]
    assert first["ends_at"] < second["starts_at"]
    assert {first["agency_name"], second["agency_name"]} == {"Ausländerbehörde", "Jobcenter"}
    office = first if first["agency_id"] == world.office else second
    assert (office["room"], office["language_ok"]) == ("101", True)
    assert re.fullmatch(r"\d+:\d+(\|\d+:\d+)", best["token"])


def test_plans_after_the_clock_change_carry_summer_time(client: FlaskClient, world: World) -> None:
    result = plans(client, world.mobile_day, world.work, limit=1)

    assert result["plans"][0]["starts_at"] == "2030-04-02T09:00:00+02:00"
    assert result["plans"][0]["appointments"][0]["ends_at"] == "2030-04-02T09:20:00+02:00"


def test_plans_respect_arrival_and_leaving_times(client: FlaskClient, world: World) -> None:
    result = plans(client, world.day, world.work, arrive="10:00", leave="10:40")

    starts = [p["starts_at"] for p in result["plans"]]
    assert starts == ["2030-03-12T10:00:00+01:00", "2030-03-12T10:20:00+01:00"]


def test_unserved_topics_are_named_and_give_no_plan(client: FlaskClient, world: World) -> None:
    result = plans(client, world.day, world.residence, world.recognition)

    assert result["unserved_topics"] == [world.recognition]
    assert result["plans"] == []


def test_plans_of_an_unknown_or_unpublished_day_are_404(client: FlaskClient, world: World) -> None:
    for day_id in (424242, 99999999999):
        response = client.get(f"/api/v1/days/{day_id}/plans?topic={world.work}")
        assert response.status_code == 404
        assert response.json["message"]
    with client.application.app_context():
        draft = db.session.scalar(
            sa.select(ConsultationDay.id).where(ConsultationDay.status == DayStatus.DRAFT)
        )
    assert client.get(f"/api/v1/days/{draft}/plans?topic={world.residence}").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "topic"),
        ({"topic": "x"}, "topic"),
        ({"topic": "recognition_unknown"}, "topic"),
        ({"topic": "work", "arrive": "9h"}, "arrive"),
        ({"topic": "work", "leave": "25:00"}, "leave"),
        ({"topic": "work", "arrive": "11:00", "leave": "10:00"}, "leave"),
        ({"topic": "work", "limit": "0"}, "limit"),
        ({"topic": "work", "limit": "11"}, "limit"),
        ({"topic": "work", "limit": "five"}, "limit"),
        ({"topic": "work", "language": "xx"}, "language"),
    ],
)
def test_bad_plan_requests_get_422_with_the_field(
    client: FlaskClient, world: World, query: dict[str, str], field: str
) -> None:
    if query.get("topic") == "work":
        query = {**query, "topic": str(world.work)}
    elif query.get("topic") == "recognition_unknown":
        query = {"topic": "424242"}

    response = client.get(f"/api/v1/days/{world.day}/plans", query_string=query)

    assert response.status_code == 422
    assert field in response.json["errors"]


# --- booking, look-up, calendar, cancelling -------------------------------------------------


def test_book_look_up_download_and_cancel_a_visit(client: FlaskClient, world: World) -> None:
    token = first_token(client, world)

    created = book(client, booking(world, token))

    assert created.status_code == 201, created.json
    reference = created.json["reference"]
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert created.headers["Location"] == f"/api/v1/visits/{reference}"
    assert created.json["links"] == {
        "self": f"/api/v1/visits/{reference}",
        "ics": f"/api/v1/visits/{reference}.ics",
        "page": f"/visit/{reference}",
    }
    assert created.headers["Cache-Control"] == "no-store"
    visit = created.json["visit"]
    assert visit["status"] == "booked"
    assert (visit["language"], visit["interpreter"], visit["consent"]) == ("ar", False, False)
    assert sorted(visit["topics"]) == sorted([world.residence, world.work])
    assert [a["status"] for a in visit["appointments"]] == ["booked", "booked"]
    assert visit["appointments"][0]["starts_at"] == "2030-03-12T09:00:00+01:00"

    # Case and dashes of the reference do not matter.
    for typed in (reference, reference.lower(), reference.replace("-", "")):
        looked_up = client.get(f"/api/v1/visits/{typed}")
        assert looked_up.status_code == 200
        assert looked_up.json == visit

    calendar = client.get(f"/api/v1/visits/{reference}.ics")
    assert calendar.status_code == 200
    assert calendar.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        calendar.headers["Content-Disposition"] == f'attachment; filename="consult-{reference}.ics"'
    )
    events = [c for c in Calendar.from_ical(calendar.data).walk("VEVENT")]
    assert len(events) == 2

    cancelled = client.delete(f"/api/v1/visits/{reference}")
    assert cancelled.status_code == 204
    assert cancelled.data == b""

    after = client.get(f"/api/v1/visits/{reference}").json
    assert after["status"] == "cancelled"
    assert [a["status"] for a in after["appointments"]] == ["cancelled", "cancelled"]
    with client.application.app_context():
        found = db.session.scalar(sa.select(Visit))
        assert found.cancel_reason == "cancelled through the API"
        assert count(Seat) == 0

    again = client.delete(f"/api/v1/visits/{reference}")
    assert again.status_code == 409
    assert again.json == {"message": "This visit is already cancelled."}


def test_consent_is_recorded_in_the_visits_language(
    app: Flask, client: FlaskClient, world: World
) -> None:
    created = book(client, booking(world, first_token(client, world), consent=True, language="de"))

    assert created.status_code == 201
    assert created.json["visit"]["consent"] is True
    with app.app_context():
        consent = db.session.scalar(sa.select(Consent))
        with app.test_request_context(), force_locale("de"):
            expected = gettext(CONSENT_QUESTION)
        assert (consent.wording, consent.language) == (expected, "de")


def test_phone_and_email_are_optional(client: FlaskClient, world: World) -> None:
    body = booking(world, first_token(client, world), phone=None, email=None)
    del body["language"], body["interpreter"], body["consent"]

    created = book(client, body, headers={"Accept-Language": "tr"})

    assert created.status_code == 201
    assert created.json["visit"]["language"] == "tr"  # the request's language by default


def test_unknown_references_are_404(client: FlaskClient, world: World) -> None:
    for method, path in [
        ("GET", "/api/v1/visits/AAAA-BBBB-CCCC"),
        ("DELETE", "/api/v1/visits/AAAA-BBBB-CCCC"),
        ("GET", "/api/v1/visits/AAAA-BBBB-CCCC.ics"),
        ("GET", "/api/v1/visits/" + "A" * 500),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 404
        assert response.json == {
            "message": "We could not find a visit with this booking reference."
        }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": 42}, "name"),
        ({"email": "amina.example.org"}, "email"),
        ({"email": "a@" + "b" * 260 + ".org"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "1" * 41}, "phone"),
        ({"phone": "+999 123456"}, "phone"),  # the right characters, but no such country
        ({"topics": [424242]}, "topics"),
        ({"topics": []}, "topics"),
        ({"topics": ["1"]}, "topics"),
        ({"topics": [1, 2, 3, 4, 5, 6, 7]}, "topics"),
        ({"plan": "not a plan"}, "plan"),
        ({"plan": ""}, "plan"),
        ({"plan": 17}, "plan"),
        ({"plan": "999999:999999"}, "plan"),
        ({"day_id": 424242}, "day_id"),
        ({"day_id": "1"}, "day_id"),
        ({"day_id": True}, "day_id"),
        ({"language": "xx"}, "language"),
        ({"interpreter": "yes"}, "interpreter"),
        ({"consent": 1}, "consent"),
        ({"surname": "Doe"}, "surname"),
    ],
)
def test_invalid_bookings_get_422_with_the_field_and_write_nothing(
    app: Flask, client: FlaskClient, world: World, changes: dict[str, Any], field: str
) -> None:
    body = booking(world, first_token(client, world), **changes)
    if changes.get("name", "") is None:
        del body["name"]

    response = book(client, body)

    assert response.status_code == 422
    assert response.json["message"]
    assert field in response.json["errors"]
    assert all(isinstance(m, str) and m for m in response.json["errors"][field])
    with app.app_context():
        assert (count(Visit), count(Appointment), count(Seat)) == (0, 0, 0)


def test_all_field_errors_are_named_at_once(client: FlaskClient, world: World) -> None:
    body = booking(world, first_token(client, world), name="", email="nope", phone="call me")

    errors = book(client, body).json["errors"]

    assert sorted(errors) == ["email", "name", "phone"]
    assert errors["name"] == ["Please give a name. A first name or a nickname is enough."]


def test_a_plan_that_does_not_fit_the_topics_is_422(client: FlaskClient, world: World) -> None:
    jobcenter_only = plans(client, world.day, world.work)["plans"][0]["token"]
    mobile = plans(client, world.mobile_day, world.work)["plans"][0]["token"]

    for token, topics in [
        (jobcenter_only, [world.residence, world.work]),  # leaves the residence topic out
        (first_token(client, world), [world.work]),  # books an agency nobody asked for
        (mobile, [world.work]),  # slots of another day
    ]:
        response = book(client, booking(world, token, topics=topics))
        assert response.status_code == 422
        assert "plan" in response.json["errors"]


def test_field_messages_come_in_the_requested_language(
    app: Flask, client: FlaskClient, world: World
) -> None:
    msgid = "Please give a name. A first name or a nickname is enough."
    with app.test_request_context(), force_locale("ar"):
        arabic = gettext(msgid)
    assert arabic != msgid

    response = client.post(
        "/api/v1/visits?lang=ar", json=booking(world, first_token(client, world), name="")
    )

    assert response.json["errors"]["name"] == [arabic]


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ('{"day_id": 1,', "application/json", 400),
        ("", "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        ("[" * 5000 + "]" * 5000, "application/json", 400),  # deeper than the parser goes
        ('{"day_id": 1}', "text/plain", 400),
        ("day_id=1&name=Amina", "application/x-www-form-urlencoded", 400),
        ('{"day_id": 1}', None, 400),
        ("[1, 2]", "application/json", 400),
        ('"Amina"', "application/json", 400),
        ("null", "application/json", 400),
        ('{"name": "' + "x" * 20_000 + '"}', "application/json", 413),
    ],
)
def test_bodies_that_are_not_a_json_object_get_a_json_4xx(
    app: Flask,
    client: FlaskClient,
    world: World,
    data: str | bytes,
    content_type: str | None,
    status: int,
) -> None:
    response = client.post("/api/v1/visits", data=data, content_type=content_type)

    assert response.status_code == status
    assert list(response.json) == ["message"]
    with app.app_context():
        assert count(Visit) == 0


def test_a_taken_seat_is_409_with_the_next_best_plan(
    app: Flask, client: FlaskClient, world: World
) -> None:
    token = first_token(client, world)
    assert book(client, booking(world, token)).status_code == 201

    conflict = book(client, booking(world, token, name="Reza"))

    assert conflict.status_code == 409
    assert conflict.json["message"] == "Sorry, this time was just taken by someone else."
    next_plan = conflict.json["next_plan"]
    assert next_plan["token"] != token
    assert book(client, booking(world, next_plan["token"], name="Reza")).status_code == 201
    with app.app_context():
        assert (count(Visit), count(Appointment), count(Seat)) == (2, 4, 4)


def test_when_the_day_is_full_the_409_has_no_next_plan(client: FlaskClient, world: World) -> None:
    body = {**booking(world, ""), "day_id": world.mobile_day, "topics": [world.work]}
    tokens = [p["token"] for p in plans(client, world.mobile_day, world.work, limit=10)["plans"]]
    assert len(tokens) == 3
    for n, token in enumerate(tokens):
        assert book(client, {**body, "plan": token, "name": f"Person {n}"}).status_code == 201

    conflict = book(client, {**body, "plan": tokens[0]})

    assert conflict.status_code == 409
    assert conflict.json["next_plan"] is None


def test_two_clients_racing_for_the_last_seat_get_one_201_and_one_409(database_url: str) -> None:
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4})
    with app.app_context():
        topic = create_topic([], names={"en": "Work"})
        session = create_session(create_day(), topics=[topic], ends=time(9, 20))  # one seat
        db.session.commit()
        body = {
            "day_id": session.day_id,
            "plan": f"{session.id}:{session.slots[0].id}",
            "topics": [topic.id],
        }

    barrier = threading.Barrier(2)
    statuses: list[int] = []
    lock = threading.Lock()

    def racer(name: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/visits", json={**body, "name": name})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=racer, args=(name,)) for name in ("Amina", "Reza")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [201, 409]
    with app.app_context():
        # Nothing half-written: one visit, its one appointment, that appointment's one seat.
        assert (count(Visit), count(Appointment), count(Seat)) == (1, 1, 1)
        visit = db.session.scalar(sa.select(Visit))
        assert visit.status is VisitStatus.BOOKED
        assert [len(a.seats) for a in visit.appointments] == [1]
        assert visit.appointments[0].status is AppointmentStatus.BOOKED
        db.session.remove()
        db.engine.dispose()


# --- the doors: rate limits, CSRF, error handlers -------------------------------------------


@pytest.fixture
def limited_app(rate_limited) -> Flask:
    return rate_limited(lookup="2 per minute", booking="1 per minute")


def test_reference_look_ups_share_one_rate_limit(limited_app: Flask) -> None:
    client = english(limited_app.test_client())
    assert client.get("/api/v1/visits/AAAA-BBBB-CCCC").status_code == 404
    assert client.get("/api/v1/visits/AAAA-BBBB-CCCD.ics").status_code == 404

    for method in ("GET", "DELETE"):
        refused = client.open("/api/v1/visits/AAAA-BBBB-CCCE", method=method)
        assert refused.status_code == 429
        assert refused.json == {"message": "Too many attempts. Please wait a little and try again."}
        assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/api/v1/topics").status_code == 200  # browsing is not limited


def test_booking_is_rate_limited(limited_app: Flask) -> None:
    client = english(limited_app.test_client())
    assert client.post("/api/v1/visits", json={}).status_code == 422

    refused = client.post("/api/v1/visits", json={})

    assert refused.status_code == 429
    assert refused.json == {"message": "Too many attempts. Please wait a little and try again."}


def test_the_api_needs_no_csrf_token_while_forms_do(database_url: str) -> None:
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        topic = create_topic([], names={"en": "Work"})
        session = create_session(create_day(), topics=[topic])
        db.session.commit()
        body = {
            "day_id": session.day_id,
            "plan": f"{session.id}:{session.slots[0].id}",
            "topics": [topic.id],
            "name": "Amina",
        }
    client = app.test_client()

    assert client.post("/manage", data={"reference": "AAAA-BBBB-CCCC"}).status_code == 400
    created = client.post("/api/v1/visits", json=body)
    assert created.status_code == 201
    assert client.delete(f"/api/v1/visits/{created.json['reference']}").status_code == 204
    with app.app_context():
        db.engine.dispose()


def test_wrong_methods_and_unknown_paths_answer_json(client: FlaskClient) -> None:
    not_allowed = client.put("/api/v1/visits")
    assert not_allowed.status_code == 405
    assert list(not_allowed.json) == ["message"]
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert list(missing.json) == ["message"]


def test_a_crash_is_a_json_500(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    def broken() -> list:
        raise RuntimeError("boom")

    monkeypatch.setattr("consult.itineraries.load_active_topics", broken)
    response = english(app.test_client()).get("/api/v1/topics")

    assert response.status_code == 500
    assert response.json == {
        "message": "Something went wrong on our side. Please try again later.",
        "request_id": response.headers["X-Request-ID"],  # to quote when asking about it
    }
    with app.app_context():
        db.engine.dispose()


# --- the OpenAPI document -------------------------------------------------------------------


def _api_routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
            routes.setdefault(path, set()).update(methods)
    return routes


def test_the_document_describes_exactly_the_blueprints_routes(app: Flask) -> None:
    doc = document()
    described = {
        path: {m for m in item if m in {"get", "put", "post", "delete", "patch"}}
        for path, item in doc["paths"].items()
    }

    assert doc["servers"] == [{"url": "/api/v1"}]
    assert described == _api_routes(app)
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for method in described[path]:
            params = item.get("parameters", []) + item[method].get("parameters", [])
            resolved = [
                doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in params
            ]
            assert {p["name"] for p in resolved if p["in"] == "path"} == names, (path, method)


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json")

    assert served.status_code == 200
    assert served.json == document()
    validate_openapi(served.json)


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _conforms(body: Any, path: str, method: str, status: int) -> None:
    """Validate `body` against the response schema the document declares for it."""
    doc = document()
    where = ("paths", path, method, "responses", str(status))
    response = doc["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        where = ("components", "responses", response["$ref"].rsplit("/", 1)[1])
    registry = Registry().with_resource(
        "urn:consult-api", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    schema_at = _pointer(*where, "content", "application/json", "schema")
    validator = Draft202012Validator(
        {"$ref": f"urn:consult-api#/{schema_at}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(body)


def test_real_answers_match_the_documents_schemas(client: FlaskClient, world: World) -> None:
    _conforms(client.get("/api/v1/topics").json, "/topics", "get", 200)
    _conforms(client.get("/api/v1/days", query_string=RANGE).json, "/days", "get", 200)
    _conforms(client.get("/api/v1/days?from=x").json, "/days", "get", 422)
    result = plans(client, world.day, world.residence, world.work, language="ar")
    _conforms(result, "/days/{day_id}/plans", "get", 200)
    _conforms(client.get("/api/v1/days/424242/plans").json, "/days/{day_id}/plans", "get", 404)

    token = result["plans"][0]["token"]
    created = book(client, booking(world, token, consent=True))
    _conforms(created.json, "/visits", "post", 201)
    _conforms(book(client, booking(world, token)).json, "/visits", "post", 409)
    _conforms(book(client, booking(world, token, name="")).json, "/visits", "post", 422)
    _conforms(
        client.post("/api/v1/visits", data="{", content_type="application/json").json,
        "/visits",
        "post",
        400,
    )
    reference = created.json["reference"]
    _conforms(client.get(f"/api/v1/visits/{reference}").json, "/visits/{reference}", "get", 200)
    client.delete(f"/api/v1/visits/{reference}")
    _conforms(client.get(f"/api/v1/visits/{reference}").json, "/visits/{reference}", "get", 200)
    _conforms(
        client.delete(f"/api/v1/visits/{reference}").json, "/visits/{reference}", "delete", 409
    )


def test_a_schema_mismatch_would_be_caught() -> None:
    topic = {"id": 1, "slug": "work", "icon": "", "phase": 1, "default_minutes": 20}
    _conforms([{**topic, "name": "Work", "explanation": ""}], "/topics", "get", 200)
    with pytest.raises(ValidationError, match="'one' is not of type 'integer'"):
        _conforms(
            [{**topic, "id": "one", "name": "Work", "explanation": ""}], "/topics", "get", 200
        )
    with pytest.raises(ValidationError, match="'explanation' is a required property"):
        _conforms([{**topic, "name": "Work"}], "/topics", "get", 200)
