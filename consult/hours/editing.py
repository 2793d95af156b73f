"""New hours as an advisor types them: reading, checking and adding them to a day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from consult.config import LANGUAGES
from consult.days import Hours, add_session, served_topics
from consult.errors import N_, DomainError
from consult.models import (
    Agency,
    ConsultationDay,
    DayStatus,
    Session,
    SessionStatus,
    StaffUser,
    Topic,
    today_in,
)
from consult.slots import Break, SlotSpec, generate_slots, local_to_utc

MAX_ROOM = 60
_BREAK = re.compile(r"^(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})$")


class HoursError(DomainError):
    """The hours cannot be published or changed as asked; nothing was written."""


@dataclass(frozen=True)
class HoursChange:
    """New hours for a session, or (hours None) its withdrawal."""

    hours: Hours | None
    topic_ids: tuple[int, ...] = ()
    publish: bool = True

    @property
    def withdraws(self) -> bool:
        return self.hours is None

    @property
    def bookable(self) -> bool:
        """True when the session takes bookings after the change."""
        return self.hours is not None and self.publish


# --- parsing what advisors type -----------------------------------------------------------


def parse_breaks(text: str) -> list[Break]:
    """Breaks such as "12:00-12:30, 15:00-15:15"; HoursError when one cannot be read."""
    found = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _BREAK.match(part)
        try:
            if match is None:
                raise ValueError(part)
            start, end = (time.fromisoformat(t.zfill(5)) for t in match.groups())
        except ValueError:
            raise HoursError(
                N_("The break %(text)s could not be read. Please write breaks like 12:00-12:30."),
                text=part[:20],
            ) from None
        found.append(Break(start, end))
    return sorted(found, key=lambda b: b.start)


def parse_rooms(text: str) -> list[str]:
    """Room names, one per line (or separated by semicolons)."""
    return [room.strip() for room in re.split(r"[;\n]+", text or "") if room.strip()]


def local_clock(instant: datetime, zone: str) -> time:
    """The wall-clock time of an instant at the venue."""
    return instant.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)


def clock_text(instant: datetime, zone: str) -> str:
    """The wall-clock time of an instant at the venue, as "14:30"."""
    return local_clock(instant, zone).strftime("%H:%M")


# --- checks shared by publishing and changing ---------------------------------------------


def check_changeable(day: ConsultationDay) -> None:
    """HoursError when a day's hours can no longer be changed."""
    if day.status is DayStatus.CANCELLED:
        raise HoursError(N_("This consultation day is cancelled; its hours cannot be changed."))
    if day.date < today_in(day.location.timezone):
        raise HoursError(N_("This consultation day is over; its hours cannot be changed any more."))


def check_hours(
    day: ConsultationDay,
    agency: Agency,
    change: HoursChange,
    current: Session | None = None,
) -> tuple[list[SlotSpec], list[Topic]]:
    """The new slots and topics, or HoursError/SlotError naming what is wrong."""
    hours = change.hours
    assert hours is not None
    zone = day.location.timezone
    specs = generate_slots(
        day.date, hours.starts, hours.ends, hours.slot_minutes, hours.desks, hours.breaks, zone
    )
    if not specs:
        raise HoursError(N_("These hours are too short for a single slot."))
    if not hours.languages:
        raise HoursError(N_("Please choose at least one language."))
    if any(code not in LANGUAGES for code in hours.languages):
        raise HoursError(N_("Please choose one of the offered languages."))
    if hours.rooms and len(hours.rooms) != hours.desks:
        raise HoursError(
            N_("Please name one room per desk (%(desks)d desks, %(rooms)d rooms), or none."),
            desks=hours.desks,
            rooms=len(hours.rooms),
        )
    if any(len(room) > MAX_ROOM for room in hours.rooms):
        raise HoursError(N_("A room name may have at most %(max)d characters."), max=MAX_ROOM)
    kept = {t.id for t in current.topics} if current is not None else set()
    topics = served_topics(agency, change.topic_ids, HoursError, keep=kept)
    starts = local_to_utc(day.date, hours.starts, zone)
    ends = local_to_utc(day.date, hours.ends, zone)
    for other in day.sessions:
        if (
            other is current
            or other.agency_id != agency.id
            or other.status is SessionStatus.WITHDRAWN
        ):
            continue
        if other.starts_dt < ends and starts < other.ends_dt:
            raise HoursError(
                N_("%(agency)s already has hours from %(start)s to %(end)s on this day."),
                agency=agency.name,
                start=clock_text(other.starts_dt, zone),
                end=clock_text(other.ends_dt, zone),
            )
    return specs, topics


# --- adding hours -------------------------------------------------------------------------


def create_hours(
    day: ConsultationDay, agency: Agency, change: HoursChange, *, advisor: StaffUser | None
) -> Session:
    """Add an agency's session to a day (the caller commits)."""
    if change.hours is None:
        raise HoursError(N_("There are no hours to withdraw yet."))
    check_changeable(day)
    _, topics = check_hours(day, agency, change)
    return add_session(day, agency, change.hours, topics, advisor=advisor, publish=change.publish)
