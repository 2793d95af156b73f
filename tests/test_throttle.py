"""Rate limits: one budget per address and action, across every route of that action."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.models import Visit, WaitlistEntry, today_in
from tests.factories import create_agency, create_day, create_location, create_session, create_topic
from tests.test_public import book, booked_reference

UNKNOWN = ("AAAA-BBBB-CCCC", "AAAA-BBBB-CCCD", "AAAA-BBBB-CCCE", "AAAA-BBBB-CCCF")


@pytest.fixture
def limited(rate_limited) -> Flask:
    return rate_limited(lookup="3 per minute", booking="3 per minute")


@pytest.fixture
def day(limited: Flask) -> dict[str, int]:
    with limited.app_context():
        abh = create_agency(name="Ausländerbehörde", slug="abh")
        residence = create_topic([abh], names={"en": "Residence permit", "de": "Aufenthalt"})
        day = create_day(create_location(), date=today_in("Europe/Berlin") + timedelta(days=7))
        create_session(day, abh, [residence], starts=time(9), ends=time(12), desks=3)
        db.session.commit()
        return {"day": day.id, "residence": residence.id}


def english(client: FlaskClient) -> FlaskClient:
    client.get("/lang/en")
    return client


def visits(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Visit.id)))


def test_people_behind_one_address_are_never_locked_out_of_their_own_visits(
    limited: Flask, day
) -> None:
    """Found references do not count: a shelter's Wi-Fi opens visit pages all day."""
    client = english(limited.test_client())
    reference = booked_reference(book(client, day, "residence"))
    codes = {client.get(f"/visit/{reference}").status_code for _ in range(10)}
    codes |= {client.get(f"/api/v1/visits/{reference}").status_code for _ in range(10)}
    assert codes == {200}


def test_misses_share_one_budget_across_every_route_that_takes_a_reference(
    limited: Flask, day
) -> None:
    client = english(limited.test_client())
    reference = booked_reference(book(client, day, "residence"))
    assert client.get(f"/visit/{UNKNOWN[0]}").status_code == 404
    assert client.get(f"/api/v1/visits/{UNKNOWN[1]}.ics").status_code == 404
    # The move form's look-up counts as well.
    moving = client.get(
        f"/day/{day['day']}/book", query_string={"move": UNKNOWN[2], "topic": day["residence"]}
    )
    assert moving.status_code == 404

    # The budget is spent: every look-up is refused now, hits too, so guessing learns nothing.
    refused = [
        client.post("/manage", data={"reference": UNKNOWN[3]}),
        client.get(f"/visit/{reference}"),
        client.get(f"/api/v1/visits/{reference}"),
        client.post(f"/visit/{reference}/cancel"),
        client.get(
            f"/day/{day['day']}/book", query_string={"move": reference, "topic": day["residence"]}
        ),
    ]
    assert [r.status_code for r in refused] == [429] * len(refused)
    assert all(int(r.headers["Retry-After"]) > 0 for r in refused)
    assert refused[2].json == {"message": "Too many attempts. Please wait a little and try again."}
    assert "Too many attempts" in refused[1].get_data(as_text=True)
    with limited.app_context():
        assert db.session.scalar(sa.select(Visit.status).where(Visit.reference == reference)) == (
            "booked"
        )
    # Another address still has its own budget.
    other = limited.test_client()
    assert other.get(
        f"/visit/{reference}", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    ).status_code == (200)


def test_bookings_share_one_budget_across_the_api_the_form_and_the_waiting_list(
    limited: Flask, day
) -> None:
    client = english(limited.test_client())
    booked_reference(book(client, day, "residence"))
    assert client.post("/api/v1/visits", json={}).status_code == 422
    waiting = {"topics": [str(day["residence"])], "name": "Amina", "phone": "0345 123456"}
    waiting.update(language="en", town="")
    assert client.post("/waitlist", data=waiting).status_code == 302

    refused = [
        book(client, day, "residence", name="Second"),
        client.post("/api/v1/visits", json={}),
        client.post("/waitlist", data=waiting),
    ]
    assert [r.status_code for r in refused] == [429, 429, 429]
    assert visits(limited) == 1
    with limited.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WaitlistEntry.id))) == 1
    # Browsing and looking at plans is never limited.
    assert client.get(
        f"/day/{day['day']}", query_string={"topic": day["residence"]}
    ).status_code == (200)
