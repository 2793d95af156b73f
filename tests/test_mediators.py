"""Language mediators: the planner fits visits into their free time, bookings never share one."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, time

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.database import atomic
from consult.extensions import db
from consult.itineraries import PlannedOpening, plans_for_day
from consult.mediators import service
from consult.models import ConsultationDay, StaffUser, Topic, Visit
from consult.planner.accompanied import fits_shift
from consult.statistics import figures, folding
from consult.visits import BookingError, BookingRequest, Contact, book_visit
from tests.conftest import make_app
from tests.factories import (
    create_agency,
    create_day,
    create_mediator,
    create_session,
    create_shift,
    create_topic,
)
from tests.support import count


@dataclass(frozen=True)
class World:
    day_id: int
    topic_ids: tuple[int, ...]
    mediator_id: int


def build_world(shift: tuple[time, time] = (time(9, 0), time(10, 0))) -> World:
    """Two agencies that speak only German, 09:00-11:00 in 20-minute slots, and a mediator."""
    day = create_day()
    topics = []
    for _ in range(2):
        agency = create_agency()
        topic = create_topic([agency], default_minutes=20)
        create_session(day, agency, [topic], starts=time(9), ends=time(11), desks=3)
        topics.append(topic)
    mediator = create_mediator(languages=["fa", "prs"])
    create_shift(mediator, day, *shift)
    db.session.commit()
    return World(day.id, tuple(t.id for t in topics), mediator.id)


def plans(world: World, language: str = "fa", **params):
    day = db.session.get(ConsultationDay, world.day_id)
    topics = [db.session.get(Topic, t) for t in world.topic_ids]
    return plans_for_day(day, topics, language=language, limit=50, **params)


def request_of(world: World, plan, name: str = "Amina", **params) -> BookingRequest:
    contact = Contact(name=name, language=params.pop("language", "fa"))
    appointments = params.pop("appointments", None) or plan.appointments
    topic_ids = () if plan is None else world.topic_ids
    return BookingRequest(world.day_id, appointments, contact, topic_ids=topic_ids, **params)


def test_a_visit_in_a_language_nobody_speaks_fits_inside_the_mediators_hours(ctx: Flask) -> None:
    world = build_world()
    found = plans(world)
    assert found.mediator_language == "fa"
    assert found.plans
    day_start = found.plans[0].starts_dt.replace(hour=8, minute=0)  # 09:00 in Berlin (UTC+1)
    for plan in found.plans:
        assert day_start <= plan.starts_dt and plan.ends_dt <= day_start.replace(hour=9)
    # German is spoken: no mediator, and the whole morning is open.
    german = plans(world, language="de")
    assert german.mediator_language is None
    assert max(p.ends_dt for p in german.plans) > day_start.replace(hour=9)


def test_without_a_mediator_who_speaks_it_the_plans_are_the_usual_ones(ctx: Flask) -> None:
    world = build_world()
    found = plans(world, language="uk")
    assert found.mediator_language is None and not found.mediator_missing
    assert found.plans and all(p.language_issues == 2 for p in found.plans)
    asked = plans(world, language="uk", mediator=True)
    assert asked.mediator_missing and asked.plans


def test_a_person_may_ask_for_a_mediator_in_a_language_the_agencies_speak(ctx: Flask) -> None:
    world = build_world()
    mediator = db.session.get(StaffUser, world.mediator_id)
    mediator.languages = ["de"]
    db.session.commit()
    assert plans(world, language="de").mediator_language is None
    assert plans(world, language="de", mediator=True).mediator_language == "de"


def test_booking_gives_the_visit_its_mediator_and_a_second_visit_cannot_share_them(
    ctx: Flask,
) -> None:
    world = build_world()
    first, *_ = plans(world).plans
    visit = book_visit(request_of(world, first, mediator=True))
    db.session.commit()
    assert visit.mediator_id == world.mediator_id and visit.mediator_wanted

    # What is left of the mediator's hour is too short for another visit: the plans
    # offered now are the usual ones, without a mediator.
    assert plans(world).mediator_language is None
    clash = next(p for p in plans(world, language="de").plans if p.starts_dt == first.starts_dt)
    with pytest.raises(BookingError, match="no language mediator"):
        book_visit(request_of(world, clash, name="Reza", mediator=True))
    db.session.rollback()
    assert count(Visit) == 1

    # Cancelling frees the mediator at once.
    db.session.get(Visit, visit.id).cancel()
    db.session.commit()
    again = book_visit(request_of(world, clash, name="Reza", mediator=True))
    assert again.mediator_id == world.mediator_id


def test_a_needed_mediator_is_given_when_free_and_the_visit_is_booked_without_one_otherwise(
    ctx: Flask,
) -> None:
    world = build_world()
    first = plans(world).plans[0]
    visit = book_visit(request_of(world, first))
    db.session.commit()
    assert visit.mediator_id == world.mediator_id and not visit.mediator_wanted
    # The same times again: the mediator is busy, the booking goes ahead without them.
    second = book_visit(request_of(world, first, name="Reza"))
    db.session.commit()
    assert second.mediator_id is None
    # German speakers need none.
    third = book_visit(request_of(world, first, name="Jana", language="de"))
    assert third.mediator_id is None


def test_the_mediator_must_speak_the_language(ctx: Flask) -> None:
    world = build_world()
    plan = plans(world, language="ar").plans[0]
    with pytest.raises(BookingError, match="no language mediator"):
        book_visit(request_of(world, plan, language="ar", mediator=True))


def test_signing_up_and_withdrawing(ctx: Flask) -> None:
    world = build_world()
    mediator = db.session.get(StaffUser, world.mediator_id)
    day = db.session.get(ConsultationDay, world.day_id)
    service.sign_up(mediator, day, time(9), time(11))
    db.session.commit()
    visit = book_visit(request_of(world, plans(world).plans[-1], mediator=True))
    db.session.commit()
    with pytest.raises(service.MediatorError, match="cannot withdraw"):
        service.withdraw(mediator, day)
    with pytest.raises(service.MediatorError, match="must still cover"):
        service.sign_up(mediator, day, time(9), time(9, 30))
    db.session.rollback()
    # The same morning at another place: refused, the mediator cannot be in two places.
    elsewhere = create_day(date=day.date)
    db.session.commit()
    with pytest.raises(service.MediatorError, match="another place"):
        service.sign_up(mediator, elsewhere, time(10), time(12))
    db.session.rollback()
    service.sign_up(mediator, elsewhere, time(11), time(12))
    db.session.rollback()
    db.session.get(Visit, visit.id).cancel()
    service.withdraw(mediator, day)
    db.session.commit()
    assert not plans(world).mediator_language


WORKERS = 8


@pytest.mark.parametrize("checked", [True, False], ids=["checked", "control"])
def test_concurrent_bookings_never_share_a_mediator(
    database_url: str, checked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WORKERS threads, each with its own connection, book the same times with a mediator.

    The control run turns the mediator's free-time check off: then several visits get
    the one mediator at once, which proves that the test can see a double booking.
    """
    app = make_app(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS + 2})
    with app.app_context():
        world = build_world()
        with app.test_request_context():
            plan = plans(world).plans[0]
    if not checked:
        monkeypatch.setattr(service, "fits_shift", lambda *args, **kwargs: True)
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                with atomic():
                    book_visit(request_of(world, plan, name=f"Racer {n}", mediator=True))
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
    with app.app_context():
        accompanied = db.session.scalars(
            sa.select(Visit).where(Visit.mediator_id == world.mediator_id)
        ).all()
        spans = sorted((v.starts_dt, v.appointments[-1].ends_dt) for v in accompanied)
        double_booked = any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
        if checked:
            assert outcomes.count("booked") == 1
            assert not double_booked
            # Nothing half-written: the refused bookings left no visit behind.
            assert count(Visit) == 1
        else:
            assert double_booked
        db.session.remove()
        db.engine.dispose()


