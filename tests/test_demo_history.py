"""A year of demo history for the statistics: consistent, plausible, and added only once.

The demo's reference data takes a while to load (its staff passwords are hashed), so one
test per backend builds the history and checks it from several sides.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from consult.database import atomic
from consult.demo import load_demo
from consult.demo_history import MARK, History, add_history
from consult.extensions import db
from consult.models import (
    Appointment,
    ConsultationDay,
    Session,
    Tour,
    TourStop,
    Visit,
    WaitlistEntry,
    utcnow,
)
from tests.support import count

COUNTED = (ConsultationDay, Visit, Appointment, WaitlistEntry, Tour)


def _counts() -> tuple[int, ...]:
    return tuple(count(model) for model in COUNTED)


def _distinct(column: sa.ColumnElement[object]) -> set[object]:
    return set(db.session.scalars(sa.select(column).distinct()))


def test_a_year_of_history_is_consistent_plausible_and_added_once(app: Flask) -> None:
    today = utcnow().date()
    with app.app_context():
        load_demo(today, history=0)
        before = _counts()
        with atomic():
            added = add_history(today, visits=600)
        after = _counts()
        assert added.visits == 600
        assert added.days > 52 and added.tours > 0 and added.waitlist_entries > 0
        expected = (added.days, added.visits, added.appointments, added.waitlist_entries)
        assert tuple(a - b for a, b in zip(after, before, strict=True)) == (*expected, added.tours)

        _check_days(today, added)
        _check_appointments()
        _check_variety()
        _check_referrals()

        with atomic():
            again = add_history(today, visits=600)
        assert again == History(0, 0, 0, 0, 0)
        assert _counts() == after


def _check_days(today: date, added: History) -> None:
    marked = ConsultationDay.title.endswith(MARK)
    assert db.session.scalar(sa.select(sa.func.count()).where(marked)) == added.days
    first, last = db.session.execute(
        sa.select(sa.func.min(ConsultationDay.date), sa.func.max(ConsultationDay.date)).where(
            marked
        )
    ).one()
    assert today - timedelta(days=365) <= first <= last < today
    kinds = {
        str(kind) for kind in db.session.scalars(sa.select(ConsultationDay.kind).where(marked))
    }
    assert kinds == {"joint", "mobile"}
    stops = sa.select(sa.func.count()).select_from(TourStop).join(ConsultationDay)
    assert db.session.scalar(stops.where(marked, ConsultationDay.kind == "mobile")) > 4


def _check_appointments() -> None:
    """Every appointment lies in its session, on its visit's day; every visit has one."""
    misplaced = (
        sa.select(sa.func.count())
        .select_from(Appointment)
        .join(Session, Session.id == Appointment.session_id)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(
            sa.or_(
                Session.day_id != Visit.day_id,
                Session.agency_id != Appointment.agency_id,
                Appointment.starts_dt < Session.starts_dt,
                Appointment.ends_dt > Session.ends_dt,
                Appointment.ends_dt <= Appointment.starts_dt,
                Appointment.desk > Session.desks,
            )
        )
    )
    assert db.session.scalar(misplaced) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(~Visit.appointments.any())) == 0
    # A person's appointments follow one another.
    rows = db.session.execute(
        sa.select(Appointment.visit_id, Appointment.starts_dt, Appointment.ends_dt).order_by(
            Appointment.visit_id, Appointment.starts_dt
        )
    ).all()
    for previous, current in zip(rows, rows[1:], strict=False):
        if previous.visit_id == current.visit_id:
            assert current.starts_dt >= previous.ends_dt


def _check_variety() -> None:
    assert len(_distinct(Visit.origin)) > 1
    assert len(_distinct(Visit.language)) > 1
    assert len(_distinct(Visit.status)) > 1
    assert len(_distinct(Appointment.status)) > 2
    assert len(_distinct(WaitlistEntry.status)) > 1
    offers = sa.select(sa.func.count()).where(Visit.origin == "waitlist")
    assert db.session.scalar(offers) > 0
    assert db.session.scalar(offers.where(Visit.waitlist_entry_id.is_(None))) == 0


def _check_referrals() -> None:
    """A referral names another agency with hours on the same day."""
    referred = db.session.execute(
        sa.select(Appointment.agency_id, Appointment.referred_by_agency_id, Visit.day_id)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(Appointment.referred_by_agency_id.is_not(None))
    ).all()
    assert referred
    agencies_of_day: dict[int, set[int]] = {}
    for day_id, agency_id in db.session.execute(sa.select(Session.day_id, Session.agency_id)):
        agencies_of_day.setdefault(day_id, set()).add(agency_id)
    for agency, referrer, day in referred:
        assert referrer != agency
        assert referrer in agencies_of_day[day]
    referral_visits = sa.select(Visit.id).where(Visit.origin == "referral")
    unreferred = sa.select(sa.func.count()).where(
        Appointment.visit_id.in_(referral_visits), Appointment.referred_by_agency_id.is_(None)
    )
    assert db.session.scalar(unreferred) == 0


def test_without_reference_data_there_is_no_history(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError):
        add_history(utcnow().date(), visits=10)
