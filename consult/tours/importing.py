"""Reading an advisor's calendar export (.ics) into candidate tour stops.

Advisors plan their rural tours in Outlook, Google Calendar, Thunderbird or on
their phone and upload the exported file. `parse_calendar` turns it into timed
events between `now` and the horizon, with recurring series expanded by
`recurring_ical_events`, and lists what it left out and why. It creates
nothing: the preview view shows both lists and the advisor picks the stops.
Series and their occurrences are read in `ics_series`; the window, the timing
of an event and the reasons for skipping one are in `ics_window`.

The file comes from outside, so it is read defensively: its size is capped
before parsing, every text is cleaned, every repeat rule is checked before it is
expanded, and a file that cannot be read at all raises `CalendarImportError`
with a message for the advisor. Where the libraries need help, the comment at
the workaround says why:

- folded lines are joined before decoding (`_decode`);
- VTIMEZONE blocks never reach icalendar's parser (`_split_off_timezones`);
- floating times, unknown zones and RRULE UNTIL values get an explicit zone
  before expansion (`_settle_times`);
- repeat rules that would make dateutil spin are refused (`_rule_problem` in
  `ics_series`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import x_wr_timezone
from dateutil.tz import tzical
from icalendar import Calendar, Component, GloballyUniqueTZIDGuessed
from icalendar.prop import vDDDLists, vDDDTypes, vRecur

from consult.errors import N_, DomainError
from consult.tours.ics_series import DATE_LISTS, read_series, repeat_rules, series_by_uid
from consult.tours.ics_series import ImportedEvent as ImportedEvent
from consult.tours.ics_window import SkippedEvent as SkippedEvent
from consult.tours.ics_window import Window, property_value

MAX_BYTES = 512 * 1024
MAX_EVENTS = 200  # after expanding recurrences
HORIZON_DAYS = 366  # occurrences further ahead are ignored

_NOT_A_CALENDAR = N_(
    "This is not a calendar file. Please upload the .ics file that your calendar app exports."
)
_NOT_UTF8 = N_("The file is not UTF-8 text. Please export the calendar again as an .ics file.")
_UNREADABLE = N_("The calendar file cannot be read. Please export the calendar again.")

_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
_SINGLE_PROPERTIES = (*_TIME_PROPERTIES, "DURATION", "UID", "SUMMARY", "LOCATION", "GEO")

_LINE_FOLD = re.compile(rb"\r?\n[ \t]")


class CalendarImportError(DomainError):
    """The file cannot be imported at all; nothing is created."""


@dataclass(frozen=True)
class ParsedCalendar:
    """What an .ics file holds for the coming year: importable events and skipped ones."""

    events: tuple[ImportedEvent, ...]
    skipped: tuple[SkippedEvent, ...]


def parse_calendar(
    data: bytes, *, zone: str, now: datetime, horizon_days: int = HORIZON_DAYS
) -> ParsedCalendar:
    """Read an .ics export: expand recurrences from now to the horizon, keep timed future events."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be positive, got {horizon_days}")
    start = now.astimezone(UTC)
    window = Window(start, start + timedelta(days=horizon_days), ZoneInfo(zone), horizon_days)

    calendar, timezone_blocks = _read(data)
    vevents = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    if not vevents:
        raise CalendarImportError(N_("The file contains no events."))
    declared = _known_zone(str(calendar.get("X-WR-TIMEZONE", "")).strip())
    floating = declared or window.local
    zone_for = _ZoneBook(timezone_blocks)
    for vevent in vevents:
        _settle_times(vevent, zone_for, floating)
    if declared is not None:
        # Google exports times in UTC and names the calendar's zone in
        # X-WR-TIMEZONE; in that zone a weekly 10:00 series stays at 10:00 local
        # time across daylight saving. Floating times were settled above.
        calendar = x_wr_timezone.to_standard(calendar, timezone=declared)
        vevents = [c for c in calendar.subcomponents if c.name == "VEVENT"]

    events: list[ImportedEvent] = []
    skipped: list[SkippedEvent] = []
    for uid, components in series_by_uid(vevents).items():
        for item in read_series(uid, components, window):
            if isinstance(item, SkippedEvent):
                skipped.append(item)
                continue
            events.append(item)
            if len(events) > MAX_EVENTS:
                raise CalendarImportError(
                    N_(
                        "The file has more than %(max)d events in the next year."
                        " Please export a shorter period."
                    ),
                    max=MAX_EVENTS,
                )
    events.sort(key=lambda event: (event.starts_dt, event.ends_dt, event.key))
    return ParsedCalendar(events=tuple(events), skipped=tuple(skipped))


