"""The front desk: arrivals, search, check-in with tickets, moves, walk-ins, the display, calls."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from consult import models, visits
from consult.database import atomic
from consult.extensions import db
from consult.frontdesk import service
from consult.itineraries import PlannedOpening
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    Location,
    Seat,
    Topic,
    Visit,
    VisitOrigin,
    VisitStatus,
)
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.factories import DESK_DAY, DeskWorld, Team, create_desk_world
from tests.support import Login, count

DAY = DESK_DAY
BERLIN = ZoneInfo("Europe/Berlin")


def at(hour: int, minute: int = 0, on: date = DAY) -> datetime:
    """A wall-clock time at the venue (Europe/Berlin) as a UTC instant."""
    return datetime.combine(on, time(hour, minute), tzinfo=BERLIN).astimezone(UTC)


class Clock:
    """The service's clock, set by the test (the service reads `consult.models.utcnow`)."""

    def __init__(self) -> None:
        self.now = at(8, 0)

    def set(self, hour: int, minute: int = 0) -> None:
        self.now = at(hour, minute)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(models, "utcnow", fixed)
    return fixed


@pytest.fixture
def world(app: Flask, clock: Clock, staff: Team) -> DeskWorld:
    """The front desk's world (see `create_desk_world`), booked at 08:00 by the clock."""
    with app.app_context():
        return create_desk_world(staff)


@pytest.fixture
def desk(world: DeskWorld, login: Login) -> FlaskClient:
    """The front desk of the day's location, signed in."""
    return login("desk")


# --- reading pages ------------------------------------------------------------------


def desk_url(location_id: int, on: date = DAY) -> str:
    return f"/staff/desk/{location_id}/{on.isoformat()}"


def page(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def flashes(text: str) -> list[tuple[str, str]]:
    """The flashed messages of a page, as (category, text)."""
    found = re.findall(r'<p class="message message-(\w+)">(.*?)</p>', text, re.S)
    return [(category, html.unescape(message).strip()) for category, message in found]


def listed_references(text: str) -> list[str]:
    """The references of the arrivals table, top to bottom."""
    return re.findall(r'<tr id="visit-\d+" data-reference="([^"]+)">', text)


def radio_values(text: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*type="radio"[^>]*value="([^"]+)"', text)


def hidden_value(text: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*type="hidden"[^>]*value="([^"]*)"', text)
    assert match is not None, f"no hidden field {name}"
    return match.group(1)


def token(session_id: int, *slot_ids: int) -> str:
    return f"{session_id}:{'.'.join(str(s) for s in slot_ids)}"


@dataclass(frozen=True)
class Board:
    called: list[tuple[str, str]]  # (ticket, room), newest first
    waiting: list[str]


def read_board(text: str) -> Board:
    called = re.findall(
        r'<td class="display-ticket" translate="no">([^<]+)</td><td>([^<]*)</td>', text
    )
    waiting = re.search(r'<p class="display-waiting" translate="no">(.*?)</p>', text, re.S)
    assert waiting is not None
    return Board(called, re.findall(r"<span>([^<]+)</span>", waiting.group(1)))


# --- reading the database -----------------------------------------------------------


@dataclass(frozen=True)
class AppointmentState:
    status: AppointmentStatus
    starts_dt: datetime
    seats: frozenset[int]  # slot ids
    ticket: int | None
    checked_in_dt: datetime | None
    cancel_reason: str


def state(app: Flask, appointment_id: int) -> AppointmentState:
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment is not None
        return AppointmentState(
            appointment.status,
            appointment.starts_dt,
            frozenset(seat.slot_id for seat in appointment.seats),
            appointment.visit.ticket,
            appointment.checked_in_dt,
            appointment.cancel_reason,
        )


def visit_of(app: Flask, visit_id: int) -> tuple[VisitStatus, int | None, list[AppointmentStatus]]:
    with app.app_context():
        visit = db.session.get(Visit, visit_id)
        assert visit is not None
        return visit.status, visit.ticket, [a.status for a in visit.appointments]


def check_in(app: Flask, *visit_ids: int) -> None:
    """Arrange: check visits in through the service, in this order."""
    with app.app_context(), atomic():
        for visit_id in visit_ids:
            service.check_in_visit(visit_id)


# --- arrivals and search ------------------------------------------------------------


