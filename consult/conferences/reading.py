"""What participants read of a case conference, and which conferences a page lists.

Reads of the agenda notes are recorded in the audit log as every read of notes is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.conferences.service import can_view, takes_part
from consult.extensions import db
from consult.models import (
    CaseConference,
    CaseNote,
    ConferenceStatus,
    ConsultationDay,
    Location,
    StaffUser,
    Visit,
    conference_agency,
)
from consult.notes import rules
from consult.notes import service as notes


def agenda(user: StaffUser, conference: CaseConference) -> list[CaseNote]:
    """The visit's notes this participant may read for the conference; the read is audited.

    See `consult.notes.rules.may_read_for_conference`.
    """
    visit = conference.visit
    facts = notes.visit_facts(visit)
    agreed = conference.consent.withdrawn_dt is None
    found = db.session.scalars(
        sa.select(CaseNote)
        .where(CaseNote.visit_id == visit.id)
        .order_by(CaseNote.created_dt, CaseNote.id)
    )
    readable = [
        n
        for n in found
        if rules.may_read_for_conference(user, n.agency_id, facts, conference.agency_ids, agreed)
    ]
    notes.record_read(user, "visit", visit.id, readable)
    return readable


def outcome_visible(user: StaffUser, conference: CaseConference) -> bool:
    """The writer's agency always; the other participants while the consent is in force."""
    if conference.outcome is None or not rules.reads_notes(user):
        return False
    author = conference.outcome_by
    if author is not None and author.agency_id == user.agency_id:
        return True
    return takes_part(user, conference) and conference.consent.withdrawn_dt is None


def conferences_of_agency(
    agency_id: int, since: datetime, until: datetime | None = None
) -> list[CaseConference]:
    """The conferences an agency takes part in, from `since` on, earliest first."""
    query = (
        sa.select(CaseConference)
        .join(conference_agency, conference_agency.c.conference_id == CaseConference.id)
        .where(conference_agency.c.agency_id == agency_id, CaseConference.ends_dt > since)
        .order_by(CaseConference.starts_dt, CaseConference.id)
    )
    if until is not None:
        query = query.where(CaseConference.starts_dt < until)
    return list(db.session.scalars(query))


def conferences_of_visit(visit: Visit) -> list[CaseConference]:
    return list(
        db.session.scalars(
            sa.select(CaseConference)
            .where(CaseConference.visit_id == visit.id)
            .order_by(CaseConference.starts_dt, CaseConference.id)
        )
    )


def conferences_at(location_id: int, since: datetime, until: datetime) -> list[CaseConference]:
    """The on-site conferences at a location in a span, for the combined calendar."""
    return list(
        db.session.scalars(
            sa.select(CaseConference)
            .join(ConsultationDay, ConsultationDay.id == CaseConference.day_id)
            .where(
                ConsultationDay.location_id == location_id,
                CaseConference.starts_dt >= since,
                CaseConference.starts_dt < until,
            )
            .order_by(CaseConference.starts_dt, CaseConference.id)
        )
    )


def scheduled_between(
    since: datetime,
    until: datetime,
    *,
    location_id: int | None = None,
    agency_id: int | None = None,
) -> list[CaseConference]:
    """The scheduled conferences starting in a span, at a location's day or of an agency.

    For the combined calendar's weeks; who may see each is the caller's filter.
    """
    query = (
        sa.select(CaseConference)
        .where(
            CaseConference.status == ConferenceStatus.SCHEDULED,
            CaseConference.starts_dt >= since,
            CaseConference.starts_dt < until,
        )
        .order_by(CaseConference.starts_dt, CaseConference.id)
    )
    if location_id is not None:
        query = query.join(ConsultationDay, ConsultationDay.id == CaseConference.day_id).where(
            ConsultationDay.location_id == location_id
        )
    if agency_id is not None:
        query = query.join(
            conference_agency, conference_agency.c.conference_id == CaseConference.id
        ).where(conference_agency.c.agency_id == agency_id)
    return list(db.session.scalars(query))


def local_day(when: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local date starts and the next one starts."""
    start = datetime.combine(when, time(0), tzinfo=ZoneInfo(zone))
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def of_agency_on(agency_id: int | None, when: date, zone: str) -> list[CaseConference]:
    """An agency's conferences on a local date (for "My day"); none without an agency."""
    if agency_id is None:
        return []
    return conferences_of_agency(agency_id, *local_day(when, zone))


def at_location_on(location: Location, when: date) -> list[CaseConference]:
    """The on-site conferences at a location on a local date (for the combined calendar)."""
    return conferences_at(location.id, *local_day(when, location.timezone))


def week_by_day(
    user: StaffUser, start: date, zone: str, *, location_id: int | None, agency_id: int | None
) -> dict[date, list[CaseConference]]:
    """The scheduled conferences of a calendar week that `user` may open, by local date.

    A location's week lists those held there, an agency's week those it takes part in;
    either way only conferences of the user's agency or proposed by the user.
    """
    since = local_day(start, zone)[0]
    until = local_day(start + timedelta(days=6), zone)[1]
    found = scheduled_between(since, until, location_id=location_id, agency_id=agency_id)
    week: dict[date, list[CaseConference]] = {}
    for conference in found:
        if can_view(user, conference):
            local = conference.starts_dt.astimezone(ZoneInfo(zone)).date()
            week.setdefault(local, []).append(conference)
    return week
