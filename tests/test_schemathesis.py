"""Schemathesis against the served OpenAPI document: every operation, bounded and reproducible.

The document is read once, at collection, from an app that serves it
(`schemathesis.openapi.from_wsgi`); each operation then runs against a fresh app and
database of each backend, seeded with days, topics and visits. Generated values are
mixed with the seeded ones (`dictionaries` and `parameters` of the Schemathesis config),
so that the answers about real days, plans and visits are checked, not only the 404s
and 422s about made-up ones.

Schemathesis's own pytest fixture loader (`schemathesis.pytest.from_fixture`) does not
work with pytest 9.2, hence the schema loaded at collection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask, Response, jsonify
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consult.extensions import db
from consult.models import Visit
from tests.conftest import make_app
from tests.factories import create_api_world

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# max_examples bounds the fuzzing phase; the examples and coverage phases add a bounded
# number of cases of their own: a few seconds per backend in all.
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# What `seed` makes on an empty database, where every table's ids start at 1.
DAY, MOBILE_DAY, DRAFT_DAY = 1, 2, 3
RESIDENCE, WORK, RECOGNITION = 1, 2, 3
BOOKED, CANCELLED = "7KQ2-MX4D-9TPA", "9TPA-7KQ2-MX4D"
# Plans for WORK alone on DAY (session 2, slots 4-9) that are free after `seed`.
WORK_PLANS = ["2:4", "2:5", "2:7", "2:8"]

CONFIG = {
    "seed": 20301203,
    "generation": {"deterministic": True, "database": "none"},
    "dictionaries": {
        "days": {"values": [DAY, MOBILE_DAY, DRAFT_DAY]},
        "bookable_days": {"values": [DAY]},
        "references": {"values": [BOOKED, CANCELLED, BOOKED.lower().replace("-", "")]},
        "topics": {"values": [RESIDENCE, WORK]},
        "work": {"values": [WORK]},
        "work_plans": {"values": WORK_PLANS},
    },
    # Where a generated value is replaced by a seeded one, and how often.
    "parameters": {
        "path.day_id": {"dictionary": "days", "probability": 0.5},
        "path.reference": {"dictionary": "references", "probability": 0.5},
        "query.topic": {"dictionary": "topics", "probability": 0.5},
        "body.day_id": {"dictionary": "bookable_days", "probability": 0.5},
        "body.plan": {"dictionary": "work_plans", "probability": 0.5},
        "body.topics[*]": {"dictionary": "work", "probability": 0.9},
    },
}


def seed(app: Flask) -> None:
    """Topics, a published day next week, a mobile day in 2030, a draft day, two visits."""
    next_week = date.today() + timedelta(days=7)
    with app.app_context():
        world = create_api_world(next_week, draft_on=next_week + timedelta(days=7))
    days = (world.day, world.mobile_day, world.draft_day)
    ids = (*days, world.residence, world.work, world.recognition)
    assert ids == (DAY, MOBILE_DAY, DRAFT_DAY, RESIDENCE, WORK, RECOGNITION)

    # Two visits booked through the API under known references; the second is cancelled.
    client = app.test_client()
    for token, reference in (("1:1|2:6", BOOKED), ("1:2|2:7", CANCELLED)):
        body = {"day_id": DAY, "plan": token, "topics": [RESIDENCE, WORK], "name": "Amina"}
        created = client.post("/api/v1/visits", json=body)
        assert created.status_code == 201, created.json
        with app.app_context():
            visit = db.session.scalar(
                sa.select(Visit).where(Visit.reference == created.json["reference"])
            )
            visit.reference = reference
            db.session.commit()
    assert client.delete(f"/api/v1/visits/{CANCELLED}").status_code == 204
    plans = client.get(f"/api/v1/days/{DAY}/plans?topic={WORK}&limit=10").json["plans"]
    assert set(WORK_PLANS) <= {p["token"] for p in plans}, plans


def _load_schema() -> schemathesis.BaseSchema:
    app = make_app("sqlite://")
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG)
    )
    with app.app_context():
        db.engine.dispose()
    # Schemathesis leaves out the operation that served the document unless a filter names it.
    return loaded.include(path_regex="^/")


schema = _load_schema()


@pytest.fixture
def api_app(database_url: str) -> Iterator[Flask]:
    """A seeded app; a crash becomes the API's JSON 500, as in production."""
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def conforms(case: schemathesis.Case, app: Flask) -> None:
    """Send `case` to `app`; a check that fails raises `FailureGroup`."""
    case.call_and_validate(checks=CHECKS, app=app)


@schema.parametrize()
@SETTINGS
def test_the_api_keeps_to_its_openapi_document(case: schemathesis.Case, api_app: Flask) -> None:
    conforms(case, api_app)


def _server_error() -> Response:
    return jsonify(message="Something went wrong on our side."), 500


def _wrong_schema() -> Response:
    return jsonify([{"id": "one", "name": "Work"}])


def _undocumented_status() -> Response:
    return jsonify(message="I'm a teapot"), 418


def _wrong_content_type() -> Response:
    return Response("[]", mimetype="text/plain")


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        pytest.param(_server_error, "not_a_server_error", id="500"),
        pytest.param(_wrong_schema, "response_schema_conformance", id="schema"),
        pytest.param(_undocumented_status, "status_code_conformance", id="418"),
        pytest.param(_wrong_content_type, "content_type_conformance", id="text-plain"),
    ],
)
def test_a_broken_answer_is_reported(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    broken: Callable[[], Response],
    check: str,
) -> None:
    monkeypatch.setitem(app.view_functions, "api.topics", broken)

    @given(case=schema["/topics"]["GET"].as_strategy())
    @settings(SETTINGS, report_multiple_bugs=False)
    def run(case: schemathesis.Case) -> None:
        conforms(case, app)

    with pytest.raises(FailureGroup) as failed:
        run()

    assert check in {name for failure in failed.value.exceptions for name in failure.checks}