# Reading the file ------------------------------------------------------------


def _read(data: bytes) -> tuple[Calendar, dict[str, list[str]]]:
    """Parse the upload into a calendar and its VTIMEZONE blocks by TZID."""
    if len(data) > MAX_BYTES:
        raise CalendarImportError(N_("The file is larger than %(max)d KB."), max=MAX_BYTES // 1024)
    if not data.strip():
        raise CalendarImportError(N_("The file is empty."))
    lines = _decode(data).replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    if lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise CalendarImportError(_NOT_A_CALENDAR)
    if lines[-1].strip().upper() != "END:VCALENDAR":
        raise CalendarImportError(N_("The file is incomplete. Please export the calendar again."))
    lines, timezone_blocks = _split_off_timezones(lines)
    try:
        # A TZID such as /mozilla.org/20070129_1/Europe/Berlin is resolved to
        # Europe/Berlin with a warning meant for developers, not for an upload
        # (and an error where warnings are errors). catch_warnings is not
        # thread-safe before Python 3.14; a concurrent request could at worst
        # see this one warning category hidden or shown.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            calendar = Calendar.from_ical("\r\n".join(lines))
    except Exception as error:  # icalendar raises assorted types for malformed input
        raise CalendarImportError(_UNREADABLE) from error
    if not isinstance(calendar, Calendar):
        raise CalendarImportError(_UNREADABLE)
    return calendar, timezone_blocks


def _decode(data: bytes) -> str:
    """The file as text with folded lines joined."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CalendarImportError(_NOT_UTF8)
    # RFC 5545 3.1: a fold may split a multi-octet UTF-8 character, so the
    # octets are unfolded before decoding; icalendar would decode first and fail.
    unfolded = _LINE_FOLD.sub(b"", data)
    try:
        text = unfolded.decode("utf-8-sig")
    except UnicodeDecodeError:
        if unfolded.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
            raise CalendarImportError(_NOT_UTF8) from None
        raise CalendarImportError(_NOT_A_CALENDAR) from None
    if "\x00" in text:
        raise CalendarImportError(_NOT_A_CALENDAR)
    return text


def _split_off_timezones(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Take the VTIMEZONE blocks out of the content lines, keyed by their TZID.

    icalendar caches the zone of a VTIMEZONE whose TZID is not an IANA name
    (Outlook's "W. Europe Standard Time", "Customized Time Zone") for the whole
    process, and the first definition wins: one uploaded file would decide the
    times of every later upload. Without the blocks, icalendar resolves IANA and
    Windows names from the tz database and leaves other TZIDs naive; `_ZoneBook`
    reads those from this file's own block.
    """
    kept: list[str] = []
    blocks: dict[str, list[str]] = {}
    block: list[str] | None = None
    for line in lines:
        marker = line.strip().upper()
        if block is None and marker == "BEGIN:VTIMEZONE":
            block = [line]
        elif block is None:
            kept.append(line)
        else:
            block.append(line)
            if marker == "END:VTIMEZONE":
                tzid = next((_value_of(item) for item in block if _name_of(item) == "TZID"), "")
                blocks.setdefault(tzid, block)
                block = None
    if block is not None:
        raise CalendarImportError(_UNREADABLE)
    return kept, blocks


def _name_of(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0].strip().upper()


def _value_of(line: str) -> str:
    return line.partition(":")[2].strip()


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_zone(name: str) -> ZoneInfo | None:
    return ZoneInfo(name) if name in _iana_names() else None


class _ZoneBook:
    """Zones for TZIDs that icalendar did not know, read from the file's VTIMEZONE blocks."""

    def __init__(self, blocks: dict[str, list[str]]) -> None:
        self._blocks = blocks
        self._zones: dict[str, tzinfo | None] = {}

    def __call__(self, tzid: str) -> tzinfo | None:
        if tzid not in self._zones:
            block = self._blocks.get(tzid)
            self._zones[tzid] = None if block is None else _zone_from_block(block)
        return self._zones[tzid]


def _zone_from_block(block: list[str]) -> tzinfo | None:
    """The zone a VTIMEZONE block describes, or None when it cannot be used."""
    for line in block:
        if _name_of(line) == "X-LIC-LOCATION":
            zone = _known_zone(_value_of(line))
            if zone is not None:
                return zone
    # dateutil reads the rules without icalendar's cache; it refuses X- lines.
    # Zone rules repeat yearly, and other frequencies could make every offset
    # lookup walk a rule from year 1 day by day.
    rules = [line for line in block if not _name_of(line).startswith("X-")]
    if any(
        _name_of(line) == "RRULE" and "FREQ=YEARLY" not in line.upper().replace(" ", "")
        for line in rules
    ):
        return None
    try:
        return tzical(StringIO("\n".join(rules))).get()
    except Exception:  # dateutil raises assorted types for malformed definitions
        return None


# Times -------------------------------------------------------------------------


def _settle_times(
    vevent: Component, zone_for: Callable[[str], tzinfo | None], floating: tzinfo
) -> None:
    """Give every time of the event a zone, so that nothing is compared as floating.

    recurring_ical_events compares floating times with the aware query window by
    dropping the window's zone, which shifts the window by the UTC offset. A
    floating time is local to the calendar's zone (X-WR-TIMEZONE, else the
    tour's zone); a TZID that icalendar could not resolve uses the file's
    VTIMEZONE block, else counts as floating.
    """
    for name in _SINGLE_PROPERTIES:
        value = vevent.get(name)
        if isinstance(value, list):
            vevent[name] = value[0]

    def settle(value: Any, tzid: object) -> Any:
        if isinstance(value, tuple):  # a PERIOD in RDATE
            return tuple(settle(part, tzid) for part in value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=zone_for(str(tzid or "")) or floating)
        return value

    for name in _TIME_PROPERTIES:
        prop = vevent.get(name)
        value = property_value(prop)
        settled = settle(value, prop.params.get("TZID") if prop is not None else None)
        if settled is not value:
            vevent[name] = vDDDTypes(settled)
    for name in DATE_LISTS:
        props = vevent.get(name)
        if props is None:
            continue
        settled_lists = []
        for prop in props if isinstance(props, list) else [props]:
            try:
                values = [item.dt for item in prop.dts]
            except (AttributeError, ValueError):
                settled_lists.append(prop)  # unreadable: _rule_problem refuses the series
                continue
            tzid = prop.params.get("TZID")
            settled_lists.append(vDDDLists([settle(value, tzid) for value in values]))
        vevent[name] = settled_lists if isinstance(props, list) else settled_lists[0]

    # dateutil needs UNTIL in UTC when DTSTART is aware. recurring_ical_events
    # would append a Z to a floating UNTIL (hours off west of Greenwich) and
    # midnight UTC to a date (dropping the last day's occurrence).
    start = property_value(vevent.get("DTSTART"))
    if not isinstance(start, datetime):
        return
    for rule in repeat_rules(vevent):
        if not isinstance(rule, vRecur) or "UNTIL" not in rule:
            continue
        until = []
        for value in rule["UNTIL"]:
            if isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=start.tzinfo).astimezone(UTC)
            elif not isinstance(value, datetime) and isinstance(value, date):
                value = datetime.combine(value, time(23, 59, 59), start.tzinfo).astimezone(UTC)
            until.append(value)
        rule["UNTIL"] = until
