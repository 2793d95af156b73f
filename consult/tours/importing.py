"""Reading an advisor's calendar export (.ics) into candidate tour stops.

Advisors plan their rural tours in Outlook, Google Calendar, Thunderbird or on
their phone and upload the exported file. `parse_calendar` turns it into timed
events between `now` and the horizon, with recurring series expanded by
`recurring_ical_events`, and lists what it left out and why. It creates
nothing: the preview view shows both lists and the advisor picks the stops.

The file comes from outside, so it is read defensively: its size is capped
before parsing, every text is cleaned, every repeat rule is checked before it is
expanded, and a file that cannot be read at all raises `CalendarImportError`
with a message for the advisor. Where the libraries need help, the comment at
the workaround says why:

- folded lines are joined before decoding (`_decode`);
- VTIMEZONE blocks never reach icalendar's parser (`_split_off_timezones`);
- floating times, unknown zones and RRULE UNTIL values get an explicit zone
  before expansion (`_settle_times`);
- repeat rules that would make dateutil spin are refused (`_rule_problem`).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import recurring_ical_events
import x_wr_timezone
from dateutil.tz import tzical
from icalendar import Calendar, Component, GloballyUniqueTZIDGuessed
from icalendar.prop import vDDDLists, vDDDTypes, vRecur

from consult.errors import N_, DomainError

MAX_BYTES = 512 * 1024
MAX_EVENTS = 200  # after expanding recurrences
HORIZON_DAYS = 366  # occurrences further ahead are ignored

MAX_SUMMARY = 200
MAX_LOCATION = 300
MAX_STOP = timedelta(hours=12)

ALL_DAY = N_("This event has no start time (all-day event).")
NO_START = N_("This event has no start time.")
NO_END = N_("This event has no end time.")
NOT_AFTER_START = N_("This event does not end after it starts.")
NOT_ONE_DAY = N_(
    "This event does not fit into one day: it ends on another day"
    " or lasts longer than %(hours)d hours."
)
CANCELLED = N_("This event is cancelled.")
PAST = N_("This event is already over.")
TOO_FAR = N_("This event is more than %(days)d days ahead.")
NO_DATES = N_("This recurring event has no dates in the next %(days)d days.")
TOO_FREQUENT = N_("This event repeats more than once a day.")
BAD_RULE = N_("This recurring event uses a repeat rule that cannot be imported.")

_NOT_A_CALENDAR = N_(
    "This is not a calendar file. Please upload the .ics file that your calendar app exports."
)
_NOT_UTF8 = N_("The file is not UTF-8 text. Please export the calendar again as an .ics file.")
_UNREADABLE = N_("The calendar file cannot be read. Please export the calendar again.")

_TICK = timedelta(microseconds=1)
_SERIES_FROM_YEAR = 1900
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
_DATE_LISTS = ("EXDATE", "RDATE")
_SINGLE_PROPERTIES = (*_TIME_PROPERTIES, "DURATION", "UID", "SUMMARY", "LOCATION", "GEO")
_STATUS_CANCELLED = "CANCELLED"

_SUB_DAILY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
_ONCE_A_DAY = ("BYHOUR", "BYMINUTE", "BYSECOND")
_RULE_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"})
# The BY parts each frequency may use: RFC 5545's table, narrowed for DAILY and
# WEEKLY to what calendar apps write. With only BYDAY (no ordinal) and BYMONTH
# these rules always match within a year; BYMONTHDAY or BYSETPOS could make
# dateutil search day by day up to the year 9999 for a match that never comes.
_BY_PARTS = {
    "DAILY": frozenset({"BYMONTH", "BYDAY", *_ONCE_A_DAY}),
    "WEEKLY": frozenset({"BYMONTH", "BYDAY", *_ONCE_A_DAY}),
    "MONTHLY": frozenset({"BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", *_ONCE_A_DAY}),
    "YEARLY": frozenset(
        {"BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY", "BYSETPOS", *_ONCE_A_DAY}
    ),
}
_ORDINAL_DAY = re.compile(r"[+-]?\d")

_LINE_FOLD = re.compile(rb"\r?\n[ \t]")
_SAFE_UID = re.compile(r"[\x21-\x7e]{1,255}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates can make a summary display as
# something else; the marks LRM/RLM and the joiners that Persian needs stay.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")


class CalendarImportError(DomainError):
    """The file cannot be imported at all; nothing is created."""


@dataclass(frozen=True)
class ImportedEvent:
    """One timed occurrence from the file that can become a tour stop."""

    key: str
    summary: str
    starts_dt: datetime
    ends_dt: datetime
    location_text: str
    geo: tuple[float, float] | None
    recurring: bool


@dataclass(frozen=True)
class SkippedEvent:
    """An event of the file that cannot become a tour stop, with the reason as a msgid."""

    summary: str
    when: datetime | date | None
    reason: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedCalendar:
    """What an .ics file holds for the coming year: importable events and skipped ones."""

    events: tuple[ImportedEvent, ...]
    skipped: tuple[SkippedEvent, ...]


@dataclass(frozen=True)
class _Window:
    start: datetime
    end: datetime
    local: ZoneInfo
    days: int


def parse_calendar(
    data: bytes, *, zone: str, now: datetime, horizon_days: int = HORIZON_DAYS
) -> ParsedCalendar:
    """Read an .ics export: expand recurrences from now to the horizon, keep timed future events."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be positive, got {horizon_days}")
    start = now.astimezone(UTC)
    window = _Window(start, start + timedelta(days=horizon_days), ZoneInfo(zone), horizon_days)

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
    for uid, components in _series_by_uid(vevents).items():
        for item in _read_series(uid, components, window):
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
        value = _value(prop)
        settled = settle(value, prop.params.get("TZID") if prop is not None else None)
        if settled is not value:
            vevent[name] = vDDDTypes(settled)
    for name in _DATE_LISTS:
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
    start = _value(vevent.get("DTSTART"))
    if not isinstance(start, datetime):
        return
    for rule in _rules(vevent):
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


