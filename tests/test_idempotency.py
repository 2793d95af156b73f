"""Idempotency-Key on POST /api/v1/visits: a repeated request books once and answers the same."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult import visits
from consult.extensions import db
from consult.models import Appointment, ConsultationDay, DayStatus, Seat, Visit
from tests.conftest import booking_bodies

KEY = "5f0c7a2e-8d1b-4a51-9a57-3d2b6c1e0f42"
REUSED = "This Idempotency-Key was already used for a different request."
BAD_KEY = "The Idempotency-Key must be 1 to 80 printable ASCII characters."


def seed(app: Flask, desks: int = 1) -> dict[str, Any]:
    """The body that books the one slot, 09:00 to 09:20, of a session with `desks` desks."""
    (body,) = booking_bodies(app, ends=time(9, 20), desks=desks)
    return body


def book(client: FlaskClient, body: dict[str, Any], key: str | None = KEY):
    headers = {"Accept-Language": "en"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/visits", json=body, headers=headers)


def visits_stored(app: Flask) -> list[tuple[str, str | None]]:
    with app.app_context():
        return db.session.execute(sa.select(Visit.reference, Visit.idempotency_key)).all()


def test_a_repeated_request_answers_the_same_visit_and_books_once(app: Flask) -> None:
    body = seed(app)  # one desk: booking the request twice would be refused
    client = app.test_client()

    first = book(client, body)
    again = book(client, dict(reversed(body.items())))  # the same request, keys reordered

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert visits_stored(app) == [(first.json["reference"], KEY)]


def test_a_repeat_finds_the_visit_before_anything_else_is_checked(app: Flask) -> None:
    body = seed(app)
    client = app.test_client()
    first = book(client, body)
    with app.app_context():
        db.session.get(ConsultationDay, body["day_id"]).status = DayStatus.CANCELLED
        db.session.commit()

    again = book(client, body)

    assert again.status_code == 201
    assert again.json["reference"] == first.json["reference"]


def test_a_key_sent_with_another_request_is_refused(app: Flask) -> None:
    body = seed(app, desks=2)
    client = app.test_client()
    first = book(client, body)

    refused = book(client, {**body, "name": "Reza"})

    assert refused.status_code == 422
    assert refused.json["errors"] == {"Idempotency-Key": [REUSED]}
    assert visits_stored(app) == [(first.json["reference"], KEY)]


@pytest.mark.parametrize("key", ["", "x" * 81, "schlüssel", "tab\there"])
def test_a_malformed_key_is_422_and_books_nothing(app: Flask, key: str) -> None:
    body = seed(app)

    refused = book(app.test_client(), body, key=key)

    assert refused.status_code == 422
    assert refused.json["errors"] == {"Idempotency-Key": [BAD_KEY]}
    assert visits_stored(app) == []


def test_a_malformed_key_is_named_with_the_bodys_mistakes(app: Flask) -> None:
    body = seed(app)

    refused = book(app.test_client(), {**body, "name": ""}, key="")

    assert set(refused.json["errors"]) == {"Idempotency-Key", "name"}


def test_without_a_key_every_request_books(app: Flask) -> None:
    body = seed(app, desks=2)
    client = app.test_client()

    references = {book(client, body, key=None).json["reference"] for _ in range(2)}

    assert len(references) == 2
    assert {key for _, key in visits_stored(app)} == {None}


@pytest.mark.parametrize(
    ("desks", "second_look_up", "statuses"),
    [
        (1, True, [201, 201]),  # the twin finds the seat taken, then the winner's visit
        (2, True, [201, 201]),  # the twin books a second desk; the unique key refuses it
        (1, False, [201, 409]),  # control: without the second look-up the race is lost
        (2, False, [201, 409]),
    ],
)
def test_twin_requests_racing_with_one_key_book_one_visit(
    app_factory: Callable[..., Flask],
    monkeypatch: pytest.MonkeyPatch,
    desks: int,
    second_look_up: bool,
    statuses: list[int],
) -> None:
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4})
    body = seed(app, desks)
    # Both requests look the key up before either has booked, as a client's retry after a
    # timeout does while its first attempt is still running.
    barrier = threading.Barrier(2)
    look_up = visits.booked_before

    def together(key: str | None, digest: str | None) -> Visit | None:
        found = look_up(key, digest)
        barrier.wait(timeout=30)
        return found

    monkeypatch.setattr("consult.api.views.booked_before", together)
    if not second_look_up:
        monkeypatch.setattr("consult.visits.booked_before", lambda key, digest: None)
    answers = []
    lock = threading.Lock()

    def racer() -> None:
        response = book(app.test_client(), body)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=racer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(a.status_code for a in answers) == statuses
    booked = [a.json["reference"] for a in answers if a.status_code == 201]
    assert len(set(booked)) == 1
    stored = visits_stored(app)
    assert stored == [(booked[0], KEY)]
    with app.app_context():
        # Nothing half-written by the twin: one appointment, one seat.
        count = sa.select(sa.func.count())
        assert db.session.scalar(count.select_from(Appointment)) == 1
        assert db.session.scalar(count.select_from(Seat)) == 1
