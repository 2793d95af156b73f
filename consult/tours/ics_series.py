"""Events grouped into series by UID, expanded into occurrences within the import window.

Each occurrence becomes an `ImportedEvent` with a key that stays the same on the
next upload of the file, or a `SkippedEvent` saying why it cannot become a stop.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import recurring_ical_events
from icalendar import Calendar, Component
from icalendar.prop import vRecur

from consult.tours.ics_window import (
    BAD_RULE,
    CANCELLED,
    MAX_SUMMARY,
    NO_DATES,
    PAST,
    TOO_FAR,
    TOO_FREQUENT,
    SkippedEvent,
    Window,
    clean_text,
    event_timing,
    in_window,
    property_value,
    skipped_event,
    started_before_now,
)

MAX_LOCATION = 300

_SERIES_FROM_YEAR = 1900
DATE_LISTS = ("EXDATE", "RDATE")
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

_SAFE_UID = re.compile(r"[\x21-\x7e]{1,255}")


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


# Series ------------------------------------------------------------------------


def series_by_uid(vevents: list[Component]) -> dict[str, list[Component]]:
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


def repeat_rules(vevent: Component) -> list[Any]:
    """The event's RRULE properties, none or several."""
    rules = vevent.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _sequence(vevent: Component) -> int:
    try:
        return int(vevent.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def read_series(
    uid: str, components: list[Component], window: Window
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
            yield skipped_event(master, problem, window)
            if problem == CANCELLED:
                return
            master = None  # changed occurrences of a broken series still count on their own
    kept = [] if master is None else [master]
    for change in changes:
        original = property_value(change["RECURRENCE-ID"])
        problem = CANCELLED if _is_cancelled(change) else event_timing(change, window.local)
        if original is None:
            problem = BAD_RULE
        if isinstance(problem, tuple):
            kept.append(change)
            continue
        # Without the change, the series would bring back the original occurrence.
        if master is not None and original is not None:
            master.add("EXDATE", original)
        when = property_value(change.get("DTSTART")) or original
        if in_window(when, window):
            yield skipped_event(change, problem, window)
    if not kept:
        return

    calendar = Calendar()
    for component in kept:
        calendar.add_component(component)
    try:
        occurrences = recurring_ical_events.of(calendar).between(window.start, window.end)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
        # recurring_ical_events' errors are ValueErrors; the rest guard against odd data
        yield skipped_event(master or kept[0], BAD_RULE, window)
        return

    seen: set[str] = set()
    produced = False
    for occurrence in occurrences:
        produced = True
        timing = event_timing(occurrence, window.local)
        if isinstance(timing, str):
            yield skipped_event(occurrence, timing, window)
            continue
        start, end = timing
        if end.astimezone(UTC) <= window.start or start.astimezone(UTC) >= window.end:
            continue
        # A changed occurrence keeps the key of the slot it replaces (RECURRENCE-ID),
        # so moving it again in the calendar app does not make it a new stop.
        key = _key(uid, property_value(occurrence.get("RECURRENCE-ID")) or start)
        if key in seen:
            key = _key(uid, start)
        if key in seen:
            continue
        seen.add(key)
        yield _imported(occurrence, key, start, end, recurring=True)
    if not produced and master is not None:
        yield skipped_event(master, NO_DATES, window)


def _read_single(uid: str, vevent: Component, window: Window) -> ImportedEvent | SkippedEvent:
    timing = event_timing(vevent, window.local)
    if _is_cancelled(vevent):
        timing = CANCELLED
    if isinstance(timing, str):
        # An old all-day or cancelled event is, first of all, over.
        if started_before_now(property_value(vevent.get("DTSTART")), window):
            return skipped_event(vevent, PAST, window)
        return skipped_event(vevent, timing, window)
    start, end = timing
    if end.astimezone(UTC) <= window.start:
        return skipped_event(vevent, PAST, window)
    if start.astimezone(UTC) >= window.end:
        return skipped_event(vevent, TOO_FAR, window)
    return _imported(vevent, _key(uid, start), start, end, recurring=False)


def _master_problem(master: Component, window: Window) -> str | None:
    """Why a series cannot be expanded at all, or None."""
    if _is_cancelled(master):
        return CANCELLED
    timing = event_timing(master, window.local)
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
    for name in DATE_LISTS:
        props = master.get(name)
        for prop in [] if props is None else props if isinstance(props, list) else [props]:
            try:
                [item.dt for item in prop.dts]
            except (AttributeError, ValueError):
                return BAD_RULE
    for rule in repeat_rules(master):
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


def _is_cancelled(vevent: Component) -> bool:
    return str(vevent.get("STATUS", "")).strip().upper() == _STATUS_CANCELLED


# Results -----------------------------------------------------------------------


def _imported(
    vevent: Component, key: str, start: datetime, end: datetime, *, recurring: bool
) -> ImportedEvent:
    return ImportedEvent(
        key=key,
        summary=clean_text(vevent.get("SUMMARY"), MAX_SUMMARY),
        starts_dt=start.astimezone(UTC),
        ends_dt=end.astimezone(UTC),
        location_text=clean_text(vevent.get("LOCATION"), MAX_LOCATION),
        geo=_geo(vevent.get("GEO")),
        recurring=recurring,
    )


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