def test_fits_shift_is_what_the_control_turns_off() -> None:
    # The control above patches this name; the booking must look it up there.
    assert service.fits_shift is fits_shift


def test_statistics_count_the_visits_with_a_mediator(app: Flask) -> None:
    with app.app_context():
        world = build_world()
        with app.test_request_context("/?lang=en"):
            first = plans(world).plans[0]
            book_visit(request_of(world, first, mediator=True))
            book_visit(request_of(world, first, name="Jana", language="de"))
            db.session.commit()
            with atomic():
                folding.refresh()
            period = figures.Filters(date(2030, 3, 1), date(2030, 3, 31))
            (demand,) = [
                s for s in figures.dashboard(period, date(2030, 4, 1)) if s.key == "demand"
            ]
    (table,) = [t for t in demand.tables if t.key == "mediators"]
    rows = table.shown_rows(1)
    assert rows[0][:2] == ["فارسی", 1]  # languages by their own names, as in the other tables
    assert rows[-1][:2] == ["All", 1]


def test_an_appointment_added_later_must_keep_the_visit_inside_the_mediators_time(
    ctx: Flask,
) -> None:
    world = build_world(shift=(time(9), time(11)))
    first = plans(world).plans[0]
    visit = book_visit(request_of(world, first, mediator=True))
    db.session.commit()
    day = db.session.get(ConsultationDay, world.day_id)
    third = create_session(day, create_agency(), starts=time(9), ends=time(12), desks=2)
    db.session.commit()

    late = PlannedOpening(third.id, (third.slots[7].id,))  # 11:20, after the mediator has gone
    with pytest.raises(BookingError, match="no language mediator"):
        book_visit(request_of(world, plan=None, appointments=[late], add_to_visit_id=visit.id))
    db.session.rollback()
    inside = PlannedOpening(third.id, (third.slots[4].id,))  # 10:20
    book_visit(request_of(world, plan=None, appointments=[inside], add_to_visit_id=visit.id))
    db.session.commit()
    assert len(db.session.get(Visit, visit.id).active_appointments) == 3