def test_arrivals_are_listed_in_the_order_of_their_first_appointment(world, desk) -> None:
    response = desk.get(desk_url(world.here))
    assert response.status_code == 200
    text = page(response)
    refs = world.references
    assert listed_references(text) == [refs["amina"], refs["chen"], refs["boris"]]
    # Other days and other locations stay out.
    assert "Dana" not in text and "Emil" not in text
    assert "Nobody is in the queue." in text


def test_search_by_the_whole_reference_even_typed_loosely(world, desk) -> None:
    loose = world.references["chen"].lower().replace("-", " ")
    text = page(desk.get(desk_url(world.here), query_string={"q": loose}))
    assert listed_references(text) == [world.references["chen"]]


def test_search_by_the_last_four_symbols_of_the_reference(world, desk) -> None:
    text = page(desk.get(desk_url(world.here), query_string={"q": world.references["boris"][-4:]}))
    assert listed_references(text) == [world.references["boris"]]


def test_search_by_name_ignores_case(world, desk) -> None:
    text = page(desk.get(desk_url(world.here), query_string={"q": "aMiNa"}))
    assert listed_references(text) == [world.references["amina"]]
    nobody = page(desk.get(desk_url(world.here), query_string={"q": "Zoltan"}))
    assert listed_references(nobody) == []
    assert "Nobody found for this search." in nobody


def test_search_by_ticket_number(app, world, desk) -> None:
    check_in(app, world.visits["boris"], world.visits["amina"])  # tickets 1 and 2
    text = page(desk.get(desk_url(world.here), query_string={"q": "2"}))
    assert listed_references(text) == [world.references["amina"]]
    text = page(desk.get(desk_url(world.here), query_string={"q": "1"}))
    assert listed_references(text) == [world.references["boris"]]


def test_a_reference_of_another_day_is_named_with_its_date(world, desk) -> None:
    reference = world.references["dana"]
    text = page(desk.get(desk_url(world.here), query_string={"q": reference}))
    assert listed_references(text) == []
    assert ("info", f"Booking {reference} is for 2030-03-19 at Bürgerhaus.") in flashes(text)
    # A booking at a location this desk does not serve is not revealed.
    text = page(desk.get(desk_url(world.here), query_string={"q": world.references["emil"]}))
    assert listed_references(text) == []
    assert flashes(text) == []
    assert "Stadthaus" not in text


# --- check-in, corrections, cancellation --------------------------------------------


def test_check_in_checks_in_every_booked_appointment_and_gives_the_next_ticket(
    app, world, desk
) -> None:
    response = desk.post(f"/staff/desk/visit/{world.visits['amina']}/check-in")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(desk_url(world.here))
    assert visit_of(app, world.visits["amina"]) == (
        VisitStatus.BOOKED,
        1,
        [AppointmentStatus.CHECKED_IN, AppointmentStatus.CHECKED_IN],
    )
    assert state(app, world.appointments["amina-jc"]).checked_in_dt is not None

    text = page(
        desk.post(f"/staff/desk/visit/{world.visits['chen']}/check-in", follow_redirects=True)
    )
    assert ("success", "Chen is checked in. Ticket number 2.") in flashes(text)
    assert visit_of(app, world.visits["chen"])[1] == 2
    assert visit_of(app, world.visits["boris"]) == (
        VisitStatus.BOOKED,
        None,
        [AppointmentStatus.BOOKED],
    )
    # Each day numbers its own tickets.
    check_in(app, world.visits["emil"])
    assert visit_of(app, world.visits["emil"])[1] == 1


def test_checking_in_twice_is_a_clear_error_and_uses_no_ticket(app, world, desk) -> None:
    url = f"/staff/desk/visit/{world.visits['amina']}/check-in"
    desk.post(url)
    text = page(desk.post(url, follow_redirects=True))
    assert ("error", "Nothing to check in: this person is already checked in.") in flashes(text)
    assert visit_of(app, world.visits["amina"])[1] == 1
    desk.post(f"/staff/desk/visit/{world.visits['chen']}/check-in")
    assert visit_of(app, world.visits["chen"])[1] == 2


def test_undo_check_in_returns_to_booked_and_keeps_the_ticket(app, world, desk) -> None:
    check_in(app, world.visits["chen"])
    appointment = world.appointments["chen-mbe"]
    text = page(
        desk.post(f"/staff/desk/appointment/{appointment}/undo-check-in", follow_redirects=True)
    )
    assert ("success", "The check-in is undone.") in flashes(text)
    undone = state(app, appointment)
    assert (undone.status, undone.checked_in_dt, undone.ticket) == (
        AppointmentStatus.BOOKED,
        None,
        1,
    )
    # Checking in again keeps the number the person already holds.
    desk.post(f"/staff/desk/visit/{world.visits['amina']}/check-in")
    desk.post(f"/staff/desk/visit/{world.visits['chen']}/check-in")
    assert state(app, appointment).status is AppointmentStatus.CHECKED_IN
    assert visit_of(app, world.visits["chen"])[1] == 1
    assert visit_of(app, world.visits["amina"])[1] == 2


