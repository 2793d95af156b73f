"""Booking a visit: all or nothing, no clashes, and never more people than desks."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import time

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.database import atomic
from consult.extensions import db
from consult.models import Appointment, AppointmentStatus, Consent, Seat, Slot, Visit
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.conftest import make_app
from tests.factories import create_day, create_session, create_topic
from tests.support import count


@dataclass(frozen=True)
class Wish:
    session_id: int
    slot_ids: tuple[int, ...]


def wish(session, first: int, count: int = 1) -> Wish:
    return Wish(session.id, tuple(s.id for s in session.slots[first : first + count]))


def request_for(day, *wishes: Wish, name: str = "Amina", **params) -> BookingRequest:
    return BookingRequest(day.id, wishes, Contact(name=name), **params)


@pytest.fixture
def day_with_two_agencies(ctx: Flask):
    day = create_day()
    first = create_session(day, slot_minutes=20, desks=2)
    second = create_session(day, slot_minutes=20, desks=1)
    db.session.commit()
    return day, first, second


def test_books_a_visit_back_to_back_with_one_reference(day_with_two_agencies) -> None:
    day, first, second = day_with_two_agencies
    visit = book_visit(request_for(day, wish(first, 0), wish(second, 2)))

    assert len(visit.reference) == 14
    assert [a.agency_id for a in visit.appointments] == [first.agency_id, second.agency_id]
    assert all(a.status is AppointmentStatus.BOOKED for a in visit.appointments)
    assert count(Seat) == 2


def test_an_appointment_spanning_slots_holds_one_desk_in_each(day_with_two_agencies) -> None:
    day, first, _ = day_with_two_agencies
    long_talk = create_topic([first.agency], default_minutes=40)  # two 20-minute slots
    first.topics.append(long_talk)
    db.session.commit()
    visit = book_visit(request_for(day, wish(first, 0, count=2), topic_ids=[long_talk.id]))

    appointment = visit.appointments[0]
    assert appointment.starts_dt == first.slots[0].starts_dt
    assert appointment.ends_dt == first.slots[1].ends_dt
    assert sorted((s.slot_id, s.desk) for s in appointment.seats) == [
        (first.slots[0].id, 1),
        (first.slots[1].id, 1),
    ]


def test_second_booking_takes_the_next_desk_and_a_third_is_refused(day_with_two_agencies) -> None:
    day, first, _ = day_with_two_agencies
    one = book_visit(request_for(day, wish(first, 0)))
    two = book_visit(request_for(day, wish(first, 0), name="Reza"))

    assert (one.appointments[0].desk, two.appointments[0].desk) == (1, 2)
    with pytest.raises(BookingError, match="just taken"):
        book_visit(request_for(day, wish(first, 0), name="Elif"))
    assert count(Visit) == 2


def test_overlapping_appointments_are_refused_and_nothing_is_written(
    day_with_two_agencies,
) -> None:
    day, first, second = day_with_two_agencies
    with pytest.raises(BookingError, match="overlap"):
        book_visit(request_for(day, wish(first, 0), wish(second, 0)))
    assert (count(Visit), count(Appointment), count(Seat)) == (0, 0, 0)


def test_the_changeover_gap_is_kept(ctx: Flask) -> None:
    day = create_day()
    first = create_session(day, slot_minutes=20)
    # Starts 09:20, when a 09:00-09:20 appointment ends: no overlap, but no gap either.
    second = create_session(day, starts=time(9, 20), ends=time(10, 20), slot_minutes=20)
    third = create_session(day, starts=time(9, 25), ends=time(10, 25), slot_minutes=20)
    db.session.commit()

    with pytest.raises(BookingError, match="5 minutes apart"):
        book_visit(request_for(day, wish(first, 0), wish(second, 0)))
    visit = book_visit(request_for(day, wish(first, 0), wish(third, 0)))
    assert len(visit.appointments) == 2


def test_all_or_nothing_when_one_appointment_is_full(day_with_two_agencies) -> None:
    day, first, second = day_with_two_agencies
    book_visit(request_for(day, wish(second, 2)))

    with pytest.raises(BookingError):
        book_visit(request_for(day, wish(first, 0), wish(second, 2), name="Reza"))
    assert count(Visit) == 1
    assert count(Seat) == 1


def test_cancelling_frees_the_seat_at_once(day_with_two_agencies) -> None:
    day, _, second = day_with_two_agencies
    visit = book_visit(request_for(day, wish(second, 0)))
    visit.cancel("changed plans")
    db.session.commit()

    assert count(Seat) == 0
    assert visit.appointments[0].status is AppointmentStatus.CANCELLED
    again = book_visit(request_for(day, wish(second, 0), name="Reza"))
    assert again.appointments[0].desk == 1


def test_consent_is_recorded_with_its_wording(day_with_two_agencies) -> None:
    day, first, _ = day_with_two_agencies
    wording = "May the advisors of this visit talk to each other about your case?"
    visit = book_visit(request_for(day, wish(first, 0), consent_wording=wording))

    consent = db.session.scalar(sa.select(Consent))
    assert consent.wording == wording
    assert visit.consent_to_share is True


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        (Contact(name="   "), "Please give a name"),
        (Contact(name="x" * 81), "too long"),
        (Contact(name="Amina", phone="call me"), "phone number"),
        (Contact(name="Amina", email="amina.example.org"), "e-mail address"),
        (Contact(name="Amina", language="xx"), "offered languages"),
    ],
)
def test_bad_contact_data_gets_a_clear_message(day_with_two_agencies, contact, message) -> None:
    day, first, _ = day_with_two_agencies
    with pytest.raises(BookingError, match=message):
        book_visit(BookingRequest(day.id, [wish(first, 0)], contact))
    assert count(Visit) == 0


def test_slots_of_another_day_or_session_are_refused(day_with_two_agencies) -> None:
    day, first, second = day_with_two_agencies
    other_day = create_day()
    other = create_session(other_day)
    db.session.commit()

    forged = Wish(first.id, (second.slots[0].id,))
    for bad in (wish(other, 0), forged, Wish(first.id, (999_999,))):
        with pytest.raises(BookingError, match="no longer offered"):
            book_visit(request_for(day, bad))
    # Non-contiguous slots cannot make one appointment.
    gap = Wish(first.id, (first.slots[0].id, first.slots[2].id))
    with pytest.raises(BookingError, match="no longer offered"):
        book_visit(request_for(day, gap))
    assert count(Visit) == 0


WORKERS = 20


@pytest.mark.parametrize("free_seats", [1, 3])
def test_concurrent_bookers_never_overbook(database_url: str, free_seats: int) -> None:
    """WORKERS threads, each with its own connection, race for the last free seats of a slot."""
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS + 2})
    capacity = 4
    with app.app_context():
        day = create_day()
        session = create_session(day, desks=capacity)
        db.session.commit()
        for n in range(capacity - free_seats):
            book_visit(request_for(day, wish(session, 0), name=f"Early {n}"))
        db.session.commit()
        day_id, target = day.id, wish(session, 0)
        slot_id = session.slots[0].id

    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with atomic():
                    book_visit(BookingRequest(day_id, [target], Contact(name=f"Racer {n}")))
                outcome = "booked"
            except BookingError:
                outcome = "refused"
            finally:
                db.session.remove()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == WORKERS
    assert outcomes.count("booked") == free_seats
    assert outcomes.count("refused") == WORKERS - free_seats
    with app.app_context():
        desks = db.session.scalars(sa.select(Seat.desk).where(Seat.slot_id == slot_id)).all()
        assert sorted(desks) == list(range(1, capacity + 1))
        assert db.session.get(Slot, slot_id).capacity == capacity
        # Nothing half-written: every visit has its appointment, every appointment its seat.
        assert count(Visit) == capacity
        assert count(Appointment) == capacity
        db.session.remove()
        db.engine.dispose()


def test_moving_a_visit_frees_the_old_seats_only_when_the_new_ones_are_booked(
    day_with_two_agencies,
) -> None:
    day, first, second = day_with_two_agencies
    visit = book_visit(request_for(day, wish(second, 0)))
    reference = visit.reference
    book_visit(request_for(day, wish(second, 2), name="Reza"))  # takes the only desk at 09:40

    with pytest.raises(BookingError):
        book_visit(request_for(day, wish(second, 2), visit_id=visit.id))
    db.session.expire_all()
    assert [a.starts_dt for a in visit.active_appointments] == [second.slots[0].starts_dt]

    moved = book_visit(request_for(day, wish(second, 1), visit_id=visit.id))
    assert moved.reference == reference
    assert [a.starts_dt for a in moved.active_appointments] == [second.slots[1].starts_dt]
    assert [a.cancel_reason for a in moved.appointments if a.status.value == "cancelled"] == [
        "moved"
    ]
    # The old 09:00 seat is free again.
    assert book_visit(request_for(day, wish(second, 0), name="Elif")).appointments[0].desk == 1


def test_a_referral_adds_an_appointment_without_touching_the_others(day_with_two_agencies) -> None:
    day, first, second = day_with_two_agencies
    visit = book_visit(request_for(day, wish(first, 0)))

    with pytest.raises(BookingError, match="5 minutes apart"):
        book_visit(request_for(day, wish(second, 1), add_to_visit_id=visit.id))
    with pytest.raises(BookingError, match="one appointment with each service"):
        book_visit(request_for(day, wish(first, 2), add_to_visit_id=visit.id))
    extended = book_visit(request_for(day, wish(second, 2), add_to_visit_id=visit.id))

    assert extended.id == visit.id
    assert [a.agency_id for a in extended.active_appointments] == [
        first.agency_id,
        second.agency_id,
    ]
    assert count(Visit) == 1


def test_concurrent_walk_ins_each_get_their_own_ticket(database_url: str) -> None:
    """Desks queueing walk-ins at once: no deadlock, no ticket twice (PostgreSQL locks rows)."""
    from datetime import timedelta

    from consult.frontdesk.service import queue_walk_in
    from consult.models import ConsultationDay, Topic, today_in
    from tests.factories import create_agency

    desks = 8
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": desks + 2})
    with app.app_context():
        agency = create_agency()
        topic = create_topic([agency])
        day = create_day(date=today_in("Europe/Berlin") + timedelta(days=1))
        create_session(day, agency, [topic])
        db.session.commit()
        day_id, topic_id = day.id, topic.id

    barrier = threading.Barrier(desks)
    errors: list[BaseException] = []

    def desk(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                with atomic():
                    queue_walk_in(
                        db.session.get(ConsultationDay, day_id),
                        Contact(name=f"Walk-in {n}"),
                        [db.session.get(Topic, topic_id)],
                    )
            except BaseException as error:  # noqa: BLE001  (collected and reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with app.app_context():
        tickets = db.session.scalars(sa.select(Visit.ticket).where(Visit.day_id == day_id)).all()
        assert sorted(tickets) == list(range(1, desks + 1))
        db.session.remove()
        db.engine.dispose()
