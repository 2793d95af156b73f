"""Coordination of consultation days: creating one or a series, changing, listing, cancelling.

Plain functions over the models; they raise `CoordinationError` with an
untranslated message and leave committing to the caller.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.conferences import service as conferences
from consult.coordination.errors import CoordinationError
from consult.days import create_series, days_from_query
from consult.errors import N_
from consult.extensions import db
from consult.messages.outbox import tell_cancelled
from consult.models import (
    Agency,
    AppointmentStatus,
    ConsultationDay,
    DayKind,
    DayStatus,
    Location,
    Visit,
    VisitStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from consult.recurrence import Frequency, build_rule, occurrences

# Marks the visits cancelled because their day was cancelled (the person's page says so).
DAY_CANCELLED = "consultation day cancelled"
MAX_REASON = 300
MAX_SERIES_DAYS = 366  # "until" may lie at most one year after the first date


class Repeat(StrEnum):
    """How a new joint day repeats."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class DayRequest:
    """A new joint day, once or repeating."""

    location: Location
    first_date: date
    repeat: Repeat = Repeat.ONCE
    interval: int = 1
    nth: int | None = None  # monthly: 1-4 or -1 (last); None takes it from the first date
    until: date | None = None
    exceptions: tuple[date, ...] = ()
    kind: DayKind = DayKind.JOINT
    title: str = ""
    invited: tuple[Agency, ...] = ()
    publish: bool = False


def parse_exceptions(text: str) -> list[date]:
    """Dates such as "2030-03-26, 2030-04-09"; CoordinationError names the first bad one."""
    found = []
    for part in re.split(r"[,;\s]+", text or ""):
        if not part:
            continue
        try:
            found.append(date.fromisoformat(part))
        except ValueError:
            raise CoordinationError(
                N_("%(text)s is not a date. Please write dates like 2030-03-26."), text=part[:20]
            ) from None
    return sorted(set(found))


