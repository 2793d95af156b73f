"""The public path with a language mediator: the plans say so, the booking takes one."""

from __future__ import annotations

import re
from datetime import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.models import Role, Visit
from tests.factories import (
    Team,
    create_agency,
    create_day,
    create_session,
    create_shift,
    create_topic,
)


@pytest.fixture
def world(app: Flask, staff: Team) -> dict[str, object]:
    """Two agencies that speak only German; a Persian-speaking mediator from 9 to 11."""
    with app.app_context():
        day = create_day()
        topic_ids = []
        for _ in range(2):
            agency = create_agency()
            topic = create_topic([agency])
            create_session(day, agency, [topic], starts=time(9), ends=time(12), desks=2)
            topic_ids.append(topic.id)
        mediator = staff.add("mediator", Role.MEDIATOR, languages=["fa"], towns=["Magdeburg"])
        create_shift(mediator, day, time(9), time(11))
        db.session.commit()
        return {"day": day.id, "topics": topic_ids, "mediator": mediator.id}


def plans_page(client: FlaskClient, world, **params) -> str:
    query = {"topic": world["topics"], **params}
    return client.get(f"/day/{world['day']}", query_string=query).get_data(as_text=True)


def book_first_plan(client: FlaskClient, page: str, name: str = "Amina"):
    form = re.search(r'<form method="get" action="(/day/\d+/book)">(.*?)</form>', page, re.S)
    assert form, "no plan offered"
    fields = re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2))
    query: dict[str, list[str]] = {}
    for key, value in fields:
        query.setdefault(key, []).append(value)
    booking = client.get(form.group(1), query_string=query)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', booking.text)
    data = {
        "csrf_token": token.group(1) if token else "",
        "plan": query["plan"][0],
        "name": name,
        "language": query.get("speak", ["fa"])[0],
        "consent": "no",
    }
    return client.post(form.group(1), query_string=query, data=data), booking.text


def test_a_person_who_reads_persian_gets_plans_with_a_mediator_and_the_booking_takes_them(
    client: FlaskClient, world, app: Flask
) -> None:
    client.get("/lang/en")
    page = plans_page(client, world, speak="fa")
    assert "A language mediator who speaks Persian will accompany you." in page
    response, booking = book_first_plan(client, page)
    assert "A language mediator who speaks Persian will accompany you." in booking
    assert response.status_code == 302, response.text
    visit_page = client.get(response.headers["Location"]).text
    assert "meet them at the front desk" in visit_page
    with app.app_context():
        visit = db.session.query(Visit).one()
        assert visit.mediator_id == world["mediator"] and visit.mediator_wanted
    # Moving the visit keeps asking for a mediator.
    moving = client.get(response.headers["Location"].split("?")[0] + "/move")
    assert "mediator=1" in moving.headers["Location"]


def test_asking_for_a_mediator_when_none_is_free_says_so_and_offers_the_usual_plans(
    client: FlaskClient, world
) -> None:
    client.get("/lang/en")
    page = plans_page(client, world, speak="uk", mediator="1")
    assert "No language mediator is free on this day." in page
    response, _ = book_first_plan(client, page)
    assert response.status_code == 302


def test_a_mediator_taken_meanwhile_books_nothing(client: FlaskClient, world, app) -> None:
    client.get("/lang/en")
    page = plans_page(client, world, speak="fa")
    with app.app_context():
        from consult.models import MediatorShift

        db.session.query(MediatorShift).delete()
        db.session.commit()
    response, _ = book_first_plan(client, page)
    assert response.status_code == 409
    assert "no language mediator is free at this time any more" in response.text
    with app.app_context():
        assert db.session.query(Visit).count() == 0


def test_the_api_offers_plans_with_a_mediator_and_books_them(
    client: FlaskClient, world, app: Flask
) -> None:
    url = f"/api/v1/days/{world['day']}/plans"
    found = client.get(url, query_string={"topic": world["topics"], "language": "fa"}).get_json()
    assert found["mediator_language"] == "fa" and not found["mediator_missing"]
    asked = client.get(
        url, query_string={"topic": world["topics"], "language": "uk", "mediator": "true"}
    ).get_json()
    assert asked["mediator_language"] is None and asked["mediator_missing"]
    assert (
        client.get(url, query_string={"topic": world["topics"], "mediator": "x"}).status_code == 422
    )
    body = {
        "day_id": world["day"],
        "plan": found["plans"][0]["token"],
        "topics": world["topics"],
        "name": "Amina",
        "language": "fa",
        "mediator": True,
    }
    response = client.post("/api/v1/visits", json=body)
    assert response.status_code == 201, response.get_json()
    reference = response.get_json()["reference"]
    assert client.get(f"/api/v1/visits/{reference}").get_json()["mediator"] is True
    # The same times again: the mediator is taken, and nothing is booked.
    again = client.post("/api/v1/visits", json=body | {"name": "Reza"})
    assert again.status_code == 409
    with app.app_context():
        assert db.session.query(Visit).count() == 1
