"""A plan is booked only as the planner would offer it: the right agencies, exactly as long as
the topics need, on consecutive free slots of one published session, not in the past."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult import models
from consult.database import atomic
from consult.extensions import db
from consult.frontdesk import service as frontdesk
from consult.itineraries import PlannedOpening, plans_for_day
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    Seat,
    Session,
    SessionStatus,
    Topic,
    Visit,
    VisitStatus,
    utcnow,
)
from consult.visits import (
    BookingError,
    BookingRequest,
    Contact,
    UnfitPlanError,
    book_visit,
)
from tests.conftest import make_app
from tests.factories import create_agency, create_day, create_location, create_session, create_topic
from tests.support import count
from tests.test_api import english

DOES_NOT_FIT = "This plan does not fit what you chose. Please choose a plan again."
NOT_OFFERED = "This time is no longer offered. Please choose another one."


@dataclass(frozen=True)
class World:
    day: int  # a week from today, published
    past_day: int  # yesterday, still published
    sessions: dict[str, int]
    slots: dict[str, tuple[int, ...]]  # each session's slots in time order
    topics: dict[str, int]


def build_world(day_date: date) -> World:
    """Jobcenter 09:00-12:00, 12:00-13:00 and a draft 13:00-14:00, ABH, MBE; 20-minute slots.

    Created in this order so that the day is 1, the Jobcenter's morning session is 1
    with slots 1-9, and the 20-minute "money" topic is 3, as in the reported attack.
    """
    location = create_location(town="Magdeburg")
    jc = create_agency(name="Jobcenter", short_name="JC")
    abh = create_agency(name="Ausländerbehörde", short_name="ABH")
    mbe = create_agency(name="Migrationsberatung", short_name="MBE")
    topics = {
        "residence": create_topic([abh], default_minutes=20, position=1),
        "long_talk": create_topic([jc], default_minutes=40, position=2),
        "money": create_topic([jc], default_minutes=20, position=3),
        "counselling": create_topic([mbe], default_minutes=30, position=4),
    }
    day = create_day(location, date=day_date)
    jc_topics = [topics["money"], topics["long_talk"]]
    sessions = {
        "jc": create_session(day, jc, jc_topics, ends=time(12, 0), desks=2),
        "abh": create_session(day, abh, [topics["residence"]], ends=time(10, 0)),
        "mbe": create_session(day, mbe, [topics["counselling"]], ends=time(11, 0)),
        "jc_noon": create_session(day, jc, jc_topics, starts=time(12, 0), ends=time(13, 0)),
        "draft": create_session(day, jc, jc_topics, starts=time(13, 0), ends=time(14, 0)),
    }
    sessions["draft"].status = SessionStatus.DRAFT
    past_day = create_day(location, date=utcnow().date() - timedelta(days=1))
    sessions["past"] = create_session(past_day, jc, jc_topics)
    db.session.commit()
    return World(
        day=day.id,
        past_day=past_day.id,
        sessions={key: s.id for key, s in sessions.items()},
        slots={key: tuple(slot.id for slot in s.slots) for key, s in sessions.items()},
        topics={key: t.id for key, t in topics.items()},
    )


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world(utcnow().date() + timedelta(days=7))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return english(app.test_client())


def written(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return count(Visit), count(Appointment), count(Seat)


def opening(world: World, session: str, *indices: int) -> PlannedOpening:
    return PlannedOpening(world.sessions[session], tuple(world.slots[session][i] for i in indices))


def token_of(*openings: PlannedOpening) -> str:
    return "|".join(f"{o.session_id}:{'.'.join(map(str, o.slot_ids))}" for o in openings)


def book_legitimately(app: Flask, world: World, *topics: str) -> int:
    """Book the planner's best plan for the topics, as the public pages offer it; the visit id."""
    with app.app_context(), atomic():
        day = db.session.get(ConsultationDay, world.day)
        chosen = [db.session.get(Topic, world.topics[t]) for t in topics]
        plan = plans_for_day(day, chosen, limit=1).plans[0]
        ids = [world.topics[t] for t in topics]
        request = BookingRequest(day.id, plan.appointments, Contact(name="Someone"), ids)
        return book_visit(request).id


# --- the reported attack -------------------------------------------------------------------


ATTACK = {"day_id": 1, "plan": "1:5.6.7.8.9", "topics": [3], "name": "x"}


