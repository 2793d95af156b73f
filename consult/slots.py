"""Cut one agency's session on a consultation day into bookable slots.

Sessions are planned in local wall-clock time at the venue, but slots are
stored as UTC instants so that clock changes never create or swallow time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consult.errors import N_, DomainError

MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MIN_DESKS = 1
MAX_DESKS = 50
DEFAULT_TIME_ZONE = "Europe/Berlin"


class SlotError(DomainError):
    """A session cannot be cut into slots as requested."""


@dataclass(frozen=True)
class Break:
    """A pause in a session, in local wall-clock time."""

    start: time
    end: time


@dataclass(frozen=True)
class SlotSpec:
    """One bookable slot: a UTC interval with room for `capacity` people."""

    starts_dt: datetime
    ends_dt: datetime
    capacity: int


def _clock(at: time) -> str:
    return at.strftime("%H:%M")


def resolve_zone(tz: str | ZoneInfo) -> ZoneInfo:
    """Return the ZoneInfo for a zone name, or raise SlotError if it is unknown."""
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    # ValueError/TypeError cover malformed keys such as "" or "../etc/passwd".
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SlotError(N_("The time zone %(zone)s is not known."), zone=str(tz)) from None


def local_to_utc(day: date, at: time, tz: str | ZoneInfo) -> datetime:
    """Return the UTC instant of a local wall-clock time on a local date."""
    zone = resolve_zone(tz)
    # fold=0 picks the first of two instants when clocks go back.
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(UTC)
    # A time inside the spring-forward gap does not survive the round trip.
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise SlotError(
            N_(
                "The time %(time)s does not exist on %(date)s in %(zone)s "
                "because the clocks are put forward. Please choose another time."
            ),
            time=_clock(at),
            date=day.isoformat(),
            zone=zone.key,
        )
    return instant


def slots_overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Return True if two half-open intervals share time; touching does not count."""
    return a_start < b_end and b_start < a_end


def generate_slots(
    day: date,
    window_start: time,
    window_end: time,
    slot_minutes: int,
    desks: int,
    breaks: Sequence[Break] = (),
    tz: str | ZoneInfo = DEFAULT_TIME_ZONE,
) -> list[SlotSpec]:
    """Return the sorted slots of a session, each with one place per desk."""
    if not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES:
        raise SlotError(
            N_("The slot length must be between %(low)d and %(high)d minutes."),
            low=MIN_SLOT_MINUTES,
            high=MAX_SLOT_MINUTES,
        )
    if not MIN_DESKS <= desks <= MAX_DESKS:
        raise SlotError(
            N_("The number of desks must be between %(low)d and %(high)d."),
            low=MIN_DESKS,
            high=MAX_DESKS,
        )
    zone = resolve_zone(tz)
    start = local_to_utc(day, window_start, zone)
    end = local_to_utc(day, window_end, zone)
    if end <= start:
        raise SlotError(
            N_("The session must end after it starts (%(start)s to %(end)s)."),
            start=_clock(window_start),
            end=_clock(window_end),
        )
    pauses = _break_intervals(day, breaks, zone, start, end)

    step = timedelta(minutes=slot_minutes)
    slots: list[SlotSpec] = []
    current = start
    # Stepping in UTC keeps every slot exactly slot_minutes long across a clock change.
    while current + step <= end:
        slot_end = current + step
        if not any(slots_overlap(current, slot_end, b_start, b_end) for b_start, b_end in pauses):
            slots.append(SlotSpec(starts_dt=current, ends_dt=slot_end, capacity=desks))
        current = slot_end
    return slots


def _break_intervals(
    day: date,
    breaks: Sequence[Break],
    zone: ZoneInfo,
    window_start: datetime,
    window_end: datetime,
) -> list[tuple[datetime, datetime]]:
    intervals: list[tuple[datetime, datetime, Break]] = []
    for pause in breaks:
        b_start = local_to_utc(day, pause.start, zone)
        b_end = local_to_utc(day, pause.end, zone)
        if b_end <= b_start:
            raise SlotError(
                N_("A break must end after it starts (%(start)s to %(end)s)."),
                start=_clock(pause.start),
                end=_clock(pause.end),
            )
        if b_start < window_start or b_end > window_end:
            raise SlotError(
                N_("The break %(start)s to %(end)s must lie within the session times."),
                start=_clock(pause.start),
                end=_clock(pause.end),
            )
        intervals.append((b_start, b_end, pause))
    intervals.sort(key=lambda item: item[0])
    for (_, prev_end, prev), (next_start, _, nxt) in zip(intervals, intervals[1:], strict=False):
        if next_start < prev_end:
            raise SlotError(
                N_(
                    "The breaks %(first_start)s to %(first_end)s and "
                    "%(second_start)s to %(second_end)s overlap. Please merge them."
                ),
                first_start=_clock(prev.start),
                first_end=_clock(prev.end),
                second_start=_clock(nxt.start),
                second_end=_clock(nxt.end),
            )
    return [(b_start, b_end) for b_start, b_end, _ in intervals]
