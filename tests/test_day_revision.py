"""A day's revision changes with every write to its free times, in that write's transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import time

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.coordination.service import cancel_day
from consult.database import atomic
from consult.extensions import db
from consult.frontdesk import service as frontdesk
from consult.itineraries import PlannedOpening
from consult.models import ConsultationDay, Session, Visit
from consult.revisions import touch_day
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests import test_frontdesk
from tests.conftest import make_app
from tests.factories import DeskWorld, Team, create_day, create_desk_world, create_session
from tests.test_frontdesk import desk_url, hidden_value, token, walk_in_form

clock = test_frontdesk.clock  # the front desk's clock, at 08:00 on the day unless a test moves it


@pytest.fixture
def world(app: Flask, clock, staff: Team) -> DeskWorld:
    """The front desk's world, booked at 08:00 by its clock: a joint day, bookings, staff."""
    with app.app_context():
        return create_desk_world(staff)


def revision(app: Flask, day_id: int) -> int:
    with app.app_context():
        value = db.session.scalar(
            sa.select(ConsultationDay.revision).where(ConsultationDay.id == day_id)
        )
        assert value is not None
        return value


def revisions(app: Flask, world: DeskWorld) -> dict[str, int]:
    """The revision of the day under test and of the two other days of the world."""
    with app.app_context():
        rows = db.session.execute(sa.select(ConsultationDay.id, ConsultationDay.revision)).all()
    by_id = dict(rows)
    return {"day": by_id[world.day], "others": sum(r for i, r in by_id.items() if i != world.day)}


def hours_form(world: DeskWorld, starts: str, ends: str) -> dict[str, object]:
    return {
        "starts": starts,
        "ends": ends,
        "slot_minutes": "20",
        "desks": "1",
        "rooms": "",
        "breaks": "",
        "topics": [str(world.topics["residence"])],
        "languages": ["de"],
        "status": "published",
    }


# --- reads and check-ins leave it alone ----------------------------------------------------


def test_reading_the_day_and_its_plans_keeps_the_revision(app, world, login) -> None:
    before = revisions(app, world)
    client = app.test_client()
    topic = world.topics["counselling"]
    assert client.get(f"/day/{world.day}", query_string={"topic": topic}).status_code == 200
    api = client.get(f"/api/v1/days/{world.day}/plans", query_string={"topic": topic})
    assert api.status_code == 200
    assert login("desk").get(desk_url(world.here)).status_code == 200

    assert revisions(app, world) == before


def test_a_check_in_keeps_the_revision(app, world, login) -> None:
    before = revisions(app, world)
    response = login("desk").post(f"/staff/desk/visit/{world.visits['amina']}/check-in")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Visit, world.visits["amina"]).ticket == 1  # it did check in

    assert revisions(app, world) == before


# --- bookings and cancellations --------------------------------------------------------------


def test_a_booking_through_the_api_bumps_only_its_day_once(app, world) -> None:
    before = revisions(app, world)
    with app.app_context():
        updated_dt = db.session.get(ConsultationDay, world.day).updated_dt
    client = app.test_client()
    topic = world.topics["counselling"]
    plans = client.get(f"/api/v1/days/{world.day}/plans", query_string={"topic": topic}).json
    body = {
        "day_id": world.day,
        "plan": plans["plans"][0]["token"],
        "topics": [topic],
        "name": "Farid",
        "language": "de",
    }
    assert client.post("/api/v1/visits", json=body).status_code == 201

    assert revisions(app, world) == {"day": before["day"] + 1, "others": before["others"]}
    with app.app_context():
        # Calendar feeds read `updated_dt` as "the day itself changed": a booking is not that.
        assert db.session.get(ConsultationDay, world.day).updated_dt == updated_dt


def test_a_booking_through_the_public_form_bumps_the_revision(app, world) -> None:
    before = revision(app, world.day)
    client = app.test_client()
    topic = world.topics["counselling"]
    plans = client.get(f"/api/v1/days/{world.day}/plans", query_string={"topic": topic}).json
    plan = plans["plans"][0]["token"]
    response = client.post(
        f"/day/{world.day}/book",
        query_string={"topic": topic, "plan": plan},
        data={"plan": plan, "name": "Farid", "language": "de", "consent": "no"},
    )
    assert response.status_code == 302

    assert revision(app, world.day) > before


def test_a_failed_booking_keeps_the_revision(app, world) -> None:
    before = revision(app, world.day)
    chens_time = PlannedOpening(world.sessions["mbe"], (world.slots["mbe"][1],))
    with app.app_context(), pytest.raises(BookingError):  # one desk, and Chen holds it
        book_visit(BookingRequest(world.day, [chens_time], Contact(name="Farid")))

    assert revision(app, world.day) == before


def test_the_persons_own_cancellation_bumps_the_revision(app, world) -> None:
    before = revision(app, world.day)
    response = app.test_client().post(f"/visit/{world.references['chen']}/cancel")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Visit, world.visits["chen"]).status.value == "cancelled"

    assert revision(app, world.day) > before


