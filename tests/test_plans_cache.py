"""The plans path: cached availability keyed by the day's revision, entity tags and 304s."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult import availability as availability_module
from consult.extensions import db
from consult.itineraries import load_topics, plans_for_day
from consult.models import ConsultationDay, Slot, Topic
from consult.planner import plan_visit
from tests.factories import ApiWorld as World
from tests.factories import create_api_world, create_staff
from tests.test_api import book
from tests.test_planner import at, opening


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return create_api_world()


def plans_url(world: World, *topics: int) -> str:
    query = "&".join(f"topic={t}" for t in topics or (world.work,))
    return f"/api/v1/days/{world.day}/plans?{query}"


def first_token(client: FlaskClient, url: str) -> str:
    return client.get(url).get_json()["plans"][0]["token"]


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    loads: list[int] = []
    original = availability_module.load

    def counted(day_id: int) -> availability_module.DayAvailability:
        loads.append(day_id)
        return original(day_id)

    monkeypatch.setattr(availability_module, "load", counted)
    return loads


def test_an_unchanged_day_is_read_once(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_loads(monkeypatch)

    for topics in [(world.work,), (world.residence,), (world.work, world.residence)]:
        assert client.get(plans_url(world, *topics)).status_code == 200

    assert loads == [world.day]


def test_a_booking_changes_what_is_offered_next(
    client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_loads(monkeypatch)
    url = plans_url(world)
    before = client.get(url)
    token = before.get_json()["plans"][0]["token"]

    booked = book(client, {"day_id": world.day, "plan": token, "topics": [world.work], "name": "A"})
    assert booked.status_code == 201
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})

    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert token not in [plan["token"] for plan in after.get_json()["plans"]]
    assert loads == [world.day, world.day]


def test_a_write_rolled_back_leaves_the_cache_right(app: Flask, world: World) -> None:
    long_ago = at(0) - timedelta(days=3650)
    with app.test_request_context():
        day = db.session.get(ConsultationDay, world.day)
        topics = load_topics([world.work])
        first = plans_for_day(day, topics, now=long_ago).plans[0].appointments[0]
        # A slot closed inside a transaction that then rolls back must neither be
        # cached under the new revision nor stay hidden afterwards.
        db.session.get_one(Slot, first.slot_ids[0]).capacity = 0
        db.session.flush()
        during = plans_for_day(day, topics, now=long_ago)
        db.session.rollback()
        day = db.session.get_one(ConsultationDay, world.day)
        after = plans_for_day(day, topics, now=long_ago)
        again = plans_for_day(day, topics, now=long_ago)

    assert during.plans[0].starts_dt != first.starts_dt
    assert after.plans[0].starts_dt == first.starts_dt == again.plans[0].starts_dt


def test_plans_answer_304_to_their_entity_tag(client: FlaskClient, world: World) -> None:
    url = plans_url(world)
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    other = client.get(plans_url(world, world.residence), headers={"If-None-Match": etag})
    german = client.get(url, headers={"If-None-Match": etag, "Accept-Language": "de"})

    assert first.headers["Cache-Control"] == "no-cache"
    assert (again.status_code, again.data) == (304, b"")
    assert again.headers["ETag"] == etag
    assert other.status_code == 200
    assert german.status_code in {200, 304}
    assert again.headers["ETag"] != other.headers["ETag"]


def test_the_day_page_answers_304_and_shows_the_same_plans(
    client: FlaskClient, world: World
) -> None:
    url = f"/day/{world.day}?topic={world.work}"
    first = client.get(url)
    repeated = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200 and b"card plan" in first.data
    assert repeated.data == first.data
    assert again.status_code == 304


def test_the_day_page_is_not_cached_for_staff(client: FlaskClient, world: World, login) -> None:
    with client.application.app_context():
        create_staff(email="desk@example.org")
        db.session.commit()
    login("desk@example.org", client)

    response = client.get(f"/day/{world.day}?topic={world.work}")

    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_an_incomplete_search_is_logged_and_marked(caplog: pytest.LogCaptureFixture) -> None:
    openings = {
        a: [opening(a, at(9) + timedelta(minutes=30 * i)) for i in range(8)] for a in (1, 2)
    }

    with caplog.at_level(logging.WARNING, logger="consult.planner"):
        cut = plan_visit(openings, limit=5, budget=timedelta(0))
    full = plan_visit(openings, limit=5)

    assert not cut.complete and full.complete
    assert [p.key() for p in cut] == [p.key() for p in full][: len(cut)]
    assert "planner budget" in caplog.text


def test_the_api_says_whether_the_plans_are_complete(client: FlaskClient, world: World) -> None:
    complete = client.get(plans_url(world)).get_json()
    client.application.config["CONSULT_PLANNER_BUDGET_MS"] = 0

    cut = client.get(plans_url(world, world.residence)).get_json()

    assert complete["complete"] is True
    assert cut["complete"] is False


def test_the_day_page_says_when_plans_may_be_missing(client: FlaskClient, world: World) -> None:
    client.application.config["CONSULT_PLANNER_BUDGET_MS"] = 0

    client.get("/lang/en")
    page = client.get(f"/day/{world.day}?topic={world.work}").get_data(as_text=True)

    assert "These are the best plans found so far." in page


def test_a_day_is_read_in_two_queries(app: Flask, world: World) -> None:
    with app.test_request_context():
        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        availability_module.load(world.day)

    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_a_changed_topic_or_gap_changes_the_answer(
    app: Flask, client: FlaskClient, world: World
) -> None:
    url = plans_url(world)
    before = client.get(url)
    with app.app_context():
        db.session.get_one(Topic, world.work).default_minutes = 40
        db.session.commit()
    longer = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    with app.app_context():
        day = db.session.get_one(ConsultationDay, world.day)
        day.location.changeover_minutes = 15
        db.session.commit()
    regapped = client.get(url, headers={"If-None-Match": longer.headers["ETag"]})

    assert longer.status_code == 200
    assert before.get_json()["assignments"][0]["minutes"] == 20
    assert longer.get_json()["assignments"][0]["minutes"] == 40
    assert regapped.status_code == 200
    assert regapped.headers["ETag"] != longer.headers["ETag"]