def _value(prop: Any) -> Any:
    """The Python value of a property, or None when it is missing or unreadable."""
    if prop is None:
        return None
    try:
        return prop.dt
    except (AttributeError, ValueError):  # icalendar's BrokenCalendarProperty is a ValueError
        return None


def _timing(component: Component, local: ZoneInfo) -> tuple[datetime, datetime] | str:
    """Start and end of a timed event that fits into one day, or the reason why not."""
    if "DTSTART" not in component:
        return NO_START
    start = _value(component["DTSTART"])
    if start is None:
        return NO_START
    if not isinstance(start, datetime):
        return ALL_DAY
    if "DTEND" in component:
        end = _value(component["DTEND"])
    elif "DURATION" in component:
        duration = _value(component["DURATION"])
        end = start.astimezone(UTC) + duration if isinstance(duration, timedelta) else None
    else:
        end = None
    if not isinstance(end, datetime):
        return NO_END
    return _span_problem(start, end, local) or (start, end)


def _span_problem(start: datetime, end: datetime, local: ZoneInfo) -> str | None:
    # In UTC: aware datetimes sharing a tzinfo compare and subtract by wall clock.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return NOT_AFTER_START
    last_local_day = (end - _TICK).astimezone(local).date()  # an end at midnight is the same day
    if end - start > MAX_STOP or last_local_day != start.astimezone(local).date():
        return NOT_ONE_DAY
    return None