def test_the_ids_of_the_world_are_those_of_the_reported_attack(world: World) -> None:
    assert (world.day, world.sessions["jc"], world.topics["money"]) == (1, 1, 3)
    assert world.slots["jc"][4:9] == (5, 6, 7, 8, 9)


def test_a_100_minute_plan_for_a_20_minute_topic_is_422_from_the_api(
    app: Flask, client: FlaskClient, world: World
) -> None:
    book_legitimately(app, world, "money")
    before = written(app)

    response = client.post("/api/v1/visits", json=ATTACK)

    assert response.status_code == 422
    assert response.json["message"]
    assert response.json["errors"] == {"plan": [DOES_NOT_FIT]}
    assert written(app) == before == (1, 1, 1)


def test_a_100_minute_plan_for_a_20_minute_topic_is_422_from_the_booking_form(
    app: Flask, client: FlaskClient, world: World
) -> None:
    book_legitimately(app, world, "money")
    before = written(app)

    response = client.post(
        f"/day/{ATTACK['day_id']}/book",
        query_string={"topic": ATTACK["topics"], "plan": ATTACK["plan"]},
        data={"plan": ATTACK["plan"], "name": "x", "language": "de", "consent": "no"},
    )

    assert response.status_code == 422
    assert "does not fit what you chose" in response.get_data(as_text=True)
    assert written(app) == before == (1, 1, 1)


def test_eighteen_forged_requests_no_longer_empty_the_day(
    app: Flask, client: FlaskClient, world: World
) -> None:
    for n in range(18):
        assert client.post("/api/v1/visits", json={**ATTACK, "name": f"x{n}"}).status_code == 422
    # The planner's own plans are still there for everyone.
    assert client.post("/api/v1/visits", json={**ATTACK, "plan": "1:5"}).status_code == 201
    assert written(app) == (1, 1, 1)


# --- every way a plan can be wrong --------------------------------------------------------


Case = Callable[[World], tuple[list[str], list[PlannedOpening]]]

UNFIT_PLANS: dict[str, Case] = {
    "an extra slot": lambda w: (["money"], [opening(w, "jc", 0, 1)]),
    "a missing slot": lambda w: (["long_talk"], [opening(w, "jc", 0)]),
    "non-consecutive slots": lambda w: (["long_talk"], [opening(w, "jc", 0, 2)]),
    "slots of two sessions": lambda w: (
        ["long_talk"],
        [PlannedOpening(w.sessions["jc"], (w.slots["jc"][-1], w.slots["jc_noon"][0]))],
    ),
    "slots under another session's id": lambda w: (
        ["money"],
        [PlannedOpening(w.sessions["jc_noon"], (w.slots["jc"][0],))],
    ),
    "an agency that does not serve the topic": lambda w: (["money"], [opening(w, "abh", 0)]),
    "a topic left unserved": lambda w: (["money", "residence"], [opening(w, "jc", 0)]),
    "an appointment without a topic": lambda w: (
        ["money"],
        [opening(w, "jc", 0), opening(w, "abh", 2)],
    ),
    "two appointments with one agency": lambda w: (
        ["money", "long_talk"],
        [opening(w, "jc", 0), opening(w, "jc_noon", 0, 1)],
    ),
    "a plan on a day in the past": lambda w: (["money"], [opening(w, "past", 0)]),
    "a session that is not published": lambda w: (["money"], [opening(w, "draft", 0)]),
    "slots that do not exist": lambda w: (["money"], [PlannedOpening(w.sessions["jc"], (999,))]),
}


@pytest.mark.parametrize("case", sorted(UNFIT_PLANS))
def test_an_unfit_plan_is_refused_by_the_booking_and_writes_nothing(
    app: Flask, world: World, case: str
) -> None:
    topics, openings = UNFIT_PLANS[case](world)
    day = world.past_day if "past" in case else world.day
    with app.app_context(), atomic():
        request = BookingRequest(
            day, openings, Contact(name="x"), [world.topics[t] for t in topics]
        )
        with pytest.raises(UnfitPlanError):
            book_visit(request)
    assert written(app) == (0, 0, 0)


@pytest.mark.parametrize("case", sorted(UNFIT_PLANS))
def test_an_unfit_plan_is_422_from_the_api(
    app: Flask, client: FlaskClient, world: World, case: str
) -> None:
    topics, openings = UNFIT_PLANS[case](world)
    body = {
        "day_id": world.past_day if "past" in case else world.day,
        "plan": token_of(*openings),
        "topics": [world.topics[t] for t in topics],
        "name": "x",
    }

    response = client.post("/api/v1/visits", json=body)

    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == ["plan"]
    assert written(app) == (0, 0, 0)


