"""What the front desk and the advisors see: arrivals, the queue, search, the hall display."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Session,
    SessionStatus,
    Topic,
    Visit,
    VisitStatus,
    normalise_reference,
)

# The waiting-room display shows a call for this long.
DISPLAY_CALLED_FOR = timedelta(minutes=15)
DISPLAY_CALLED_MAX = 8
DISPLAY_WAITING_MAX = 12
MAX_SEARCH = 80


# ---------------------------------------------------------------- reading


def days_at(location_id: int, on: date) -> list[ConsultationDay]:
    """The consultation days at a location on a date that are not cancelled."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id == location_id,
                ConsultationDay.date == on,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .order_by(ConsultationDay.id)
        )
    )


def upcoming_days(
    location_ids: Sequence[int], since: date, limit: int = 12
) -> list[ConsultationDay]:
    """The next days that are not cancelled at these locations, soonest first."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id.in_(location_ids),
                ConsultationDay.date >= since,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .options(selectinload(ConsultationDay.location))
            .order_by(ConsultationDay.date, ConsultationDay.location_id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Arrival:
    """One visit expected at the desk, with the person's whole path through the day."""

    visit: Visit
    appointments: tuple[Appointment, ...]

    @property
    def starts_dt(self) -> datetime:
        return self.appointments[0].starts_dt

    @property
    def status(self) -> AppointmentStatus:
        """Where the person is now: in a consultation, waiting, expected, or done."""
        states = {a.status for a in self.appointments}
        for state in (
            AppointmentStatus.IN_CONSULTATION,
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.BOOKED,
            AppointmentStatus.DONE,
        ):
            if state in states:
                return state
        return AppointmentStatus.NO_SHOW

    @property
    def can_check_in(self) -> bool:
        return any(a.status is AppointmentStatus.BOOKED for a in self.appointments)


@dataclass(frozen=True)
class QueuedWalkIn:
    """A walk-in with a queue ticket, waiting for a free desk for these topics."""

    visit: Visit
    waiting_topics: tuple[Topic, ...]

    @property
    def in_consultation(self) -> bool:
        return any(a.status is AppointmentStatus.IN_CONSULTATION for a in self.visit.appointments)


def _visits_of(days: Sequence[ConsultationDay]) -> sa.Select[tuple[Visit]]:
    return (
        sa.select(Visit)
        .where(Visit.day_id.in_([d.id for d in days]), Visit.status == VisitStatus.BOOKED)
        .options(
            selectinload(Visit.appointments).selectinload(Appointment.agency),
            selectinload(Visit.appointments).selectinload(Appointment.topics),
            selectinload(Visit.topics),
            selectinload(Visit.group_lead),
            selectinload(Visit.members),
        )
    )


def _search_condition(text: str) -> sa.ColumnElement[bool]:
    """Match a reference (whole, or a piece such as the last four symbols), a name or a ticket."""
    text = " ".join(text.split())[:MAX_SEARCH]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions = [
        Visit.reference == normalise_reference(text),
        Visit.name.ilike(f"%{escaped}%", escape="\\"),
    ]
    symbols = normalise_reference(text).replace("-", "")
    if len(symbols) >= 4 and symbols.isalnum():
        conditions.append(sa.func.replace(Visit.reference, "-", "").contains(symbols))
    if text.isascii() and text.isdigit() and len(text) <= 6:
        conditions.append(Visit.ticket == int(text))
    return sa.or_(*conditions)


def arrivals(days: Sequence[ConsultationDay], search: str = "") -> list[Arrival]:
    """Booked visits of the days in the order of their first appointment, optionally searched."""
    query = _visits_of(days)
    if search.strip():
        # A family is found by any of its people, so the lead's reference shows everybody.
        matched = sa.select(Visit.id).where(_search_condition(search)).correlate(None)
        query = query.where(sa.or_(Visit.id.in_(matched), Visit.group_lead_id.in_(matched)))
    found = []
    for visit in db.session.scalars(query):
        active = sorted(visit.active_appointments, key=lambda a: (a.starts_dt, a.id))
        if active:
            found.append(Arrival(visit, tuple(active)))
    # A family's people stand together, in the order of its earliest start.
    starts: dict[int, datetime] = {}
    for arrival in found:
        lead = arrival.visit.group_lead_id or arrival.visit.id
        starts[lead] = min(starts.get(lead, arrival.starts_dt), arrival.starts_dt)
    found.sort(
        key=lambda a: (
            starts[a.visit.group_lead_id or a.visit.id],
            a.visit.ticket or 0,
            a.visit.group_lead_id or a.visit.id,
            a.visit.id,
        )
    )
    return found