def test_no_show_keeps_the_seat_and_a_late_arrival_is_checked_in(app, world, desk) -> None:
    appointment = world.appointments["chen-mbe"]
    text = page(desk.post(f"/staff/desk/appointment/{appointment}/no-show", follow_redirects=True))
    assert ("success", "The appointment is marked as not attended.") in flashes(text)
    missed = state(app, appointment)
    assert missed.status is AppointmentStatus.NO_SHOW
    assert missed.seats == {world.slots["mbe"][1]}
    assert missed.ticket is None
    assert "Arrived late: check in" in text

    text = page(desk.post(f"/staff/desk/appointment/{appointment}/check-in", follow_redirects=True))
    assert ("success", "The appointment is checked in.") in flashes(text)
    late = state(app, appointment)
    assert (late.status, late.ticket) == (AppointmentStatus.CHECKED_IN, 1)
    assert late.checked_in_dt is not None
    # Calling in is the advisor's part, not the desk's.
    assert desk.post(f"/staff/desk/appointment/{appointment}/call-in").status_code == 404
    assert state(app, appointment).status is AppointmentStatus.CHECKED_IN


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancel_without_a_reason_changes_nothing(app, world, desk, reason) -> None:
    appointment = world.appointments["chen-mbe"]
    before = state(app, appointment)
    text = page(
        desk.post(
            f"/staff/desk/appointment/{appointment}/cancel",
            data={"reason": reason},
            follow_redirects=True,
        )
    )
    assert ("error", "Please give a reason for the cancellation.") in flashes(text)
    assert state(app, appointment) == before
    assert visit_of(app, world.visits["chen"])[0] is VisitStatus.BOOKED


def test_cancel_with_a_reason_frees_the_seat_for_someone_else(app, world, desk) -> None:
    mbe_slot = world.slots["mbe"][1]
    with app.app_context(), pytest.raises(BookingError):  # one desk, and Chen holds it
        book_visit(
            BookingRequest(
                world.day,
                [PlannedOpening(world.sessions["mbe"], (mbe_slot,))],
                Contact(name="Farid"),
            )
        )
    appointment = world.appointments["chen-mbe"]
    text = page(
        desk.post(
            f"/staff/desk/appointment/{appointment}/cancel",
            data={"reason": "  Ill,   phoned in  "},
            follow_redirects=True,
        )
    )
    assert ("success", "The appointment is cancelled.") in flashes(text)
    cancelled = state(app, appointment)
    assert (cancelled.status, cancelled.seats, cancelled.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        frozenset(),
        "Ill, phoned in",
    )
    # Chen had no other appointment: the visit has ended and leaves the desk's list.
    assert visit_of(app, world.visits["chen"])[0] is VisitStatus.CANCELLED
    assert world.references["chen"] not in listed_references(text)
    text = page(
        desk.post(f"/staff/desk/visit/{world.visits['chen']}/check-in", follow_redirects=True)
    )
    assert ("error", "This visit is cancelled.") in flashes(text)

    with app.app_context(), atomic():
        farid = book_visit(
            BookingRequest(
                world.day,
                [PlannedOpening(world.sessions["mbe"], (mbe_slot,))],
                Contact(name="Farid"),
            )
        )
        assert [seat.slot_id for a in farid.appointments for seat in a.seats] == [mbe_slot]


def test_cancelling_one_appointment_of_a_visit_keeps_the_others(app, world, desk) -> None:
    desk.post(
        f"/staff/desk/appointment/{world.appointments['amina-abh']}/cancel",
        data={"reason": "Documents missing"},
    )
    assert visit_of(app, world.visits["amina"]) == (
        VisitStatus.BOOKED,
        None,
        [AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED],
    )
    assert state(app, world.appointments["amina-jc"]).seats == {world.slots["jc"][2]}


# --- moving one appointment ---------------------------------------------------------


def move_url(world: DeskWorld, appointment: str) -> str:
    return f"/staff/desk/appointment/{world.appointments[appointment]}/move"


