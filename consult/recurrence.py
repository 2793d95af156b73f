"""Recurring joint consultation days ("every second Tuesday", "first Monday").

Rules are stored as RFC 5545 RRULE values and expanded with dateutil. A
series is a list of local dates; times of day are planned per session, so
clock changes play no part here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from typing import TypedDict

from dateutil.rrule import rrule, rrulestr

from consult.errors import N_, DomainError

MAX_OCCURRENCES = 366
MAX_INTERVAL = 12
NTH_CHOICES = (1, 2, 3, 4, -1)

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
# Parts that pick times of day would yield several occurrences on one date.
_TIME_OF_DAY_PARTS = frozenset({"BYHOUR", "BYMINUTE", "BYSECOND"})
_BYDAY_ITEM = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


class RecurrenceError(DomainError):
    """A repeat pattern or series request is not usable."""


class Frequency(StrEnum):
    """How often a joint day repeats."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RuleParts(TypedDict):
    """The parts of a simple rule, as taken by build_rule."""

    frequency: Frequency
    weekday: int
    interval: int
    nth: int | None


def build_rule(
    frequency: Frequency | str, *, weekday: int, interval: int = 1, nth: int | None = None
) -> str:
    """Return an RRULE value (without "RRULE:") for a weekly or monthly pattern."""
    freq = _frequency(frequency)
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise RecurrenceError(N_("Please choose a day of the week."))
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise RecurrenceError(N_("The repeat interval must be a whole number."))
    if not 1 <= interval <= MAX_INTERVAL:
        if freq is Frequency.WEEKLY:
            message = N_("A day can repeat every 1 to %(high)d weeks.")
        else:
            message = N_("A day can repeat every 1 to %(high)d months.")
        raise RecurrenceError(message, high=MAX_INTERVAL)
    day_code = _DAY_CODES[weekday]
    if freq is Frequency.WEEKLY:
        if nth is not None:
            raise RecurrenceError(
                N_("A weekly day cannot also be the first, second, third, fourth or last one.")
            )
        byday = day_code
    else:
        if nth is None or isinstance(nth, bool) or nth not in NTH_CHOICES:
            raise RecurrenceError(
                N_(
                    "For a monthly day, please choose the first, second, third, fourth "
                    "or last weekday of the month."
                )
            )
        byday = f"{nth}{day_code}"
    return f"FREQ={freq.name};INTERVAL={interval};BYDAY={byday}"


def occurrences(
    rule: str,
    start: date,
    *,
    until: date | None = None,
    count: int | None = None,
    exceptions: Iterable[date] = (),
) -> list[date]:
    """Return the dates of a series from `start`, minus the exception dates."""
    value = _strip_prefix(rule)
    parts = _parse_parts(value)
    freq = parts.get("FREQ")
    if freq in _SUB_DAILY or _TIME_OF_DAY_PARTS & parts.keys():
        raise RecurrenceError(N_("A joint day can repeat at most once a day."))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(
            N_("A repeat pattern may give an end date or a number of days, but not both.")
        )
    if until is None and count is None and "COUNT" not in parts and "UNTIL" not in parts:
        raise RecurrenceError(
            N_("Please give an end date or a number of days so the series does not go on forever.")
        )
    if count is not None and count < 1:
        raise RecurrenceError(N_("The number of days must be at least 1."))
    if until is not None and until < start:
        raise RecurrenceError(N_("The end date must not be before the start date."))
    if "WKST" not in parts:
        # dateutil would otherwise take the week start from the global calendar
        # setting; RFC 5545 says Monday, which also keeps "every second week" stable.
        value += ";WKST=MO"
    try:
        series = rrulestr(
            value, dtstart=datetime.combine(start, datetime.min.time()), ignoretz=True
        )
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        raise _unreadable() from None
    if not isinstance(series, rrule):
        raise _unreadable()

    excluded = frozenset(exceptions)
    raw = iter(series) if count is None else islice(series, count)
    result: list[date] = []
    try:
        for moment in raw:
            day = moment.date()
            if until is not None and day > until:
                break
            if day in excluded:
                continue
            result.append(day)
            if len(result) > MAX_OCCURRENCES:
                raise RecurrenceError(
                    N_("A series can have at most %(max)d days. Please choose an earlier end."),
                    max=MAX_OCCURRENCES,
                )
    except (ValueError, OverflowError):
        # Some malformed parts only fail once dateutil starts expanding the rule.
        raise _unreadable() from None
    return result


def describe(rule: str) -> RuleParts:
    """Return the parts of a rule made by build_rule, for rendering a sentence."""
    parts = _parse_parts(_strip_prefix(rule))
    allowed = {"FREQ", "INTERVAL", "BYDAY", "WKST"}
    if parts.keys() - allowed or parts.get("WKST", "MO") != "MO":
        raise _not_simple()
    freq_code = parts.get("FREQ")
    if freq_code not in ("WEEKLY", "MONTHLY"):
        raise _not_simple()
    frequency = Frequency[freq_code]
    interval_text = parts.get("INTERVAL", "1")
    match = _BYDAY_ITEM.match(parts.get("BYDAY", ""))
    if not (interval_text.isascii() and interval_text.isdigit()) or match is None:
        raise _not_simple()
    nth = int(match.group(1)) if match.group(1) else None
    described = RuleParts(
        frequency=frequency,
        weekday=_DAY_CODES.index(match.group(2)),
        interval=int(interval_text),
        nth=nth,
    )
    try:
        build_rule(**described)
    except RecurrenceError:
        raise _not_simple() from None
    return described


def _frequency(frequency: Frequency | str) -> Frequency:
    try:
        return Frequency(str(frequency).lower())
    except ValueError:
        raise RecurrenceError(N_("A joint day can repeat weekly or monthly.")) from None


def _strip_prefix(rule: str) -> str:
    value = rule.strip() if isinstance(rule, str) else ""
    if value[:6].upper() == "RRULE:":
        value = value[6:].strip()
    return value


def _parse_parts(value: str) -> dict[str, str]:
    # Only a single bare RRULE value is accepted: no DTSTART, EXDATE or other lines.
    if not value or any(char.isspace() or char == ":" for char in value):
        raise _unreadable()
    parts: dict[str, str] = {}
    for pair in value.split(";"):
        name, sep, part = pair.partition("=")
        name = name.upper()
        if not sep or not name or not part or name in parts:
            raise _unreadable()
        parts[name] = part.upper()
    if "FREQ" not in parts:
        raise _unreadable()
    return parts


def _unreadable() -> RecurrenceError:
    return RecurrenceError(N_("This repeat pattern could not be read. Please set it up again."))


def _not_simple() -> RecurrenceError:
    return RecurrenceError(
        N_("This repeat pattern is not a simple weekly or monthly one and cannot be shown.")
    )
