"""The stops of a tour: their hours and order, and adding one with every check first.

Each stop of a tour is a `ConsultationDay` of kind MOBILE at a location, with one
session of the tour's agency; the day stays a draft (not bookable) until the tour
is published. `TourError` is the error of every tours service module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.config import LANGUAGES
from consult.coordination.service import LocationFields, save_location
from consult.days import Hours, add_session, served_topics
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Session,
    SessionStatus,
    StaffUser,
    Tour,
    TourStatus,
    TourStop,
    today_in,
)
from consult.slots import generate_slots, local_to_utc

# Mobile advisors see one person at a time.
DESKS = 1


class TourError(DomainError):
    """The tour cannot be changed as asked; nothing was written."""


# --- reading stops ------------------------------------------------------------------------


def stop_session(stop: TourStop) -> Session | None:
    """The tour agency's hours at a stop (None once they are withdrawn)."""
    sessions = [
        s
        for s in stop.day.sessions
        if s.agency_id == stop.tour.agency_id and s.status is not SessionStatus.WITHDRAWN
    ]
    return min(sessions, key=lambda s: s.starts_dt) if sessions else None


def today_at(stop: TourStop) -> date:
    """Today where the stop takes place."""
    return today_in(stop.day.location.timezone)


def chronological(stop: TourStop) -> tuple[date, datetime, int]:
    """A sort key putting stops in the order they take place."""
    session = stop_session(stop)
    starts = session.starts_dt if session is not None else None
    # Stops without hours sort after the others of their date.
    return (stop.day.date, starts or datetime.max.replace(tzinfo=UTC), stop.id)


# --- adding a stop ------------------------------------------------------------------------


@dataclass(frozen=True)
class StopRequest:
    """Where and when a new stop takes place and what it offers (local date and times)."""

    date: date
    starts: time
    ends: time
    slot_minutes: int
    topic_ids: tuple[int, ...]
    languages: tuple[str, ...]
    interpreter: bool = False
    location_id: int | None = None
    new_location: LocationFields | None = None


def clock_text(value: time | datetime, zone: str | None = None) -> str:
    """A time of day as HH:MM; an instant in `zone`'s local time."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone or "UTC"))
    return value.strftime("%H:%M")


def _location_for(request: StopRequest) -> Location | None:
    """The chosen existing location, or None when a new one is to be made."""
    if request.location_id is None:
        if request.new_location is None:
            raise TourError(N_("Please choose a location or enter a new one."))
        return None
    location = db.session.get(Location, request.location_id)
    if location is None or not location.active:
        raise TourError(N_("This location is not offered any more. Please choose another one."))
    return location


def _check_window(request: StopRequest, zone: str) -> tuple[datetime, datetime]:
    """The stop's window in UTC, or TourError/SlotError saying why it cannot be cut into slots."""
    if request.ends <= request.starts:
        raise TourError(
            N_("The stop must end after it starts (%(start)s to %(end)s)."),
            start=clock_text(request.starts),
            end=clock_text(request.ends),
        )
    specs = generate_slots(
        request.date, request.starts, request.ends, request.slot_minutes, DESKS, (), zone
    )
    starts_dt = local_to_utc(request.date, request.starts, zone)
    ends_dt = local_to_utc(request.date, request.ends, zone)
    if not specs:
        raise TourError(
            N_("From %(start)s to %(end)s is too short for one %(minutes)d-minute slot."),
            start=clock_text(request.starts),
            end=clock_text(request.ends),
            minutes=request.slot_minutes,
        )
    if specs[-1].ends_dt != ends_dt:
        earlier = specs[-1].ends_dt
        raise TourError(
            N_(
                "From %(start)s to %(end)s does not divide into %(minutes)d-minute slots. "
                "Please end at %(earlier)s or %(later)s, or choose another slot length."
            ),
            start=clock_text(request.starts),
            end=clock_text(request.ends),
            minutes=request.slot_minutes,
            earlier=clock_text(earlier, zone),
            later=clock_text(earlier + timedelta(minutes=request.slot_minutes), zone),
        )
    return starts_dt, ends_dt


def _check_languages(languages: Sequence[str]) -> None:
    if not languages:
        raise TourError(N_("Please choose at least one language."))
    if any(code not in LANGUAGES for code in languages):
        raise TourError(N_("Please choose one of the offered languages."))


def _check_no_overlap(
    advisor: StaffUser, starts_dt: datetime, ends_dt: datetime, ignore_day_ids: set[int]
) -> None:
    """TourError when the advisor is somewhere else during this time."""
    clash = db.session.execute(
        sa.select(Session, ConsultationDay)
        .join(ConsultationDay, Session.day_id == ConsultationDay.id)
        .where(
            Session.advisor_id == advisor.id,
            Session.status != SessionStatus.WITHDRAWN,
            ConsultationDay.status != DayStatus.CANCELLED,
            ConsultationDay.id.not_in(ignore_day_ids or {0}),
            Session.starts_dt < ends_dt,
            Session.ends_dt > starts_dt,
        )
        .order_by(Session.starts_dt)
        .limit(1)
    ).first()
    if clash is not None:
        session, day = clash
        zone = day.location.timezone
        raise TourError(
            N_(
                "This overlaps another stop of %(advisor)s on this day: %(place)s, "
                "%(start)s to %(end)s."
            ),
            advisor=advisor.name,
            place=f"{day.location.name}, {day.location.town}",
            start=clock_text(session.starts_dt, zone),
            end=clock_text(session.ends_dt, zone),
        )


def add_stop(
    tour: Tour,
    request: StopRequest,
    *,
    publish: bool = False,
    ignore_day_ids: Iterable[int] = (),
) -> TourStop:
    """Add a stop (a draft unless `publish`); every check comes before anything is written."""
    if tour.status is TourStatus.CANCELLED:
        raise TourError(N_("This tour is cancelled."))
    location = _location_for(request)
    if location is not None:
        zone = location.timezone
    else:
        assert request.new_location is not None
        zone = request.new_location.timezone
    if request.date < today_in(zone):
        raise TourError(
            N_("The date %(date)s is in the past. Please choose today or a later date."),
            date=request.date.isoformat(),
        )
    starts_dt, ends_dt = _check_window(request, zone)
    _check_languages(request.languages)
    topics = served_topics(tour.agency, request.topic_ids, TourError)
    _check_no_overlap(tour.advisor, starts_dt, ends_dt, set(ignore_day_ids))
    if location is None:
        assert request.new_location is not None
        location = save_location(None, request.new_location)
    day = ConsultationDay(
        location=location,
        date=request.date,
        kind=DayKind.MOBILE,
        status=DayStatus.DRAFT,
        title=tour.title[:120],
    )
    db.session.add(day)
    add_session(
        day,
        tour.agency,
        Hours(
            starts=request.starts,
            ends=request.ends,
            slot_minutes=request.slot_minutes,
            desks=DESKS,
            languages=tuple(request.languages),
            interpreter=request.interpreter,
        ),
        topics,
        advisor=tour.advisor,
        publish=True,
    )
    with db.session.no_autoflush:
        # The stop must join the session with its day, not be flushed before it has a tour.
        stop = TourStop(day=day)
        tour.stops.append(stop)
    if publish:
        day.publish()
    db.session.flush()
    renumber(tour)
    return stop


def renumber(tour: Tour) -> None:
    """Number the tour's stops in the order they take place."""
    for position, stop in enumerate(sorted(tour.stops, key=chronological)):
        stop.position = position