def move(
    desk: FlaskClient, world: DeskWorld, appointment: str, to: tuple[str, int], **options: Any
) -> TestResponse:
    """The desk moves an appointment ("amina-jc") to a session's slot (("jc", 4))."""
    session, slot = to
    return desk.post(
        move_url(world, appointment),
        data={"opening": token(world.sessions[session], world.slots[session][slot])},
        **options,
    )


def test_move_offers_free_times_of_the_same_agency_that_fit_the_visit(app, world, desk) -> None:
    jc, slots = world.sessions["jc"], world.slots["jc"]
    response = desk.get(move_url(world, "amina-jc"))
    assert response.status_code == 200
    # 09:00 and 09:20 are free but end less than 5 minutes before Amina's ABH appointment
    # (09:00-09:20) would allow; 09:40 is hers already; 10:00 is Boris's.
    assert radio_values(page(response), "opening") == [token(jc, slots[4]), token(jc, slots[5])]


def test_move_options_follow_the_locations_changeover_gap(app, world, desk) -> None:
    with app.app_context():
        db.session.get(Location, world.here).changeover_minutes = 0
        db.session.commit()
    jc, slots = world.sessions["jc"], world.slots["jc"]
    response = desk.get(move_url(world, "amina-jc"))
    # Without a gap 09:20 follows the ABH appointment directly; 09:00 still overlaps it.
    assert radio_values(page(response), "opening") == [
        token(jc, slots[1]),
        token(jc, slots[4]),
        token(jc, slots[5]),
    ]


def test_move_never_offers_times_already_past(app, world, desk, clock) -> None:
    clock.set(10, 25)
    jc, slots = world.sessions["jc"], world.slots["jc"]
    response = desk.get(move_url(world, "amina-jc"))
    assert radio_values(page(response), "opening") == [token(jc, slots[5])]


def test_move_releases_the_old_seat_and_takes_the_new_one(app, world, desk) -> None:
    check_in(app, world.visits["amina"])
    checked_in = state(app, world.appointments["amina-jc"])
    jc, slots = world.sessions["jc"], world.slots["jc"]
    response = move(desk, world, "amina-jc", to=("jc", 4), follow_redirects=True)
    assert response.request.path == desk_url(world.here)
    assert ("success", "The appointment is moved to 10:20.") in flashes(page(response))

    old = state(app, world.appointments["amina-jc"])
    assert (old.status, old.seats, old.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        frozenset(),
        "moved",
    )
    with app.app_context():
        moved = db.session.scalars(
            sa.select(Appointment).where(
                Appointment.visit_id == world.visits["amina"],
                Appointment.session_id == jc,
                Appointment.status != AppointmentStatus.CANCELLED,
            )
        ).one()
        assert (moved.starts_dt, moved.ends_dt) == (at(10, 20), at(10, 40))
        assert [seat.slot_id for seat in moved.seats] == [slots[4]]
        assert moved.room == "2.01"
        # Still checked in, as since the person arrived.
        assert moved.status is AppointmentStatus.CHECKED_IN
        assert moved.checked_in_dt == checked_in.checked_in_dt
        assert [t.id for t in moved.topics] == [world.topics["money"]]
        held = set(db.session.scalars(sa.select(Seat.slot_id).where(Seat.slot_id.in_(slots))))
    assert held == {slots[3], slots[4]}  # Boris and the moved appointment; 09:40 is free again


def test_moving_to_a_taken_time_is_409_and_keeps_the_appointment(app, world, desk) -> None:
    before = state(app, world.appointments["amina-jc"])
    response = move(desk, world, "amina-jc", to=("jc", 3))  # Boris's 10:00
    assert response.status_code == 409
    assert ("error", "Sorry, this time was just taken by someone else.") in flashes(page(response))
    assert state(app, world.appointments["amina-jc"]) == before
    assert count(app, Appointment) == 6


def test_a_seat_taken_at_the_same_moment_rolls_the_whole_move_back(
    app, world, desk, monkeypatch
) -> None:
    slots = world.slots["jc"]
    free_desk = visits.free_desk

    def taken_meanwhile(chosen, taken):
        # Another desk takes the seat after it was counted as free: the database refuses ours.
        desk = free_desk(chosen, taken)
        db.session.execute(
            sa.insert(Seat).values(
                slot_id=chosen[0].id, desk=desk, appointment_id=world.appointments["boris-jc"]
            )
        )
        return desk

    monkeypatch.setattr(visits, "free_desk", taken_meanwhile)
    before = state(app, world.appointments["amina-jc"])
    response = move(desk, world, "amina-jc", to=("jc", 4))
    assert response.status_code == 409
    assert ("error", "Sorry, this time was just taken by someone else.") in flashes(page(response))
    # The old appointment was given up inside the same transaction, so it is back as it was.
    assert state(app, world.appointments["amina-jc"]) == before
    assert count(app, Appointment) == 6
    with app.app_context():
        assert db.session.scalars(sa.select(Seat).where(Seat.slot_id == slots[4])).all() == []