def nth_weekday_of(day: date) -> int:
    """Which weekday of its month `day` is: 1-4, or -1 for the fifth (the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def one_year_after(day: date) -> date:
    """The same date a year later (28 February after a 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def series_dates(request: DayRequest) -> tuple[str | None, list[date]]:
    """The rule (None for a single day) and the dates a request creates."""
    if request.repeat is Repeat.ONCE:
        return None, [request.first_date]
    if request.until is None:
        raise CoordinationError(N_("Please give the date of the last day of the series."))
    if request.until < request.first_date:
        raise CoordinationError(N_("The last date must not be before the first date."))
    if request.until > one_year_after(request.first_date):
        raise CoordinationError(N_("A series can run for at most one year."))
    nth = None
    if request.repeat is Repeat.MONTHLY:
        nth = request.nth if request.nth is not None else nth_weekday_of(request.first_date)
    frequency = Frequency.WEEKLY if request.repeat is Repeat.WEEKLY else Frequency.MONTHLY
    rule = build_rule(
        frequency, weekday=request.first_date.weekday(), interval=request.interval, nth=nth
    )
    dates = occurrences(
        rule, request.first_date, until=request.until, exceptions=request.exceptions
    )
    return rule, dates


def create_days(request: DayRequest, *, today: date) -> list[ConsultationDay]:
    """Create one day or a series (RecurrenceError or CoordinationError on bad input)."""
    if not request.location.active:
        raise CoordinationError(N_("This location is not active."))
    if request.first_date < today:
        raise CoordinationError(N_("The first date must not be in the past."))
    if request.kind not in DayKind:
        raise CoordinationError(N_("Please choose the kind of day."))
    rule, dates = series_dates(request)
    if not dates:
        raise CoordinationError(N_("No date matches this pattern. Please check the dates."))
    clashes = db.session.scalars(
        sa.select(ConsultationDay.date)
        .where(
            ConsultationDay.location_id == request.location.id,
            ConsultationDay.date.in_(dates),
            ConsultationDay.status != DayStatus.CANCELLED,
        )
        .order_by(ConsultationDay.date)
    ).all()
    if clashes:
        raise CoordinationError(
            N_(
                "There is already a consultation day at this location on %(dates)s. "
                "Please leave these dates out."
            ),
            dates=", ".join(d.isoformat() for d in clashes),
        )
    if rule is None:
        day = ConsultationDay(
            location=request.location,
            date=request.first_date,
            kind=request.kind,
            title=request.title,
            invited_agencies=list(request.invited),
            status=DayStatus.PUBLISHED if request.publish else DayStatus.DRAFT,
        )
        db.session.add(day)
        return [day]
    series = create_series(
        request.location,
        rule,
        request.first_date,
        request.until or request.first_date,
        exceptions=request.exceptions,
        kind=request.kind,
        title=request.title,
        invited=request.invited,
        publish=request.publish,
    )
    db.session.add(series)
    return list(series.days)


def update_day(
    day: ConsultationDay, *, title: str, kind: DayKind, invited: Sequence[Agency]
) -> ConsultationDay:
    """Change the title, kind and invited agencies of a day that is not cancelled."""
    if day.status is DayStatus.CANCELLED:
        raise CoordinationError(N_("This day is cancelled and cannot be changed."))
    day.title = title
    day.kind = kind
    day.invited_agencies = list(invited)
    return day


def days_from(start: date, *, until: date | None = None) -> list[ConsultationDay]:
    """Days from `start` (up to `until`), soonest first, with their hours loaded."""
    query = days_from_query(start)
    if until is not None:
        query = query.where(ConsultationDay.date <= until)
    return list(db.session.scalars(query))


def days_before(end: date, limit: int = 100) -> list[ConsultationDay]:
    """Past days, latest first."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(ConsultationDay.date < end)
            .options(
                selectinload(ConsultationDay.location),
                selectinload(ConsultationDay.invited_agencies),
                selectinload(ConsultationDay.sessions),
            )
            .order_by(ConsultationDay.date.desc(), ConsultationDay.id.desc())
            .limit(limit)
        )
    )


def booked_visits(day: ConsultationDay) -> list[Visit]:
    """The visits still booked on a day, by their first appointment."""
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.day_id == day.id, Visit.status == VisitStatus.BOOKED)
        .options(selectinload(Visit.appointments))
        .order_by(Visit.id)
    ).all()
    return sorted(visits, key=lambda v: (_first_start(v), v.id))


def cancelled_with_day(day: ConsultationDay) -> list[Visit]:
    """The visits that were cancelled because the day was cancelled: the people to tell."""
    visits = db.session.scalars(
        sa.select(Visit)
        .where(
            Visit.day_id == day.id,
            Visit.status == VisitStatus.CANCELLED,
            Visit.cancel_reason.like(f"{DAY_CANCELLED}%"),
        )
        .options(selectinload(Visit.appointments))
        .order_by(Visit.id)
    ).all()
    return sorted(visits, key=lambda v: (_first_start(v), v.id))


def _first_start(visit: Visit) -> datetime:
    starts = [a.starts_dt for a in visit.appointments]
    return min(starts) if starts else visit.created_dt


def cancel_day(day: ConsultationDay, reason: str) -> list[Visit]:
    """Cancel a day and every visit booked on it; return those visits (the people to tell)."""
    reason = " ".join((reason or "").split())
    if day.status is DayStatus.CANCELLED:
        raise CoordinationError(N_("This day is already cancelled."))
    if not reason:
        raise CoordinationError(N_("Please give a reason; the people booked will be told."))
    if len(reason) > MAX_REASON:
        raise CoordinationError(
            N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON
        )
    visits = booked_visits(day)
    visit_reason = f"{DAY_CANCELLED}: {reason}"
    for visit in visits:
        visit.cancel(visit_reason)
        # Visit.cancel frees booked appointments; people already checked in lose theirs too.
        for appointment in visit.appointments:
            if appointment.status is AppointmentStatus.CHECKED_IN:
                appointment.cancel(visit_reason)
    offers = db.session.scalars(
        sa.select(WaitlistEntry).where(
            WaitlistEntry.status == WaitlistStatus.OFFERED, WaitlistEntry.offered_day_id == day.id
        )
    )
    for entry in offers:
        # An offer for a cancelled day is worthless: back in line.
        entry.status = WaitlistStatus.WAITING
        entry.offered_day = None
        entry.offer_expires_dt = None
    day.cancel(reason)
    for visit in visits:
        tell_cancelled(visit, [], reason)
    conferences.cancel_on_day(day.id, reason)
    return visits
