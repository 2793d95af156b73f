"""When reminders go out: `CONSULT_REMINDERS` such as "2d@09:00" or "2d@09:00,3h"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_RULE = re.compile(r"^(?:(?P<days>\d{1,2})d@(?P<hh>\d{2}):(?P<mm>\d{2})|(?P<hours>\d{1,3})h)$")


@dataclass(frozen=True)
class Reminder:
    """A reminder `days` before the visit at a local time, or `hours` before it starts."""

    label: str
    days: int | None = None
    at: time | None = None
    hours: int | None = None

    def due(self, starts_dt: datetime, zone: str) -> datetime:
        """The instant this reminder is due for a visit that begins at `starts_dt`."""
        if self.hours is not None:
            return starts_dt - timedelta(hours=self.hours)
        assert self.days is not None and self.at is not None
        tz = ZoneInfo(zone)
        local_day = starts_dt.astimezone(tz).date() - timedelta(days=self.days)
        return datetime.combine(local_day, self.at, tzinfo=tz).astimezone(starts_dt.tzinfo)


def parse_reminders(text: str) -> tuple[Reminder, ...]:
    """The reminders of a setting; ValueError naming the part that is not understood."""
    reminders = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = _RULE.match(part)
        if match is None:
            raise ValueError(
                f"{part!r} is not a reminder; write days before at a local time (2d@09:00) "
                "or hours before (3h), separated by commas"
            )
        if match["hours"] is not None:
            reminders.append(Reminder(part, hours=int(match["hours"])))
            continue
        hour, minute = int(match["hh"]), int(match["mm"])
        if hour > 23 or minute > 59:
            raise ValueError(f"{part!r} names a time of day that does not exist")
        reminders.append(Reminder(part, days=int(match["days"]), at=time(hour, minute)))
    return tuple(reminders)
