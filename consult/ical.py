"""iCalendar (RFC 5545) feeds and files.

The text is written here rather than through icalendar's generic serialiser:
a staff feed holds thousands of events and must build in well under a second.
The tests read every calendar back with icalendar and with vobject.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})

# RFC 5545 TEXT excludes control characters other than HTAB; line breaks are escaped as \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE_IN_VALUE = re.compile(r"[\x00-\x20\x7f]")
_LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT: an appointment as an advisor's or visitor's calendar should show it."""

    uid: str
    starts_dt: datetime
    ends_dt: datetime
    summary: str
    description: str = ""
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str = ""
    sequence: int = 0
    status: str = "CONFIRMED"
    last_modified: datetime | None = None
    categories: tuple[str, ...] = ()
    # An e-mail address; invitations (METHOD:REQUEST or CANCEL) must name their organizer.
    organizer: str = ""


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    tz: str = "Europe/Berlin",
    method: str | None = "PUBLISH",
    prodid: str = "-//consult//consult//EN",
    refresh_minutes: int | None = None,
    stamp: datetime | None = None,
) -> bytes:
    """Serialize events as a VCALENDAR with local times in `tz` and its VTIMEZONE."""
    zone = _zone(tz)
    if refresh_minutes is not None and refresh_minutes <= 0:
        raise ValueError(f"refresh_minutes must be positive, got {refresh_minutes}")
    stamp = _aware(stamp, "stamp") if stamp is not None else datetime.now(UTC)
    # iCalendar has whole seconds; truncating once keeps DTSTAMP stable within a build.
    stamp_text = _utc_text(stamp)

    ordered = sorted(_checked(list(events)), key=lambda event: (event.starts_dt, event.uid))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        _fold(f"PRODID:{_escape(prodid)}"),
        "CALSCALE:GREGORIAN",
    ]
    if method:
        lines.append(f"METHOD:{method}")
    # NAME (RFC 7986) and X-WR-CALNAME are TEXT: escaped like SUMMARY.
    lines += [
        _fold(f"NAME:{_escape(name)}"),
        _fold(f"X-WR-CALNAME:{_escape(name)}"),
        f"X-WR-TIMEZONE:{tz}",
    ]
    if refresh_minutes is not None:
        # RFC 7986 makes VALUE=DURATION mandatory on REFRESH-INTERVAL.
        lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_minutes}M")
        lines.append(f"X-PUBLISHED-TTL:PT{refresh_minutes}M")
    if ordered:
        first = min(event.starts_dt.astimezone(zone).year for event in ordered)
        last = max(event.ends_dt.astimezone(zone).year for event in ordered)
    else:
        first = last = stamp.astimezone(zone).year
    # Always present, even without events: RFC 5545 wants at least one component.
    lines += _vtimezone_lines(tz, first, last)
    for event in ordered:
        lines += _vevent_lines(event, zone, tz, stamp_text)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {tz!r}") from error


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{field} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware, got naive {value.isoformat()}")
    return value


def _checked(events: list[CalendarEvent]) -> list[CalendarEvent]:
    seen: set[str] = set()
    for event in events:
        if not event.uid or _UNSAFE_IN_VALUE.search(event.uid):
            raise ValueError(f"invalid UID {event.uid!r}")
        # Without RECURRENCE-ID a repeated UID is the same event: clients would keep only one.
        if event.uid in seen:
            raise ValueError(f"duplicate UID {event.uid!r}")
        seen.add(event.uid)
        starts = _aware(event.starts_dt, "starts_dt")
        ends = _aware(event.ends_dt, "ends_dt")
        # Compared at the precision iCalendar writes, so DTEND can never equal DTSTART.
        if ends.replace(microsecond=0) <= starts.replace(microsecond=0):
            raise ValueError(f"{event.uid}: ends_dt must be after starts_dt")
        if event.last_modified is not None:
            _aware(event.last_modified, "last_modified")
        if event.status not in STATUSES:
            raise ValueError(f"{event.uid}: unknown status {event.status!r}")
        if event.sequence < 0:
            raise ValueError(f"{event.uid}: sequence must not be negative")
        if event.geo is not None:
            _check_geo(event.uid, event.geo)
        if _UNSAFE_IN_VALUE.search(event.url):
            raise ValueError(f"{event.uid}: URL contains whitespace or control characters")
    return events


def _check_geo(uid: str, geo: tuple[float, float]) -> None:
    try:
        latitude, longitude = (float(value) for value in geo)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{uid}: GEO must be (latitude, longitude), got {geo!r}") from error
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError(f"{uid}: GEO must be finite, got {geo!r}")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"{uid}: GEO out of range, got {geo!r}")