def test_moving_into_the_changeover_gap_is_refused(app, world, desk) -> None:
    before = state(app, world.appointments["amina-jc"])
    response = move(desk, world, "amina-jc", to=("jc", 1))  # 09:20, free, right after ABH ends
    assert response.status_code == 409
    assert (
        "error",
        "These appointments overlap or are less than 5 minutes apart.",
    ) in flashes(page(response))
    assert state(app, world.appointments["amina-jc"]) == before


def test_moving_to_a_time_already_begun_is_refused(app, world, desk, clock) -> None:
    clock.set(9, 10)  # a page opened before 09:00 still offers 09:00
    before = state(app, world.appointments["chen-mbe"])
    response = move(desk, world, "chen-mbe", to=("mbe", 0))
    assert response.status_code == 409
    assert (
        "error",
        "This time is no longer offered. Please choose another one.",
    ) in flashes(page(response))
    assert state(app, world.appointments["chen-mbe"]) == before
    assert count(app, Appointment) == 6


def test_moving_to_another_agency_is_refused(app, world, desk) -> None:
    before = state(app, world.appointments["amina-jc"])
    response = move(desk, world, "amina-jc", to=("mbe", 5))
    assert response.status_code == 409
    assert ("error", "The new time must be with the same service.") in flashes(page(response))
    assert state(app, world.appointments["amina-jc"]) == before


# --- walk-ins -----------------------------------------------------------------------


def walk_in_form(world: DeskWorld, *topics: str, **extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Farid",
        "language": "de",
        "topics": [world.topics[t] for t in topics],
    }
    data.update(extra)
    return data


def walk_in_url(world: DeskWorld) -> str:
    return f"{desk_url(world.here)}/walk-in"


def find_times(desk: FlaskClient, world: DeskWorld, *topics: str) -> TestResponse:
    """The desk asks which free times fit a walk-in who needs help with `topics`."""
    return desk.post(walk_in_url(world), data=walk_in_form(world, *topics, find="Find free times"))


def test_walk_in_is_fitted_from_now_on_and_booked_with_a_ticket(app, world, desk, clock) -> None:
    check_in(app, world.visits["chen"])  # ticket 1
    clock.set(9, 30)
    url = walk_in_url(world)
    needs = ("residence", "money")
    found = find_times(desk, world, *needs)
    assert found.status_code == 200
    text = page(found)
    # ABH at 09:20 and the Jobcenter at 09:00 and 09:20 are free, but already under way or
    # over; ABH at 09:40 is the first free time from now on, then the Jobcenter's next free
    # time after the changeover (10:00 is Boris's).
    abh, jc = world.sessions["abh"], world.sessions["jc"]
    plan = f"{token(abh, world.slots['abh'][2])}|{token(jc, world.slots['jc'][4])}"
    assert hidden_value(text, "plan") == plan
    assert hidden_value(text, "day") == str(world.day)
    assert "These free times fit from now on:" in text
    assert "Book and check in" in text
    assert count(app, Visit) == 5  # finding writes nothing

    booked = desk.post(
        url,
        data=walk_in_form(
            world,
            *needs,
            day=hidden_value(text, "day"),
            plan=hidden_value(text, "plan"),
            book="Book and check in",
        ),
        follow_redirects=True,
    )
    assert booked.request.path == desk_url(world.here)
    assert ("success", "Farid is booked and checked in. Ticket number 2.") in flashes(page(booked))
    with app.app_context():
        farid = db.session.scalars(sa.select(Visit).where(Visit.name == "Farid")).one()
        assert (farid.walk_in, farid.ticket, farid.origin) == (True, 2, VisitOrigin.WALK_IN)
        assert [(a.status, a.starts_dt, a.room) for a in farid.appointments] == [
            (AppointmentStatus.CHECKED_IN, at(9, 40), "1.01"),
            (AppointmentStatus.CHECKED_IN, at(10, 20), "2.01"),
        ]
        assert [seat.slot_id for a in farid.appointments for seat in a.seats] == [
            world.slots["abh"][2],
            world.slots["jc"][4],
        ]


