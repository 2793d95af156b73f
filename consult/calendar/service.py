"""Queries behind the combined calendar."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.calendar.grid import DayGrid, build_day_grid
from consult.extensions import db
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    ConsultationDay,
    DayStatus,
    Seat,
    Session,
    SessionStatus,
    Slot,
    Visit,
)


def sessions_on(location_id: int, day: date, agency_id: int | None = None) -> list[Session]:
    """The non-withdrawn sessions at a location on a date (optionally one agency's)."""
    query = (
        sa.select(Session)
        .join(ConsultationDay)
        .where(
            ConsultationDay.location_id == location_id,
            ConsultationDay.date == day,
            ConsultationDay.status != DayStatus.CANCELLED,
            Session.status != SessionStatus.WITHDRAWN,
        )
        .options(selectinload(Session.agency), selectinload(Session.day))
        .order_by(Session.agency_id, Session.starts_dt)
    )
    if agency_id:
        query = query.where(Session.agency_id == agency_id)
    return list(db.session.scalars(query))


def day_grid(sessions: list[Session]) -> tuple[DayGrid, list[Appointment]]:
    """The grid of a day's sessions and the active appointments placed in it."""
    session_ids = [s.id for s in sessions]
    appointments = list(
        db.session.scalars(
            sa.select(Appointment)
            .where(
                Appointment.session_id.in_(session_ids),
                Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
            )
            .options(
                selectinload(Appointment.visit).selectinload(Visit.appointments),
                selectinload(Appointment.visit).selectinload(Visit.consents),
                selectinload(Appointment.visit)
                .selectinload(Visit.group_lead)
                .selectinload(Visit.members),
                selectinload(Appointment.visit).selectinload(Visit.members),
                selectinload(Appointment.topics),
                selectinload(Appointment.agency),
                selectinload(Appointment.companions),
            )
        )
    )
    starts = db.session.scalars(sa.select(Slot.starts_dt).where(Slot.session_id.in_(session_ids)))
    # A family's shared appointment is one desk: the grid shows its holder, with everybody.
    held = [a for a in appointments if a.shared_with_id is None]
    return build_day_grid(sessions, held, starts), appointments


@dataclass(frozen=True)
class SessionLoad:
    """How full one session is: booked desk-slots out of all."""

    session: Session
    booked: int
    capacity: int
    appointments: int


def week_loads(
    start: date, *, location_id: int | None = None, agency_id: int | None = None
) -> dict[date, list[SessionLoad]]:
    """Per day of the week from `start`, each session's load (by location or by agency)."""
    query = (
        sa.select(Session)
        .join(ConsultationDay)
        .where(
            ConsultationDay.date >= start,
            ConsultationDay.date < start + timedelta(days=7),
            ConsultationDay.status != DayStatus.CANCELLED,
            Session.status != SessionStatus.WITHDRAWN,
        )
        .options(selectinload(Session.agency), selectinload(Session.day))
        .order_by(ConsultationDay.date, Session.starts_dt)
    )
    if location_id:
        query = query.where(ConsultationDay.location_id == location_id)
    if agency_id:
        query = query.where(Session.agency_id == agency_id)
    sessions = list(db.session.scalars(query))
    ids = [s.id for s in sessions]
    capacity = dict(
        db.session.execute(
            sa.select(Slot.session_id, sa.func.sum(Slot.capacity))
            .where(Slot.session_id.in_(ids))
            .group_by(Slot.session_id)
        ).all()
    )
    booked = dict(
        db.session.execute(
            sa.select(Slot.session_id, sa.func.count())
            .join(Seat, Seat.slot_id == Slot.id)
            .where(Slot.session_id.in_(ids))
            .group_by(Slot.session_id)
        ).all()
    )
    counts = dict(
        db.session.execute(
            sa.select(Appointment.session_id, sa.func.count())
            .where(
                Appointment.session_id.in_(ids),
                Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
            )
            .group_by(Appointment.session_id)
        ).all()
    )
    week: dict[date, list[SessionLoad]] = defaultdict(list)
    for session in sessions:
        week[session.day.date].append(
            SessionLoad(
                session,
                booked.get(session.id, 0),
                capacity.get(session.id, 0),
                counts.get(session.id, 0),
            )  # fmt: skip
        )
    return week