def _escape(value: str) -> str:
    """RFC 5545 TEXT: no control characters, line breaks as \\n, and \\ ; , escaped."""
    value = _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    # Chained replace is several times faster than str.translate with a mapping.
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1)."""
    if len(line) <= _LINE_OCTETS and line.isascii():
        return line
    data = line.encode("utf-8")
    if len(data) <= _LINE_OCTETS:
        return line
    parts = []
    start, limit = 0, _LINE_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, _LINE_OCTETS - 1  # a continuation line starts with a space
    return "\r\n ".join(parts)


def _local_text(value: datetime) -> str:
    return (
        f"{value.year:04d}{value.month:02d}{value.day:02d}"
        f"T{value.hour:02d}{value.minute:02d}{value.second:02d}"
    )


def _utc_text(value: datetime) -> str:
    return _local_text(value.astimezone(UTC)) + "Z"


def _vevent_lines(event: CalendarEvent, zone: ZoneInfo, tz: str, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        _fold(f"UID:{event.uid}"),
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={tz}:{_local_text(event.starts_dt.astimezone(zone))}",
        f"DTEND;TZID={tz}:{_local_text(event.ends_dt.astimezone(zone))}",
        f"SEQUENCE:{event.sequence}",
        f"STATUS:{event.status}",
    ]
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc_text(event.last_modified)}")
    if event.summary:
        lines.append(_fold(f"SUMMARY:{_escape(event.summary)}"))
    if event.description:
        lines.append(_fold(f"DESCRIPTION:{_escape(event.description)}"))
    if event.location:
        lines.append(_fold(f"LOCATION:{_escape(event.location)}"))
    if event.geo is not None:
        lines.append(f"GEO:{float(event.geo[0])};{float(event.geo[1])}")
    if event.url:
        lines.append(_fold(f"URL:{event.url}"))
    if event.categories:
        lines.append(_fold("CATEGORIES:" + ",".join(_escape(c) for c in event.categories)))
    if event.organizer:
        lines.append(_fold(f"ORGANIZER:mailto:{_CONTROL.sub('', event.organizer)}"))
    lines.append("END:VEVENT")
    return lines


@dataclass(frozen=True)
class _Transition:
    onset: datetime  # UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _offset_at(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _observance(zone: ZoneInfo, instant: datetime, offset_from: timedelta) -> _Transition:
    local = instant.astimezone(zone)
    offset_to = local.utcoffset()
    assert offset_to is not None
    return _Transition(instant, offset_from, offset_to, local.tzname() or "", bool(local.dst()))


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Every change of UTC offset in [start, end), found day by day, then to the second."""
    found = []
    day = timedelta(days=1)
    instant, offset = start, _offset_at(zone, start)
    while instant < end:
        following = instant + day
        if _offset_at(zone, following) != offset:
            low, high = instant, following  # offset(low) == offset, offset(high) differs
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset_at(zone, middle) == offset:
                    low = middle
                else:
                    high = middle
            onset = high.replace(microsecond=0)
            found.append(_observance(zone, onset, offset))
            offset = _offset_at(zone, onset)
        instant = following
    return found


def _offset_text(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


@functools.lru_cache(maxsize=128)
def _vtimezone_lines(tz: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """A VTIMEZONE for the years in use (the whole tz history would bloat every feed).

    Each observance starts at its first onset, written as local time in the offset
    in force before it (RFC 5545 3.6.5), and repeats with one RDATE line per onset:
    some readers keep only the first value of a comma-separated RDATE list.
    """
    zone = _zone(tz)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    initial = _observance(zone, start, _offset_at(zone, start))
    groups: dict[tuple[timedelta, timedelta, str, bool], list[_Transition]] = {}
    for transition in [initial, *_transitions(zone, start, end)]:
        key = (transition.offset_from, transition.offset_to, transition.name, transition.daylight)
        groups.setdefault(key, []).append(transition)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz}"]
    for (offset_from, offset_to, name, daylight), onsets in groups.items():
        kind = "DAYLIGHT" if daylight else "STANDARD"
        local = [_local_text((t.onset + offset_from).replace(tzinfo=None)) for t in onsets]
        lines += [f"BEGIN:{kind}", f"DTSTART:{local[0]}"]
        lines += [f"RDATE:{value}" for value in local[1:]]
        if name:
            lines.append(f"TZNAME:{_escape(name)}")
        lines += [
            f"TZOFFSETFROM:{_offset_text(offset_from)}",
            f"TZOFFSETTO:{_offset_text(offset_to)}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return tuple(lines)