def test_a_walk_in_plan_left_open_until_its_time_has_passed_is_not_booked(
    app, world, desk, clock
) -> None:
    clock.set(9, 10)
    url = walk_in_url(world)
    text = page(find_times(desk, world, "residence"))
    plan = hidden_value(text, "plan")
    assert plan == token(world.sessions["abh"], world.slots["abh"][1])  # 09:20
    clock.set(9, 50)
    response = desk.post(
        url,
        data=walk_in_form(world, "residence", day=str(world.day), plan=plan, book="Book"),
    )
    assert response.status_code == 409
    text = page(response)
    assert (
        "error",
        "This plan is not valid any more. Please choose a plan again.",
    ) in flashes(text)
    assert count(app, Visit) == 5
    assert "Give a queue ticket" in text  # what the day can still do, as of now


def test_walk_in_gets_a_queue_ticket_when_nothing_fits_any_more(app, world, desk, clock) -> None:
    clock.set(9, 45)  # every ABH slot has started
    url = walk_in_url(world)
    text = page(find_times(desk, world, "residence"))
    assert hidden_value(text, "plan") == ""
    assert "No free time fits right now." in text
    assert "Give a queue ticket" in text and "Book and check in" not in text

    queued = desk.post(
        url,
        data=walk_in_form(world, "residence", day=str(world.day), queue="Give a queue ticket"),
        follow_redirects=True,
    )
    text = page(queued)
    assert (
        "success",
        "Farid waits for the next free desk. Queue ticket number 1.",
    ) in flashes(text)
    with app.app_context():
        farid = db.session.scalars(sa.select(Visit).where(Visit.name == "Farid")).one()
        assert (farid.walk_in, farid.ticket, farid.appointments) == (True, 1, [])
        assert farid.origin is VisitOrigin.WALK_IN
        assert [t.id for t in farid.topics] == [world.topics["residence"]]
        farid_id = farid.id
    queue = text.split('id="queue-heading"')[1]
    assert "Farid" in queue and "Nobody is in the queue." not in queue

    # A walk-in who went home leaves the queue.
    desk.post(f"/staff/desk/visit/{farid_id}/leave-queue")
    assert visit_of(app, farid_id)[0] is VisitStatus.CANCELLED
    assert "Nobody is in the queue." in page(desk.get(desk_url(world.here)))


def test_walk_in_for_topics_nobody_serves_that_day_gets_a_clear_message(
    app, world, desk, clock
) -> None:
    clock.set(9, 0)
    url = walk_in_url(world)
    text = page(find_times(desk, world, "recognition"))
    assert "Nobody here today can help with this. Please use the waiting list." in text
    assert "Give a queue ticket" not in text and "Book and check in" not in text

    forced = desk.post(
        url, data=walk_in_form(world, "recognition", day=str(world.day), queue="Queue")
    )
    assert forced.status_code == 409
    assert (
        "error",
        "Nobody here today can help with this. Please use the waiting list.",
    ) in flashes(page(forced))
    assert count(app, Visit) == 5


def test_invalid_walk_in_form_is_422_and_writes_nothing(app, world, desk, clock) -> None:
    clock.set(9, 0)
    response = desk.post(
        walk_in_url(world),
        data={"name": "  ", "language": "de", "book": "Book and check in", "day": str(world.day)},
    )
    assert response.status_code == 422
    text = page(response)
    assert "Please give a name. A first name or a nickname is enough." in text
    assert "Please choose at least one thing the person needs help with." in text
    assert count(app, Visit) == 5
    assert count(app, Appointment) == 6


# --- the waiting-room display -------------------------------------------------------


def test_display_shows_tickets_and_rooms_but_never_names(app, world, desk, clock) -> None:
    clock.set(9, 35)
    check_in(app, world.visits["boris"], world.visits["amina"], world.visits["chen"])
    with app.app_context(), atomic():
        service.act(world.appointments["amina-jc"], service.DeskAction.CALL_IN)
    with app.app_context(), atomic():
        service.queue_walk_in(
            db.session.get(ConsultationDay, world.day),
            Contact(name="Farid"),
            [db.session.get(Topic, world.topics["residence"])],
        )
    response = desk.get(f"/staff/desk/display/{world.here}")
    assert response.status_code == 200
    text = page(response)
    assert read_board(text) == Board(called=[("2", "2.01")], waiting=["3", "1", "4"])
    # It updates itself in place (static/display.js), never by a timed reload.
    assert re.search(r'<main id="content" data-refresh-seconds="\d+">', text)
    assert "display.js" in text and 'http-equiv="refresh"' not in text
    for name in ("Amina", "Boris", "Chen", "Farid"):
        assert name not in text
    for reference in world.references.values():
        assert reference not in text