def test_signing_up_and_withdrawing_change_the_days_revision(ctx: Flask) -> None:
    """Cached plans are keyed by the day's revision: what changes a mediator's time bumps it."""
    world = build_world()
    mediator = db.session.get(StaffUser, world.mediator_id)
    day = db.session.get(ConsultationDay, world.day_id)

    def revision() -> int:
        db.session.expire_all()
        return db.session.get(ConsultationDay, world.day_id).revision

    before = revision()
    service.sign_up(mediator, day, time(9), time(11))
    db.session.commit()
    assert revision() > before
    before = revision()
    service.withdraw(mediator, day)
    db.session.commit()
    assert revision() > before


def test_sign_up_hours_must_lie_within_the_days_opening_hours(ctx: Flask) -> None:
    world = build_world()  # sessions 09:00-11:00, the mediator signed up 09:00-10:00
    mediator = db.session.get(StaffUser, world.mediator_id)
    day = db.session.get(ConsultationDay, world.day_id)
    with pytest.raises(service.OutsideOpeningHours, match="start time") as early:
        service.sign_up(mediator, day, time(8, 45), time(10))
    assert early.value.field == "starts" and early.value.params == {"time": "09:00"}
    with pytest.raises(service.OutsideOpeningHours, match="end time") as late:
        service.sign_up(mediator, day, time(9), time(11, 15))
    assert late.value.field == "ends" and late.value.params == {"time": "11:00"}
    db.session.rollback()
    service.sign_up(mediator, day, time(9), time(11))  # the whole day is fine
    db.session.commit()
