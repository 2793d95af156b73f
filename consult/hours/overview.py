"""Which agencies have which hours on which days, and who may change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from consult.days import days_from_query
from consult.extensions import db
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Agency,
    Appointment,
    ConsultationDay,
    Session,
    SessionStatus,
)

# --- reading what is there ----------------------------------------------------------------


@dataclass(frozen=True)
class AgencyHours:
    """One agency on one day: invited or not, its sessions, and how many are booked."""

    day: ConsultationDay
    agency: Agency
    invited: bool
    sessions: tuple[Session, ...]
    booked: int

    @property
    def state(self) -> str:
        """published, draft, withdrawn or missing."""
        statuses = {s.status for s in self.sessions}
        for status in (SessionStatus.PUBLISHED, SessionStatus.DRAFT, SessionStatus.WITHDRAWN):
            if status in statuses:
                return status.value
        return "missing"

    @property
    def published(self) -> bool:
        return self.state == SessionStatus.PUBLISHED.value


def booked_counts(session_ids: Iterable[int]) -> dict[int, int]:
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Appointment.session_id, sa.func.count(Appointment.id))
        .where(
            Appointment.session_id.in_(ids),
            Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
        )
        .group_by(Appointment.session_id)
    )
    return {session_id: count for session_id, count in rows}


def hours_on(day: ConsultationDay, counts: dict[int, int] | None = None) -> list[AgencyHours]:
    """Every invited agency and every agency with hours on a day, by name."""
    if counts is None:
        counts = booked_counts(s.id for s in day.sessions)
    agencies = {a.id: a for a in day.invited_agencies}
    agencies.update({s.agency_id: s.agency for s in day.sessions})
    invited = {a.id for a in day.invited_agencies}
    result = []
    for agency in sorted(agencies.values(), key=lambda a: (a.name, a.id)):
        sessions = tuple(s for s in day.sessions if s.agency_id == agency.id)
        result.append(
            AgencyHours(
                day=day,
                agency=agency,
                invited=agency.id in invited,
                sessions=sessions,
                booked=sum(counts.get(s.id, 0) for s in sessions),
            )
        )
    return result


def upcoming_hours(today: date, agency_id: int | None = None) -> list[AgencyHours]:
    """From today on: the days an agency (or, with None, any agency) is invited to or serves."""
    query = days_from_query(today)
    if agency_id is not None:
        query = query.where(
            sa.or_(
                ConsultationDay.invited_agencies.any(Agency.id == agency_id),
                ConsultationDay.sessions.any(Session.agency_id == agency_id),
            )
        )
    days = list(db.session.scalars(query))
    counts = booked_counts(s.id for day in days for s in day.sessions)
    rows = [row for day in days for row in hours_on(day, counts)]
    if agency_id is not None:
        rows = [row for row in rows if row.agency.id == agency_id]
    return rows
