"""The window of an import (now to the horizon), the timing of an event, and skipped events.

An event can become a tour stop only when it is timed, fits into one day and
lies within the window; otherwise it is skipped with one of the reasons below,
which the preview shows the advisor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Component

from consult.errors import N_

MAX_SUMMARY = 200
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

_TICK = timedelta(microseconds=1)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates can make a summary display as
# something else; the marks LRM/RLM and the joiners that Persian needs stay.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class SkippedEvent:
    """An event of the file that cannot become a tour stop, with the reason as a msgid."""

    summary: str
    when: datetime | date | None
    reason: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """The span that events are imported from (now to the horizon), and the tour's zone."""

    start: datetime
    end: datetime
    local: ZoneInfo
    days: int


# Times -------------------------------------------------------------------------


def property_value(prop: Any) -> Any:
    """The Python value of a property, or None when it is missing or unreadable."""
    if prop is None:
        return None
    try:
        return prop.dt
    except (AttributeError, ValueError):  # icalendar's BrokenCalendarProperty is a ValueError
        return None


def event_timing(component: Component, local: ZoneInfo) -> tuple[datetime, datetime] | str:
    """Start and end of a timed event that fits into one day, or the reason why not."""
    if "DTSTART" not in component:
        return NO_START
    start = property_value(component["DTSTART"])
    if start is None:
        return NO_START
    if not isinstance(start, datetime):
        return ALL_DAY
    if "DTEND" in component:
        end = property_value(component["DTEND"])
    elif "DURATION" in component:
        duration = property_value(component["DURATION"])
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


def _params(reason: str, window: Window) -> dict[str, object]:
    if reason == NOT_ONE_DAY:
        return {"hours": MAX_STOP // timedelta(hours=1)}
    if reason in (TOO_FAR, NO_DATES):
        return {"days": window.days}
    return {}


def started_before_now(when: datetime | date | None, window: Window) -> bool:
    """True when `when` (a time or an all-day date) lies before the window."""
    if isinstance(when, datetime):
        return when.astimezone(UTC) < window.start
    if isinstance(when, date):
        return when < window.start.astimezone(window.local).date()
    return False


def in_window(when: datetime | date | None, window: Window) -> bool:
    """True when `when` (a time or an all-day date) lies within the window."""
    if isinstance(when, datetime):
        return window.start <= when.astimezone(UTC) < window.end
    if isinstance(when, date):
        first = window.start.astimezone(window.local).date()
        return first <= when < window.end.astimezone(window.local).date()
    return False


# Skipped events ----------------------------------------------------------------


def skipped_event(vevent: Component, reason: str, window: Window) -> SkippedEvent:
    """The event as skipped for `reason` (a msgid), with the parameters its message needs."""
    when = property_value(vevent.get("DTSTART"))
    return SkippedEvent(
        summary=clean_text(vevent.get("SUMMARY"), MAX_SUMMARY),
        when=when if isinstance(when, date) else None,
        reason=reason,
        params=_params(reason, window),
    )


def clean_text(value: object, limit: int) -> str:
    """One line of display text: no control characters, whitespace folded, at most `limit`."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = " ".join(_BIDI_CONTROL.sub("", _CONTROL.sub(" ", text)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