def test_display_forgets_calls_after_a_while(app, world, desk, clock) -> None:
    clock.set(9, 35)
    check_in(app, world.visits["amina"])
    with app.app_context(), atomic():
        service.act(world.appointments["amina-jc"], service.DeskAction.CALL_IN)
    assert read_board(page(desk.get(f"/staff/desk/display/{world.here}"))).called == [("1", "2.01")]
    clock.now += service.DISPLAY_CALLED_FOR + timedelta(minutes=1)
    assert read_board(page(desk.get(f"/staff/desk/display/{world.here}"))).called == []


# --- the advisor's day --------------------------------------------------------------


def test_my_day_lists_the_agencys_appointments_in_time_order(world, login, clock) -> None:
    clock.set(8, 30)
    response = login("jc").get("/staff/desk/my-day")  # today, by the clock
    assert response.status_code == 200
    text = page(response)
    assert "Bürgerhaus" in text
    assert text.index("Amina") < text.index("Boris")
    assert "Chen" not in text  # MBE's person
    assert "09:40–10:00" in text and "10:00–10:20" in text


def test_call_next_calls_the_earliest_due_checked_in_person(app, world, login, clock) -> None:
    clock.set(9, 30)
    jc = login("jc")
    call_next = f"/staff/desk/my-day/session/{world.sessions['jc']}/call-next"
    text = page(jc.post(call_next, follow_redirects=True))
    assert ("info", "Nobody is waiting for you right now.") in flashes(text)
    assert state(app, world.appointments["amina-jc"]).status is AppointmentStatus.BOOKED

    check_in(app, world.visits["boris"])  # ticket 1, checked in first, but due at 10:00
    clock.set(9, 32)
    check_in(app, world.visits["amina"])  # ticket 2, due at 09:40
    text = page(jc.post(call_next, follow_redirects=True))
    assert ("success", "Ticket 2 is called to room 2.01.") in flashes(text)
    assert state(app, world.appointments["amina-jc"]).status is AppointmentStatus.IN_CONSULTATION
    assert state(app, world.appointments["boris-jc"]).status is AppointmentStatus.CHECKED_IN

    board = read_board(page(login("desk").get(f"/staff/desk/display/{world.here}")))
    assert board.called == [("2", "2.01")]
    assert board.waiting == ["1"]


def test_call_next_passes_over_a_person_in_another_consultation(app, world, login, clock) -> None:
    clock.set(9, 0)
    check_in(app, world.visits["amina"], world.visits["boris"])
    with app.app_context(), atomic():  # Amina is still with ABH
        service.act(world.appointments["amina-abh"], service.DeskAction.CALL_IN)
    clock.set(9, 35)
    jc = login("jc")
    url = f"/staff/desk/my-day/session/{world.sessions['jc']}/call-next"
    text = page(jc.post(url, follow_redirects=True))
    assert ("success", "Ticket 2 is called to room 2.01.") in flashes(text)  # Boris, early
    assert state(app, world.appointments["amina-jc"]).status is AppointmentStatus.CHECKED_IN
    assert state(app, world.appointments["boris-jc"]).status is AppointmentStatus.IN_CONSULTATION

    # Calling Amina by hand is refused as well.
    text = page(
        jc.post(
            f"/staff/desk/my-day/appointment/{world.appointments['amina-jc']}/call-in",
            follow_redirects=True,
        )
    )
    assert ("error", "This person is in another consultation right now.") in flashes(text)
    assert state(app, world.appointments["amina-jc"]).status is AppointmentStatus.CHECKED_IN


def test_call_next_seats_a_queued_walk_in_in_the_current_free_slot(
    app, world, login, desk, clock
) -> None:
    clock.set(9, 45)
    with app.app_context(), atomic():
        farid = service.queue_walk_in(
            db.session.get(ConsultationDay, world.day),
            Contact(name="Farid"),
            [db.session.get(Topic, world.topics["residence"])],
        )
        farid_id = farid.id
    abh = login("abh")
    assert "1 walk-in in the queue can be seen by you." in page(abh.get("/staff/desk/my-day"))
    text = page(
        abh.post(
            f"/staff/desk/my-day/session/{world.sessions['abh']}/call-next", follow_redirects=True
        )
    )
    assert ("success", "Ticket 1 is called to room 1.01.") in flashes(text)
    with app.app_context():
        visit = db.session.get(Visit, farid_id)
        (appointment,) = visit.appointments
        assert (appointment.status, appointment.starts_dt, appointment.room) == (
            AppointmentStatus.IN_CONSULTATION,
            at(9, 40),
            "1.01",
        )
        assert [seat.slot_id for seat in appointment.seats] == [world.slots["abh"][2]]
        assert visit.ticket == 1

    assert read_board(page(desk.get(f"/staff/desk/display/{world.here}"))) == Board(
        called=[("1", "1.01")], waiting=[]
    )
    assert "Nobody is in the queue." in page(desk.get(desk_url(world.here)))


