"""iCalendar (RFC 5545) feeds and files built with the icalendar library."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone, vDuration, vText

STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})

# RFC 5545 TEXT excludes control characters other than HTAB; line breaks are escaped as \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNSAFE_IN_VALUE = re.compile(r"[\x00-\x20\x7f]")


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
    stamp = stamp.astimezone(UTC).replace(microsecond=0)

    ordered = sorted(_checked(list(events)), key=lambda event: (event.starts_dt, event.uid))
    vevents = [_vevent(event, zone, stamp) for event in ordered]

    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", prodid)
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    # icalendar types NAME and X-WR-* as UNKNOWN (written unescaped): TEXT must be explicit.
    calendar.add("NAME", vText(_text(name)))
    calendar.add("X-WR-CALNAME", vText(_text(name)))
    calendar.add("X-WR-TIMEZONE", vText(tz))
    if refresh_minutes is not None:
        interval = vDuration(timedelta(minutes=refresh_minutes))
        # RFC 7986 makes VALUE=DURATION mandatory on REFRESH-INTERVAL.
        calendar.add("REFRESH-INTERVAL", interval, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(minutes=refresh_minutes)))

    # Always present, even without events: RFC 5545 wants at least one component.
    calendar.add_component(_vtimezone(zone, tz, ordered, stamp))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical()


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


def _text(value: str) -> str:
    return _CONTROL.sub("", value)


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


def _vevent(event: CalendarEvent, zone: tzinfo, stamp: datetime) -> Event:
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", stamp)
    vevent.add("DTSTART", event.starts_dt.astimezone(zone).replace(microsecond=0))
    vevent.add("DTEND", event.ends_dt.astimezone(zone).replace(microsecond=0))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("STATUS", event.status)
    if event.last_modified is not None:
        vevent.add("LAST-MODIFIED", event.last_modified.astimezone(UTC).replace(microsecond=0))
    if event.summary:
        vevent.add("SUMMARY", _text(event.summary))
    if event.description:
        vevent.add("DESCRIPTION", _text(event.description))
    if event.location:
        vevent.add("LOCATION", _text(event.location))
    if event.geo is not None:
        vevent.add("GEO", (float(event.geo[0]), float(event.geo[1])))
    if event.url:
        vevent.add("URL", event.url)
    if event.categories:
        vevent.add("CATEGORIES", [_text(category) for category in event.categories])
    return vevent


def _vtimezone(zone: tzinfo, tz: str, events: list[CalendarEvent], stamp: datetime) -> Timezone:
    if events:
        first = min(event.starts_dt.astimezone(zone).year for event in events)
        last = max(event.ends_dt.astimezone(zone).year for event in events)
    else:
        first = last = stamp.astimezone(zone).year
    # Only the years in use: the whole tz history would be many kilobytes in every feed.
    vtimezone = Timezone.from_tzinfo(zone, tz, date(first, 1, 1), date(last + 1, 1, 1))
    # RFC 5545 lists COMMENT only inside STANDARD/DAYLIGHT, not on VTIMEZONE itself.
    vtimezone.pop("COMMENT", None)
    return vtimezone
