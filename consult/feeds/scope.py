"""Which rows a calendar feed covers, and the feed's version from aggregates over them.

The version of a feed (its ETag and Last-Modified) comes from one aggregate
query over the rows in scope -- counts, sums of ids and the latest
`updated_dt` -- so an unchanged feed is answered with 304 without loading a
single event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.conferences.calendar import version_aggregate
from consult.extensions import db
from consult.models import (
    Appointment,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Role,
    Session,
    SessionStatus,
    StaffUser,
    Tour,
    TourStop,
    Visit,
)
from consult.permissions import location_scope

# The feed reaches this many days back (local dates) and has no end ahead.
DAYS_BACK = 30
# Part of every version: bump it when the feeds' content changes shape, so clients fetch afresh.
FEED_FORMAT = "feeds-1"


@dataclass(frozen=True)
class FeedVersion:
    """What identifies one state of a feed: a strong ETag and the time of the latest change."""

    etag: str
    last_modified: datetime


def window_start(today: date) -> date:
    """The first local date a feed covers."""
    return today - timedelta(days=DAYS_BACK)


def lists_appointments(user: StaffUser) -> bool:
    """True when the staff member's feed has appointments (and so could show names)."""
    return user.role is Role.ADVISOR


def shows_names(user: StaffUser) -> bool:
    """True when the feed carries the names and contacts of the people booked."""
    return lists_appointments(user) and user.feed_shows_names


# ---------------------------------------------------------------- which rows a feed covers


def advisor_sessions(user: StaffUser, start: date) -> sa.Select[Any]:
    """The advisor's sessions: the agency's hours on joint days and the advisor's tour stops."""
    stop_days = (
        sa.select(TourStop.day_id)
        .join(Tour, Tour.id == TourStop.tour_id)
        .where(Tour.advisor_id == user.id)
    )
    return (
        sa.select(Session)
        .join(ConsultationDay, ConsultationDay.id == Session.day_id)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(
            Session.agency_id == user.agency_id,
            ConsultationDay.date >= start,
            sa.or_(ConsultationDay.kind == DayKind.JOINT, ConsultationDay.id.in_(stop_days)),
        )
    )


def advisor_appointments(user: StaffUser, start: date) -> sa.Select[Any]:
    """The appointments booked in the advisor's sessions with the advisor's agency."""
    session_ids = advisor_sessions(user, start).with_only_columns(Session.id)
    return (
        sa.select(Appointment)
        .join(Visit, Visit.id == Appointment.visit_id)
        .where(Appointment.session_id.in_(session_ids), Appointment.agency_id == user.agency_id)
    )


def staff_days(scope: set[int] | None, start: date) -> sa.Select[Any]:
    """Front desk: the days at their locations; coordinators (scope None): at every location."""
    query = (
        sa.select(ConsultationDay)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(ConsultationDay.date >= start, Location.active)
    )
    if scope is not None:
        query = query.where(ConsultationDay.location_id.in_(sorted(scope)))
    return query


PUBLIC_DAY_STATES = (DayStatus.PUBLISHED, DayStatus.CANCELLED)
PUBLIC_SESSION_STATES = (SessionStatus.PUBLISHED, SessionStatus.WITHDRAWN)


def public_days(location: Location, start: date) -> sa.Select[Any]:
    """A location's days the public may know of: published, or cancelled after all."""
    return (
        sa.select(ConsultationDay)
        .join(Location, Location.id == ConsultationDay.location_id)
        .where(
            ConsultationDay.location_id == location.id,
            ConsultationDay.date >= start,
            ConsultationDay.status.in_(PUBLIC_DAY_STATES),
        )
    )


# ---------------------------------------------------------------- versions


def _aggregate(query: sa.Select[Any], *columns: Any) -> sa.Subquery:
    """One row of aggregates over the rows `query` selects."""
    return query.with_only_columns(*columns).subquery()


def _counted(entity: Any) -> list[Any]:
    # Count, sum of ids and latest change: a row added, removed, swapped or changed shows.
    return [
        sa.func.count(entity.id),
        sa.func.coalesce(sa.func.sum(entity.id), 0),
        sa.func.max(entity.updated_dt),
    ]


def _read(*subqueries: sa.Subquery) -> tuple[Any, ...]:
    """Read single-row aggregate subqueries in one round trip."""
    first, *others = subqueries
    query = sa.select(first, *others).select_from(first)
    for other in others:
        query = query.join(other, sa.true())
    row = db.session.execute(query).one()
    return tuple(row)


def _version(parts: Sequence[object], today: date, zone: str) -> FeedVersion:
    # The window moves at local midnight, dropping a day: a change even when no row changed.
    floor = datetime.combine(today, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    latest = max([floor, *(p for p in parts if isinstance(p, datetime))])
    text = repr((FEED_FORMAT, today.isoformat(), *parts))
    return FeedVersion(
        etag=hashlib.sha256(text.encode()).hexdigest()[:40],
        last_modified=latest.astimezone(UTC).replace(microsecond=0),
    )


def staff_feed_version(user: StaffUser, today: date, zone: str, base_url: str) -> FeedVersion:
    """The version of a staff member's feed, from aggregates only."""
    start = window_start(today)
    settings = (user.id, user.feed_token, shows_names(user), user.language, user.role.value)
    if user.role is Role.ADVISOR:
        sessions = advisor_sessions(user, start)
        row = _read(
            _aggregate(
                sessions,
                *_counted(Session),
                sa.func.max(ConsultationDay.updated_dt),
                sa.func.max(Location.updated_dt),
            ),
            _aggregate(
                advisor_appointments(user, start),
                *_counted(Appointment),
                # Erasure after the retention period blanks names: only seen here.
                sa.func.max(Visit.erased_dt),
            ),
            version_aggregate(user, start),
        )
        parts: tuple[object, ...] = (*settings, user.agency_id, *row)
    else:
        scope = location_scope(user)
        days = staff_days(scope, start)
        row = _read(
            _aggregate(days, *_counted(ConsultationDay), sa.func.max(Location.updated_dt)),
            _aggregate(
                days.join(Session, Session.day_id == ConsultationDay.id), *_counted(Session)
            ),
        )
        parts = (*settings, sorted(scope) if scope is not None else None, *row)
    return _version((base_url, *parts), today, zone)


def location_feed_version(
    location: Location, today: date, language: str, base_url: str
) -> FeedVersion:
    """The version of a location's public feed, from aggregates only."""
    days = public_days(location, window_start(today))
    row = _read(
        _aggregate(days, *_counted(ConsultationDay)),
        _aggregate(
            days.join(Session, Session.day_id == ConsultationDay.id).where(
                Session.status.in_(PUBLIC_SESSION_STATES)
            ),
            *_counted(Session),
        ),
    )
    parts = (base_url, location.id, location.updated_dt, language, *row)
    return _version(parts, today, location.timezone)