def test_a_slot_that_has_started_is_refused(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        first = db.session.get(Session, world.sessions["jc"]).slots[0]
        started = first.starts_dt + timedelta(minutes=10)
    monkeypatch.setattr(models, "utcnow", lambda: started)
    body = {"day_id": world.day, "topics": [world.topics["money"]], "name": "x"}

    running = client.post(
        "/api/v1/visits", json={**body, "plan": token_of(opening(world, "jc", 0))}
    )
    assert running.status_code == 422
    assert running.json["errors"] == {"plan": [NOT_OFFERED]}
    assert written(app) == (0, 0, 0)
    next_one = client.post(
        "/api/v1/visits", json={**body, "plan": token_of(opening(world, "jc", 1))}
    )
    assert next_one.status_code == 201


def test_a_seat_taken_meanwhile_is_still_a_409(
    app: Flask, client: FlaskClient, world: World
) -> None:
    body = {"day_id": world.day, "topics": [world.topics["residence"]], "name": "x"}
    body["plan"] = token_of(opening(world, "abh", 0))  # one desk
    assert client.post("/api/v1/visits", json=body).status_code == 201

    again = client.post("/api/v1/visits", json=body)

    assert again.status_code == 409
    assert again.json["message"] == "Sorry, this time was just taken by someone else."


# --- the other ways in go through the same check -------------------------------------------


def test_the_front_desk_moves_an_appointment_only_at_the_length_its_topics_need(
    app: Flask, world: World
) -> None:
    visit_id = book_legitimately(app, world, "money")
    with app.app_context(), atomic():
        (appointment,) = db.session.get(Visit, visit_id).appointments
        appointment_id, before = appointment.id, (appointment.starts_dt, appointment.ends_dt)
        longer = opening(world, "jc", 3, 4, 5)
        with pytest.raises(UnfitPlanError, match="does not fit"):
            frontdesk.move_appointment(appointment_id, longer)
        db.session.rollback()
        unchanged = db.session.get(Appointment, appointment_id)
        assert (unchanged.starts_dt, unchanged.ends_dt, unchanged.status) == (
            *before,
            AppointmentStatus.BOOKED,
        )
        options = frontdesk.move_options(unchanged, utcnow())
        assert options and all(len(o.slot_ids) == 1 for o in options)
        moved = frontdesk.move_appointment(appointment_id, opening(world, "jc", 3))
        assert [seat.slot_id for seat in moved.seats] == [world.slots["jc"][3]]


def test_a_walk_in_with_a_forged_plan_is_refused(app: Flask, world: World) -> None:
    with app.app_context(), atomic():
        day = db.session.get(ConsultationDay, world.day)
        money = db.session.get(Topic, world.topics["money"])
        with pytest.raises(frontdesk.FrontDeskError, match="not valid any more"):
            frontdesk.book_walk_in(day, ATTACK["plan"], Contact(name="x"), [money])
    assert written(app) == (0, 0, 0)


def test_an_added_appointment_is_as_long_as_its_topic_needs(app: Flask, world: World) -> None:
    visit_id = book_legitimately(app, world, "money")
    with app.app_context(), atomic():
        longer = BookingRequest(
            world.day,
            [opening(world, "mbe", 3, 4, 5)],
            Contact(name="Someone"),
            [world.topics["counselling"]],
            add_to_visit_id=visit_id,
        )
        with pytest.raises(UnfitPlanError, match="does not fit"):
            book_visit(longer)
        assert written(app) == (1, 1, 1)
        exact = BookingRequest(
            world.day,
            [opening(world, "mbe", 3, 4)],  # 30 minutes on a 20-minute grid: two slots
            Contact(name="Someone"),
            [world.topics["counselling"]],
            add_to_visit_id=visit_id,
        )
        assert len(book_visit(exact).active_appointments) == 2


def test_the_planners_own_plans_are_booked(app: Flask, client: FlaskClient, world: World) -> None:
    query = {"topic": [world.topics["money"], world.topics["long_talk"], world.topics["residence"]]}
    plans = client.get(f"/api/v1/days/{world.day}/plans", query_string=query).json["plans"]
    body = {"day_id": world.day, "topics": query["topic"], "name": "x"}
    for n, plan in enumerate(plans):
        response = client.post(
            "/api/v1/visits", json={**body, "plan": plan["token"], "name": f"x{n}"}
        )
        assert response.status_code in (201, 409), response.json  # a later plan may share a seat
    with app.app_context():
        visits = db.session.scalars(sa.select(Visit)).all()
        assert visits
        for visit in visits:
            lengths = {a.agency.short_name: len(a.seats) for a in visit.appointments}
            assert lengths == {"JC": 3, "ABH": 1}  # 20 + 40 minutes, and 20 minutes


# --- no sequence of bookings takes more seats than the topics need -------------------------


@pytest.fixture
def sqlite_world(tmp_path) -> Iterator[tuple[Flask, World]]:
    """The world on SQLite, kept for all examples of a property (bookings are cleared)."""
    app = make_app(f"sqlite:///{tmp_path}/property.sqlite3")
    with app.app_context():
        world = build_world(utcnow().date() + timedelta(days=7))
    yield app, world
    with app.app_context():
        db.engine.dispose()


def needed_seats(appointment: Appointment) -> int:
    """The slots the appointment's topics need on its session's grid (one without topics)."""
    minutes = sum(t.default_minutes for t in appointment.topics)
    return math.ceil(minutes / appointment.session.slot_minutes) if minutes else 1


def draw_request(data: st.DataObject, world: World, visits: list[int]) -> BookingRequest:
    """A booking with a plan that is the planner's, the planner's changed a little, or made up."""
    all_slots = [slot for slots in world.slots.values() for slot in slots] + [999]
    topic_ids = data.draw(
        st.lists(st.sampled_from([*world.topics.values(), 999]), max_size=3, unique=True)
    )
    day = db.session.get(ConsultationDay, world.day)
    known = [t for t in (db.session.get(Topic, i) for i in topic_ids) if t is not None]
    plans = plans_for_day(day, known, limit=3).plans if known else ()
    kind = data.draw(st.sampled_from(["planned", "changed", "made up"]))
    if kind != "made up" and plans:
        plan = data.draw(st.sampled_from(plans))
        openings = [PlannedOpening(o.session_id, o.slot_ids) for o in plan.appointments]
        if kind == "changed":
            i = data.draw(st.integers(0, len(openings) - 1))
            session_id, slot_ids = openings[i].session_id, openings[i].slot_ids
            change = data.draw(st.sampled_from(["longer", "shorter", "session", "slot", "twice"]))
            if change == "longer":
                slot_ids = (*slot_ids, slot_ids[-1] + 1)
            elif change == "shorter":
                slot_ids = slot_ids[:-1] or slot_ids
            elif change == "session":
                session_id = data.draw(st.sampled_from([*world.sessions.values(), 999]))
            elif change == "slot":
                slot_ids = (*slot_ids[:-1], data.draw(st.sampled_from(all_slots)))
            openings[i] = PlannedOpening(session_id, slot_ids)
            if change == "twice":
                openings.append(openings[i])
    else:
        openings = data.draw(
            st.lists(
                st.builds(
                    PlannedOpening,
                    st.sampled_from([*world.sessions.values(), 999]),
                    st.lists(st.sampled_from(all_slots), min_size=1, max_size=6).map(tuple),
                ),
                min_size=1,
                max_size=3,
            )
        )
    mode = data.draw(st.sampled_from(["new", "move", "add"])) if visits else "new"
    target = data.draw(st.sampled_from(visits)) if visits else None
    return BookingRequest(
        world.day,
        openings,
        Contact(name="Someone"),
        topic_ids,
        visit_id=target if mode == "move" else None,
        add_to_visit_id=target if mode == "add" else None,
    )


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    # The world is built once; each example starts by clearing the bookings.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_sequence_of_bookings_holds_more_seats_than_the_topics_need(
    sqlite_world: tuple[Flask, World], data: st.DataObject
) -> None:
    app, world = sqlite_world
    with app.app_context():
        for visit in db.session.scalars(sa.select(Visit)):
            db.session.delete(visit)
        db.session.commit()
        visits: list[int] = []
        for _ in range(data.draw(st.integers(1, 8), label="bookings")):
            request = draw_request(data, world, visits)
            with contextlib.suppress(BookingError):  # refused: nothing was written
                visits.append(book_visit(request).id)
        db.session.expire_all()
        booked = db.session.scalars(sa.select(Visit).where(Visit.status == VisitStatus.BOOKED))
        for visit in booked:
            active = visit.active_appointments
            held = sum(len(a.seats) for a in active)
            assert held == sum(needed_seats(a) for a in active), visit.reference
            assert all(len(a.seats) == needed_seats(a) for a in active), visit.reference