def _waiting_topics(visit: Visit) -> tuple[Topic, ...]:
    covered = {t.id for a in visit.active_appointments for t in a.topics}
    return tuple(t for t in visit.topics if t.id not in covered)


def queue(days: Sequence[ConsultationDay], search: str = "") -> list[QueuedWalkIn]:
    """Walk-ins with a queue ticket who still wait for a desk, first come first."""
    query = _visits_of(days).where(Visit.walk_in, Visit.ticket.is_not(None))
    if search.strip():
        query = query.where(_search_condition(search))
    waiting = []
    for visit in db.session.scalars(query.order_by(Visit.ticket)):
        topics = _waiting_topics(visit)
        if topics:
            waiting.append(QueuedWalkIn(visit, topics))
    return waiting


def find_reference(text: str) -> Visit | None:
    """The visit with exactly this booking reference, on any day."""
    return db.session.scalar(sa.select(Visit).where(Visit.reference == normalise_reference(text)))


def ticket_label(visit: Visit) -> str:
    """What the hall display shows for a person: the ticket, or the end of the reference."""
    return str(visit.ticket) if visit.ticket is not None else visit.reference[-4:]


# ---------------------------------------------------------------- the advisor's day


def agency_sessions(agency_id: int, on: date) -> list[Session]:
    """An agency's published hours on a date, at every location."""
    return list(
        db.session.scalars(
            sa.select(Session)
            .join(ConsultationDay)
            .where(
                Session.agency_id == agency_id,
                Session.status == SessionStatus.PUBLISHED,
                ConsultationDay.date == on,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .options(selectinload(Session.day).selectinload(ConsultationDay.location))
            .order_by(Session.starts_dt, Session.id)
        )
    )


def session_appointments(session: Session) -> list[Appointment]:
    """The appointments of a session that still count, in time order."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(
                Appointment.session_id == session.id,
                Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
            )
            .options(selectinload(Appointment.visit), selectinload(Appointment.topics))
            .order_by(Appointment.starts_dt, Appointment.id)
        )
    )


def queue_for(session: Session) -> list[QueuedWalkIn]:
    """Queued walk-ins of the session's day that this session can serve."""
    offered = {t.id for t in session.topics}
    return [
        QueuedWalkIn(entry.visit, tuple(t for t in entry.waiting_topics if t.id in offered))
        for entry in queue([session.day])
        if any(t.id in offered for t in entry.waiting_topics)
    ]


# ---------------------------------------------------------------- the waiting-room display


@dataclass(frozen=True)
class Call:
    """A ticket called to a room, as the hall display shows it."""

    label: str
    room: str
    called_dt: datetime


@dataclass(frozen=True)
class Board:
    """What the hall display shows: recent calls, newest first, and who waits next."""

    called: tuple[Call, ...]
    waiting: tuple[str, ...]


def display_board(days: Sequence[ConsultationDay], now: datetime) -> Board:
    """Tickets only: no names, no topics, no agencies."""
    day_ids = [d.id for d in days]
    calls = db.session.scalars(
        sa.select(Appointment)
        .join(Visit)
        .where(
            Visit.day_id.in_(day_ids),
            Appointment.status == AppointmentStatus.IN_CONSULTATION,
            Appointment.called_dt >= now - DISPLAY_CALLED_FOR,
        )
        .options(selectinload(Appointment.visit))
        .order_by(Appointment.called_dt.desc(), Appointment.id.desc())
        .limit(DISPLAY_CALLED_MAX)
    )
    called = tuple(Call(ticket_label(a.visit), a.room, a.called_dt) for a in calls)
    waiting: list[str] = []
    for arrival in arrivals(days):
        states = {a.status for a in arrival.appointments}
        if (
            AppointmentStatus.CHECKED_IN in states
            and AppointmentStatus.IN_CONSULTATION not in states
        ):
            waiting.append(ticket_label(arrival.visit))
    waiting += [ticket_label(e.visit) for e in queue(days) if not e.in_consultation]
    return Board(called, tuple(dict.fromkeys(waiting))[:DISPLAY_WAITING_MAX])