def test_a_front_desk_cancellation_bumps_the_revision(app, world, login) -> None:
    before = revision(app, world.day)
    response = login("desk").post(
        f"/staff/desk/appointment/{world.appointments['chen-mbe']}/cancel",
        data={"reason": "Ill"},
    )
    assert response.status_code == 302

    assert revision(app, world.day) > before


def test_a_front_desk_move_bumps_the_revision(app, world, login) -> None:
    before = revision(app, world.day)
    jc, slots = world.sessions["jc"], world.slots["jc"]
    response = login("desk").post(
        f"/staff/desk/appointment/{world.appointments['amina-jc']}/move",
        data={"opening": token(jc, slots[4])},
    )
    assert response.status_code == 302

    assert revision(app, world.day) > before


def test_a_walk_in_booked_at_the_desk_bumps_the_revision(app, world, login, clock) -> None:
    clock.set(9, 30)
    desk = login("desk")
    url = f"{desk_url(world.here)}/walk-in"
    found = desk.post(url, data=walk_in_form(world, "residence", find="Find free times"))
    text = found.get_data(as_text=True)
    before = revision(app, world.day)
    booked = desk.post(
        url,
        data=walk_in_form(
            world,
            "residence",
            day=hidden_value(text, "day"),
            plan=hidden_value(text, "plan"),
            book="Book and check in",
        ),
    )
    assert booked.status_code == 302

    assert revision(app, world.day) > before


# --- hours and days ----------------------------------------------------------------------------


def test_publishing_changing_and_withdrawing_hours_bump_the_revision(app, world, login) -> None:
    advisor = login("abh")
    with app.app_context():
        abh = db.session.get(Session, world.sessions["abh"]).agency_id
    seen = [revision(app, world.day)]

    published = advisor.post(
        f"/staff/hours/day/{world.day}/agency/{abh}/new", data=hours_form(world, "12:00", "13:00")
    )
    assert published.status_code == 302
    seen.append(revision(app, world.day))
    with app.app_context():
        session_id = db.session.scalar(
            sa.select(Session.id).where(
                Session.day_id == world.day,
                Session.agency_id == abh,
                Session.id != world.sessions["abh"],
            )
        )
    # A change rewrites the slots with bulk statements that bypass the ORM.
    changed = advisor.post(
        f"/staff/hours/session/{session_id}", data=hours_form(world, "12:00", "13:20")
    )
    assert changed.status_code == 302
    seen.append(revision(app, world.day))
    withdrawn = advisor.post(f"/staff/hours/session/{session_id}/withdraw")
    assert withdrawn.status_code == 302
    seen.append(revision(app, world.day))

    assert seen == sorted(set(seen)), "each step must raise the revision"


def test_cancelling_a_day_bumps_the_revision(app, world) -> None:
    before = revision(app, world.day)
    with app.app_context():
        cancel_day(db.session.get(ConsultationDay, world.day), "The building is closed.")
        db.session.commit()

    assert revision(app, world.day) > before


# --- the counter itself --------------------------------------------------------------------------


def test_a_day_is_touched_once_per_transaction_and_again_after_commit_or_rollback(ctx) -> None:
    day = create_day()
    db.session.commit()
    start = day.revision

    touch_day(day.id)
    touch_day(day.id)
    assert day.revision == start + 1  # the loaded attribute is not stale
    db.session.commit()
    touch_day(day.id)
    db.session.rollback()
    assert day.revision == start + 1
    touch_day(day.id)
    db.session.commit()

    assert db.session.scalar(sa.select(ConsultationDay.revision)) == start + 2


# --- lock order ----------------------------------------------------------------------------------

WORKERS = 8


def test_bookings_and_desk_moves_racing_for_one_slot_never_deadlock(database_url: str) -> None:
    """Bookers and desks that move appointments into the same slot all succeed, one bump each.

    A booking locks the day, then the slots; a desk locks the day, the visit, the
    appointment, then the slots. Were the day locked last by the desk, PostgreSQL
    would find a booker and a desk waiting for each other and abort one of them.
    """
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2 * WORKERS + 2})
    with app.app_context():
        day = create_day()
        session = create_session(day, starts=time(9), ends=time(11), desks=2 * WORKERS)
        db.session.commit()
        first, target = (PlannedOpening(session.id, (session.slots[i].id,)) for i in (0, 2))
        moving = [
            book_visit(BookingRequest(day.id, [first], Contact(name=f"Early {n}")))
            .appointments[0]
            .id
            for n in range(WORKERS)
        ]
        db.session.commit()
        day_id = day.id
        before = day.revision

    barrier = threading.Barrier(2 * WORKERS)
    failures: list[BaseException] = []

    def run(write: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with atomic():
                    write()
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    def book(n: int) -> Callable[[], object]:
        return lambda: book_visit(BookingRequest(day_id, [target], Contact(name=f"Racer {n}")))

    def move(appointment_id: int) -> Callable[[], object]:
        return lambda: frontdesk.move_appointment(appointment_id, target)

    writes = [book(n) for n in range(WORKERS)] + [move(a) for a in moving]
    threads = [threading.Thread(target=run, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert revision(app, day_id) == before + 2 * WORKERS
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