def test_advisor_calls_in_finishes_and_marks_a_no_show(app, world, login, clock) -> None:
    clock.set(9, 35)
    check_in(app, world.visits["amina"])
    jc = login("jc")
    base = f"/staff/desk/my-day/appointment/{world.appointments['amina-jc']}"
    text = page(jc.post(f"{base}/call-in", follow_redirects=True))
    assert ("success", "Ticket 1 is called to room 2.01.") in flashes(text)
    clock.set(9, 55)
    text = page(jc.post(f"{base}/finish", follow_redirects=True))
    assert ("success", "The consultation is finished.") in flashes(text)
    with app.app_context():
        appointment = db.session.get(Appointment, world.appointments["amina-jc"])
        assert appointment.status is AppointmentStatus.DONE
        assert (appointment.called_dt, appointment.done_dt) == (at(9, 35), at(9, 55))
    # A finished consultation cannot be finished again.
    text = page(jc.post(f"{base}/finish", follow_redirects=True))
    assert [c for c, _ in flashes(text)] == ["error"]
    # Boris did not come.
    clock.set(10, 15)
    response = jc.post(f"/staff/desk/my-day/appointment/{world.appointments['boris-jc']}/no-show")
    assert response.status_code == 302
    assert state(app, world.appointments["boris-jc"]).status is AppointmentStatus.NO_SHOW


def test_advisors_of_another_agency_cannot_act_for_it(app, world, login, clock) -> None:
    clock.set(9, 35)
    check_in(app, world.visits["amina"])
    mbe = login("mbe")
    appointment = world.appointments["amina-jc"]
    refused = {
        url: mbe.post(url).status_code
        for url in (
            f"/staff/desk/my-day/session/{world.sessions['jc']}/call-next",
            f"/staff/desk/my-day/appointment/{appointment}/call-in",
            f"/staff/desk/my-day/appointment/{appointment}/finish",
            f"/staff/desk/my-day/appointment/{world.appointments['boris-jc']}/no-show",
        )
    }
    assert set(refused.values()) == {403}, refused
    assert state(app, appointment).status is AppointmentStatus.CHECKED_IN
    assert state(app, world.appointments["boris-jc"]).status is AppointmentStatus.BOOKED


# --- access -------------------------------------------------------------------------


def test_front_desk_of_another_location_is_refused_everything_here(app, world, login) -> None:
    far = login("far-desk")
    amina, appointment = world.visits["amina"], world.appointments["amina-jc"]
    requests = [
        ("get", f"/staff/desk/?location={world.here}"),
        ("get", desk_url(world.here)),
        ("get", f"{desk_url(world.here)}/walk-in"),
        ("get", f"/staff/desk/display/{world.here}"),
        ("post", f"/staff/desk/visit/{amina}/check-in"),
        ("post", f"/staff/desk/appointment/{appointment}/check-in"),
        ("post", f"/staff/desk/appointment/{appointment}/no-show"),
        ("get", f"/staff/desk/appointment/{appointment}/move"),
        ("post", f"/staff/desk/appointment/{appointment}/move"),
    ]
    statuses = {
        f"{method} {url}": getattr(far, method)(url).status_code for method, url in requests
    }
    assert set(statuses.values()) == {403}, statuses
    refused = far.post(f"/staff/desk/appointment/{appointment}/cancel", data={"reason": "not mine"})
    assert refused.status_code == 403
    assert visit_of(app, amina) == (
        VisitStatus.BOOKED,
        None,
        [AppointmentStatus.BOOKED, AppointmentStatus.BOOKED],
    )
    # Their own location opens.
    assert far.get(desk_url(world.there)).status_code == 200


def test_desk_and_advisor_pages_are_for_their_roles(world, login) -> None:
    assert login("jc").get(desk_url(world.here)).status_code == 403
    assert login("desk").get("/staff/desk/my-day").status_code == 403
