"""Consultation days and the hours agencies publish on them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    Agency,
    ConsultationDay,
    DayKind,
    DaySeries,
    DayStatus,
    Location,
    Session,
    SessionStatus,
    Slot,
    StaffUser,
    Topic,
)
from consult.recurrence import occurrences
from consult.slots import Break, generate_slots, local_to_utc


def days_from_query(start: date) -> sa.Select[tuple[ConsultationDay]]:
    """Days from `start` on, soonest first, with their place, invitations and hours loaded."""
    return (
        sa.select(ConsultationDay)
        .where(ConsultationDay.date >= start)
        .options(
            selectinload(ConsultationDay.location),
            selectinload(ConsultationDay.invited_agencies),
            selectinload(ConsultationDay.sessions).selectinload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    )


def served_topics(
    agency: Agency,
    topic_ids: Iterable[int],
    error: type[DomainError],
    keep: Collection[int] = (),
) -> list[Topic]:
    """The chosen topics, if the agency serves every one; `error` saying which it does not.

    A topic no longer offered is refused unless it is in `keep` (hours that served it).
    """
    wanted = set(topic_ids)
    if not wanted:
        raise error(N_("Please choose at least one topic that you serve."))
    found = list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.id.in_(wanted))
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position, Topic.id)
        )
    )
    if len(found) != len(wanted):
        raise error(N_("One of the chosen topics does not exist."))
    for topic in found:
        served = any(a.id == agency.id for a in topic.agencies)
        if not served or not (topic.active or topic.id in keep):
            raise error(
                N_("%(agency)s does not serve the topic %(topic)s."),
                agency=agency.name,
                topic=topic.slug,
            )
    return found


@dataclass(frozen=True)
class Hours:
    """What an agency publishes for one day: window, slots, desks, languages."""

    starts: time
    ends: time
    slot_minutes: int = 20
    desks: int = 1
    breaks: Sequence[Break] = ()
    rooms: Sequence[str] = ()
    languages: Sequence[str] = ("de",)
    interpreter: bool = False


def add_session(
    day: ConsultationDay,
    agency: Agency,
    hours: Hours,
    topics: Iterable[Topic],
    *,
    advisor: StaffUser | None = None,
    publish: bool = True,
) -> Session:
    """Create an agency's session on `day` with its slots (SlotError on bad hours)."""
    zone = day.location.timezone
    specs = generate_slots(
        day.date, hours.starts, hours.ends, hours.slot_minutes, hours.desks, hours.breaks, zone
    )
    session = Session(
        agency=agency,
        advisor=advisor,
        starts_dt=local_to_utc(day.date, hours.starts, zone),
        ends_dt=local_to_utc(day.date, hours.ends, zone),
        slot_minutes=hours.slot_minutes,
        desks=hours.desks,
        rooms=list(hours.rooms),
        languages=list(hours.languages),
        interpreter_available=hours.interpreter,
        breaks=[[b.start.strftime("%H:%M"), b.end.strftime("%H:%M")] for b in hours.breaks],
        topics=list(topics),
        status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
        slots=[Slot(starts_dt=s.starts_dt, ends_dt=s.ends_dt, capacity=s.capacity) for s in specs],
    )
    # Appending (not `day=`) cascades the new session into the unit of work of the day.
    day.sessions.append(session)
    return session


def create_series(
    location: Location,
    rule: str,
    starts_on: date,
    until: date,
    *,
    exceptions: Iterable[date] = (),
    kind: DayKind = DayKind.JOINT,
    title: str = "",
    invited: Iterable[Agency] = (),
    publish: bool = False,
) -> DaySeries:
    """A recurring series of days at `location` (RecurrenceError on a bad rule)."""
    skipped = sorted(set(exceptions))
    series = DaySeries(
        location=location,
        rule=rule,
        starts_on=starts_on,
        until=until,
        exceptions=[d.isoformat() for d in skipped],
    )
    invited = list(invited)
    for when in occurrences(rule, starts_on, until=until, exceptions=skipped):
        series.days.append(
            ConsultationDay(
                location=location,
                date=when,
                kind=kind,
                title=title,
                invited_agencies=invited,
                status=DayStatus.PUBLISHED if publish else DayStatus.DRAFT,
            )
        )
    return series