def _params(reason: str, window: _Window) -> dict[str, object]:
    if reason == NOT_ONE_DAY:
        return {"hours": MAX_STOP // timedelta(hours=1)}
    if reason in (TOO_FAR, NO_DATES):
        return {"days": window.days}
    return {}


def _started_before_now(when: datetime | date | None, window: _Window) -> bool:
    if isinstance(when, datetime):
        return when.astimezone(UTC) < window.start
    if isinstance(when, date):
        return when < window.start.astimezone(window.local).date()
    return False


# Series ------------------------------------------------------------------------


def _series_by_uid(vevents: list[Component]) -> dict[str, list[Component]]:
    """The events grouped by UID in file order; events without one get a stable UID."""
    series: dict[str, list[Component]] = {}
    for vevent in vevents:
        uid = str(vevent.get("UID", "")).strip() or _content_uid(vevent)
        if vevent.get("UID") != uid:
            vevent["UID"] = uid  # recurring_ical_events groups by the UID property
        series.setdefault(uid, []).append(vevent)
    return series


def _content_uid(vevent: Component) -> str:
    """A UID from the event's content, so that its keys stay the same on the next upload."""
    digest = hashlib.sha256()
    for name in ("DTSTART", "DTEND", "DURATION", "RRULE", "SUMMARY", "LOCATION"):
        prop = vevent.get(name)
        for item in prop if isinstance(prop, list) else [prop]:
            digest.update(item.to_ical() if item is not None else b"")
            digest.update(b"\x00")
    return f"no-uid-{digest.hexdigest()[:32]}"


def _uid_key(uid: str) -> str:
    if _SAFE_UID.fullmatch(uid):
        return uid
    return "sha256-" + hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _key(uid: str, moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return f"{_uid_key(uid)}#{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return f"{_uid_key(uid)}#{moment:%Y%m%d}"


def _rules(vevent: Component) -> list[Any]:
    rules = vevent.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _sequence(vevent: Component) -> int:
    try:
        return int(vevent.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _read_series(
    uid: str, components: list[Component], window: _Window
) -> Iterator[ImportedEvent | SkippedEvent]:
    """The events and skipped events of one UID: a single event or a series with changes."""
    masters = [c for c in components if "RECURRENCE-ID" not in c]
    changes = [c for c in components if "RECURRENCE-ID" in c]
    # Of several versions the highest SEQUENCE counts, as in recurring_ical_events.
    master = max(masters, key=_sequence) if masters else None
    if master is not None and not changes and "RRULE" not in master and "RDATE" not in master:
        yield _read_single(uid, master, window)
        return

    if master is not None:
        problem = _master_problem(master, window)
        if problem is not None:
            yield _skipped(master, problem, window)
            if problem == CANCELLED:
                return
            master = None  # changed occurrences of a broken series still count on their own
    kept = [] if master is None else [master]
    for change in changes:
        original = _value(change["RECURRENCE-ID"])
        problem = CANCELLED if _is_cancelled(change) else _timing(change, window.local)
        if original is None:
            problem = BAD_RULE
        if isinstance(problem, tuple):
            kept.append(change)
            continue
        # Without the change, the series would bring back the original occurrence.
        if master is not None and original is not None:
            master.add("EXDATE", original)
        when = _value(change.get("DTSTART")) or original
        if _in_window(when, window):
            yield _skipped(change, problem, window)
    if not kept:
        return

    calendar = Calendar()
    for component in kept:
        calendar.add_component(component)
    try:
        occurrences = recurring_ical_events.of(calendar).between(window.start, window.end)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
        # recurring_ical_events' errors are ValueErrors; the rest guard against odd data
        yield _skipped(master or kept[0], BAD_RULE, window)
        return

    seen: set[str] = set()
    produced = False
    for occurrence in occurrences:
        produced = True
        timing = _timing(occurrence, window.local)
        if isinstance(timing, str):
            yield _skipped(occurrence, timing, window)
            continue
        start, end = timing
        if end.astimezone(UTC) <= window.start or start.astimezone(UTC) >= window.end:
            continue
        # A changed occurrence keeps the key of the slot it replaces (RECURRENCE-ID),
        # so moving it again in the calendar app does not make it a new stop.
        key = _key(uid, _value(occurrence.get("RECURRENCE-ID")) or start)
        if key in seen:
            key = _key(uid, start)
        if key in seen:
            continue
        seen.add(key)
        yield _imported(occurrence, key, start, end, recurring=True)
    if not produced and master is not None:
        yield _skipped(master, NO_DATES, window)


def _read_single(uid: str, vevent: Component, window: _Window) -> ImportedEvent | SkippedEvent:
    timing = _timing(vevent, window.local)
    if _is_cancelled(vevent):
        timing = CANCELLED
    if isinstance(timing, str):
        # An old all-day or cancelled event is, first of all, over.
        if _started_before_now(_value(vevent.get("DTSTART")), window):
            return _skipped(vevent, PAST, window)
        return _skipped(vevent, timing, window)
    start, end = timing
    if end.astimezone(UTC) <= window.start:
        return _skipped(vevent, PAST, window)
    if start.astimezone(UTC) >= window.end:
        return _skipped(vevent, TOO_FAR, window)
    return _imported(vevent, _key(uid, start), start, end, recurring=False)


def _master_problem(master: Component, window: _Window) -> str | None:
    """Why a series cannot be expanded at all, or None."""
    if _is_cancelled(master):
        return CANCELLED
    timing = _timing(master, window.local)
    if isinstance(timing, str):
        return timing
    return _rule_problem(master, timing[0])


def _rule_problem(master: Component, start: datetime) -> str | None:
    """Refuse rules that are not a plan of tour days or could keep dateutil busy.

    dateutil walks a rule from DTSTART occurrence by occurrence and, for a rule
    that never matches, on to the year 9999; UNTIL does not stop that search.
    """
    if start.year < _SERIES_FROM_YEAR:  # a daily rule from the year 1 takes seconds
        return BAD_RULE
    for name in _DATE_LISTS:
        props = master.get(name)
        for prop in [] if props is None else props if isinstance(props, list) else [props]:
            try:
                [item.dt for item in prop.dts]
            except (AttributeError, ValueError):
                return BAD_RULE
    for rule in _rules(master):
        if not isinstance(rule, vRecur):
            return BAD_RULE
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        if frequency in _SUB_DAILY or any(len(rule.get(part, [])) > 1 for part in _ONCE_A_DAY):
            return TOO_FREQUENT
        if frequency not in _BY_PARTS or ("COUNT" in rule and "UNTIL" in rule):
            return BAD_RULE
        if set(rule) - _RULE_PARTS - _BY_PARTS[frequency]:
            return BAD_RULE
        if frequency in ("DAILY", "WEEKLY"):
            weekdays = [str(day) for day in rule.get("BYDAY", [])]
            if any(_ORDINAL_DAY.match(day) for day in weekdays):
                return BAD_RULE
            interval = int((rule.get("INTERVAL") or [1])[0])
            # Every 7th day lands on one weekday: with other BYDAYs it never matches.
            if frequency == "DAILY" and weekdays and interval % 7 == 0:
                return BAD_RULE
    return None


def _in_window(when: datetime | date | None, window: _Window) -> bool:
    if isinstance(when, datetime):
        return window.start <= when.astimezone(UTC) < window.end
    if isinstance(when, date):
        first = window.start.astimezone(window.local).date()
        return first <= when < window.end.astimezone(window.local).date()
    return False


def _is_cancelled(vevent: Component) -> bool:
    return str(vevent.get("STATUS", "")).strip().upper() == _STATUS_CANCELLED


# Results -----------------------------------------------------------------------


def _imported(
    vevent: Component, key: str, start: datetime, end: datetime, *, recurring: bool
) -> ImportedEvent:
    return ImportedEvent(
        key=key,
        summary=_clean(vevent.get("SUMMARY"), MAX_SUMMARY),
        starts_dt=start.astimezone(UTC),
        ends_dt=end.astimezone(UTC),
        location_text=_clean(vevent.get("LOCATION"), MAX_LOCATION),
        geo=_geo(vevent.get("GEO")),
        recurring=recurring,
    )


def _skipped(vevent: Component, reason: str, window: _Window) -> SkippedEvent:
    when = _value(vevent.get("DTSTART"))
    return SkippedEvent(
        summary=_clean(vevent.get("SUMMARY"), MAX_SUMMARY),
        when=when if isinstance(when, date) else None,
        reason=reason,
        params=_params(reason, window),
    )


def _clean(value: object, limit: int) -> str:
    """One line of display text: no control characters, whitespace folded, at most `limit`."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = " ".join(_BIDI_CONTROL.sub("", _CONTROL.sub(" ", text)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _geo(prop: Any) -> tuple[float, float] | None:
    try:
        latitude, longitude = float(prop.latitude), float(prop.longitude)
    except (AttributeError, TypeError, ValueError):
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude
