"""A family who may be seen apart: each person's appointments keep apart, not the group's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db
from consult.family_booking import book_family
from consult.family_visits import family_plans_for_day
from consult.itineraries import PlannedOpening
from consult.models import Appointment, Consent, Seat, Session, Slot, Visit
from consult.visits import BookingError, BookingRequest, Contact, UnfitPlanError, book_visit
from tests.support import count
from tests.test_family_public import PLAN, family_day, name_who_comes  # noqa: F401  (a fixture)
from tests.test_family_visits import Family, amir_and_leyla, family  # noqa: F401  (a fixture)


@pytest.fixture
def couple(family: Family) -> Family:  # noqa: F811  (the imported fixture)
    """Amir and Leyla's day of `tests.test_family_visits`: Jobcenter, ABH and MBE."""
    return family


@pytest.fixture
def halle(family_day: dict[str, int]) -> dict[str, int]:  # noqa: F811  (the imported fixture)
    """The public pages' family day of `tests.test_family_public`."""
    return family_day


def plan_apart(f: Family, language: str | None = None):
    each = [[f.money, f.residence], [f.money, f.counselling]]
    return family_plans_for_day(f.day, each, apart=True, language=language).plans()[0]


def book_apart(f: Family, appointments, *, apart: bool = True, language: str = "de") -> Visit:
    contact = Contact("Amir", phone="+4915123456789", language=language)
    request = BookingRequest(f.day.id, appointments, contact, apart=apart)
    return book_family(request, amir_and_leyla(f))


def at(session: Session, index: int) -> PlannedOpening:
    """The session's `index`-th slot (20 minutes from 09:00) as a wished appointment."""
    slots = db.session.scalars(
        sa.select(Slot).where(Slot.session_id == session.id).order_by(Slot.starts_dt)
    ).all()
    return PlannedOpening(session.id, (slots[index].id,))


def written() -> tuple[int, int, int, int]:
    return count(Visit), count(Appointment), count(Seat), count(Consent)


def test_a_family_seen_apart_books_everybody_s_appointments_side_by_side(couple: Family) -> None:
    plan = plan_apart(couple)
    # The Jobcenter together, then the immigration office and counselling at once.
    assert plan.plan.time_on_site == timedelta(minutes=60)

    lead = book_apart(couple, plan.plan.appointments)
    db.session.commit()

    (leyla,) = lead.members
    mine = {a.agency_id: a for a in lead.appointments}
    hers = {a.agency_id: a for a in leyla.appointments}
    assert set(mine) == {couple.jobcenter.agency_id, couple.abh.agency_id}
    assert set(hers) == {couple.jobcenter.agency_id, couple.mbe.agency_id}
    assert hers[couple.jobcenter.agency_id].shared_with is mine[couple.jobcenter.agency_id]
    assert mine[couple.abh.agency_id].starts_dt == hers[couple.mbe.agency_id].starts_dt
    assert count(Seat) == 3


def test_without_the_tick_the_same_plan_is_refused_and_nothing_written(couple: Family) -> None:
    plan = plan_apart(couple)
    before = written()

    with pytest.raises(UnfitPlanError, match="overlap"):
        book_apart(couple, plan.plan.appointments, apart=False)

    db.session.commit()
    assert written() == before


def test_one_person_s_appointments_never_overlap_even_with_the_tick(couple: Family) -> None:
    # Amir at the Jobcenter and the immigration office at 09:00 both.
    wishes = [at(couple.jobcenter, 0), at(couple.abh, 0), at(couple.mbe, 2)]

    with pytest.raises(UnfitPlanError, match="overlap"):
        book_apart(couple, wishes)

    db.session.commit()
    assert written() == (0, 0, 0, 0)


def test_an_ordinary_visit_with_overlapping_appointments_is_still_refused(couple: Family) -> None:
    wishes = [at(couple.abh, 2), at(couple.mbe, 2)]
    topic_ids = [couple.residence.id, couple.counselling.id]
    request = BookingRequest(couple.day.id, wishes, Contact("Reza"), topic_ids, apart=True)

    with pytest.raises(UnfitPlanError, match="overlap"):
        book_visit(request)


def test_a_family_booking_apart_is_all_or_nothing(couple: Family) -> None:
    plan = plan_apart(couple)
    leyla_own = next(o for o in plan.plan.appointments if o.agency_id == couple.mbe.agency_id)
    book_visit(BookingRequest(couple.day.id, [leyla_own], Contact("Reza")))
    db.session.commit()
    before = written()

    with pytest.raises(BookingError, match="just taken"):
        book_apart(couple, plan.plan.appointments)

    db.session.commit()
    assert written() == before


def test_a_language_the_agencies_do_not_speak_keeps_the_family_together(couple: Family) -> None:
    # A mediator would go with them, so they stay together, in the plans and at booking.
    assert plan_apart(couple, language="ar").plan.time_on_site == timedelta(minutes=100)

    with pytest.raises(UnfitPlanError, match="overlap"):
        book_apart(couple, plan_apart(couple).plan.appointments, language="ar")


def test_the_tick_gives_plans_with_appointments_at_the_same_time(
    app: Flask,
    client: FlaskClient,
    halle: dict[str, int],
) -> None:
    client.get("/lang/en")
    name_who_comes(client, halle, speak="de", apart="y")
    again = client.get("/family").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="apart"', again)  # the tick is kept

    plans = client.get(f"/family/day/{halle['day']}").get_data(as_text=True)
    assert "Some of you may be seen at different desks at the same time" in plans
    assert "At the same time: Amir at Ausländerbehörde, Leyla at MBE." in plans
    token = PLAN.search(plans).group(1)
    booked = client.post(
        f"/family/day/{halle['day']}/book?plan={token}",
        data={"plan": token, "name": "Amir", "language": "de"},
    )

    assert booked.status_code == 302, booked.get_data(as_text=True)
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert "At the same time: Amir at Ausländerbehörde, Leyla at MBE." in page
    with app.app_context():
        starts = {a.agency.name: a.starts_dt for a in db.session.scalars(sa.select(Appointment))}
        assert starts["Ausländerbehörde"] == starts["MBE"]
        assert count(Seat) == 3


def test_with_a_language_the_services_do_not_speak_the_plans_keep_the_family_together(
    client: FlaskClient, halle: dict[str, int]
) -> None:
    client.get("/lang/en")
    name_who_comes(client, halle, speak="ar", apart="y")

    plans = client.get(f"/family/day/{halle['day']}").get_data(as_text=True)

    assert "You stay together because not every service here speaks your language" in plans
    assert "At the same time" not in plans
