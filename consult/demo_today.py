"""Today's joint day in Magdeburg for the demo: people booked, checked in, walked in, queued.

The front desk and the waiting-room display show a day in progress right after the demo
is loaded. The day's hours run around the present hour, so that what is booked lies
ahead (the booking rules allow nothing else); every step goes through the same service
that the booking pages and the front desk use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult import models
from consult.database import begin_write
from consult.days import Hours, add_session
from consult.extensions import db
from consult.frontdesk.desk import DeskAction, act, check_in_visit, queue_walk_in
from consult.itineraries import plans_for_day
from consult.models import Agency, ConsultationDay, DayKind, DayStatus, Location, Topic, Visit
from consult.slots import Break
from consult.visits import BookingRequest, Contact, book_visit

# What happens today at the desk, in this order.
BOOKED = "booked"  # booked, not here yet
CHECKED_IN = "checked in"  # booked and at the desk with a ticket
CALLED = "called"  # checked in and called into a room
WALK_IN = "walk-in"  # came without a booking and was fitted in
QUEUED = "queued"  # came without a booking, waits for the next free desk with a ticket

# name, language, topics, what happens
TODAY_VISITS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("Samira", "ar", ("residence",), CALLED),
    ("Dmytro", "uk", ("recognition",), CHECKED_IN),
    ("Parisa", "fa", ("orientation",), CHECKED_IN),
    ("Yusuf", "tr", ("benefits",), BOOKED),
    ("Olga", "ru", ("career",), BOOKED),
    ("Kofi", "en", ("work-permit",), WALK_IN),
    ("Hassan", "ar", ("german",), QUEUED),
    ("Nadiia", "uk", ("benefits",), QUEUED),
]

# Who asked for an interpreter: the calendar and the desk flag them.
INTERPRETER_WISHED = {"Parisa"}

SLOT_MINUTES = 20
LAST_END = time(23, 40)  # the latest end on a 20-minute grid that stays on the same day
LUNCH = Break(time(12, 0), time(12, 40))


def today_hours(now_local: datetime) -> tuple[time, time, tuple[Break, ...]]:
    """The day's hours: from 09:00 (or the hour before now, if earlier) to 15:00 or 4 hours on."""
    hour = now_local.hour
    starts = time(min(9, max(hour - 1, 0)))
    ends = LAST_END if hour + 4 >= 24 else max(time(15), time(hour + 4))
    breaks = (LUNCH,) if starts <= LUNCH.start and LUNCH.end <= ends else ()
    return starts, ends, breaks


def add_today(
    location: Location,
    agency_slugs: Sequence[str],
    joint_hours: dict[str, tuple[int, tuple[str, ...], tuple[str, ...], bool]],
    refs: dict,
) -> ConsultationDay | None:
    """Add today's joint day at `location` with its people, unless the location has one.

    Does not commit: the demo command does.
    """
    zone = location.timezone
    now = models.utcnow()
    today = models.today_in(zone)
    exists = sa.select(ConsultationDay.id).where(
        ConsultationDay.location_id == location.id, ConsultationDay.date == today
    )
    if db.session.scalar(exists) is not None:
        return None
    # The bookings and check-ins below take the write lock; taking it first keeps the
    # new day in the same transaction (taking it later would roll back what is unsaved).
    db.session.flush()
    begin_write()
    starts, ends, breaks = today_hours(now.astimezone(ZoneInfo(zone)))
    agencies: dict[str, Agency] = refs["agencies"]
    topics: dict[str, Topic] = refs["topics"]
    day = ConsultationDay(
        location=location,
        date=today,
        kind=DayKind.JOINT,
        status=DayStatus.PUBLISHED,
        title=f"Gemeinsamer Sprechtag {location.town}",
        invited_agencies=[agencies[slug] for slug in agency_slugs],
    )
    db.session.add(day)
    for slug in agency_slugs:
        desks, rooms, languages, interpreter = joint_hours[slug]
        hours = Hours(starts, ends, SLOT_MINUTES, desks, breaks, rooms, languages, interpreter)
        served = [t for t in topics.values() if agencies[slug] in t.agencies]
        add_session(day, agencies[slug], hours, served)
    db.session.flush()
    for name, language, slugs, happens in TODAY_VISITS:
        _arrive(day, name, language, [topics[slug] for slug in slugs], happens, now)
    return day


def _arrive(
    day: ConsultationDay,
    name: str,
    language: str,
    topics: list[Topic],
    happens: str,
    now: datetime,
) -> Visit | None:
    contact = Contact(name=name, language=language, interpreter_wanted=name in INTERPRETER_WISHED)
    if happens == QUEUED:
        return queue_walk_in(day, contact, topics)
    result = plans_for_day(day, topics, language=language, limit=1, now=now)
    if not result.plans:
        return None  # too late in the day for anything to be booked
    visit = book_visit(
        BookingRequest(
            day.id,
            result.plans[0].appointments,
            contact,
            [topic.id for topic in topics],
            walk_in=happens == WALK_IN,
        )
    )
    if happens == BOOKED:
        return visit
    visit = check_in_visit(visit.id)
    if happens == CALLED:
        act(visit.appointments[0].id, DeskAction.CALL_IN)
    return visit
