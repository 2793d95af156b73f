"""Language mediators as a resource of the planner and the booking, and their sign-ups.

A mediator accompanies one person through the whole visit, so they are busy from
the first appointment's start to the last one's end, and the location's changeover
gap keeps two visits they accompany apart. Plain domain code: no Flask here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.booking_errors import BookingError
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Location,
    MediatorShift,
    Role,
    Session,
    SessionStatus,
    StaffUser,
    Visit,
    VisitStatus,
    utcnow,
)
from consult.planner.accompanied import Window, fits_shift, free_windows
from consult.revisions import touch_day
from consult.slots import local_to_utc

NO_MEDIATOR_FREE = N_("Sorry, no language mediator is free at this time any more.")


class MediatorError(DomainError):
    """A sign-up or an accompaniment that cannot be made as asked."""


class OutsideOpeningHours(MediatorError):
    """Sign-up hours that start before the day opens or end after it closes.

    `field` names the time that is wrong: "starts" or "ends".
    """

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field


def opening_hours(day: ConsultationDay) -> Window | None:
    """From the day's first session's start to its last session's end; None without sessions."""
    first, last = db.session.execute(
        sa.select(sa.func.min(Session.starts_dt), sa.func.max(Session.ends_dt)).where(
            Session.day_id == day.id, Session.status != SessionStatus.WITHDRAWN
        )
    ).one()
    if first is None or last is None:
        return None
    return _aware(first), _aware(last)


def gap_of(day: ConsultationDay) -> timedelta:
    return timedelta(minutes=day.location.changeover_minutes)


def _shifts_query(day_id: int) -> sa.Select[tuple[MediatorShift]]:
    return (
        sa.select(MediatorShift)
        .join(StaffUser, StaffUser.id == MediatorShift.mediator_id)
        .where(
            MediatorShift.day_id == day_id,
            StaffUser.role == Role.MEDIATOR,
            StaffUser.active,
        )
        .order_by(MediatorShift.id)
    )


def _speaking(shifts: Iterable[MediatorShift], language: str) -> list[MediatorShift]:
    # Languages are a short JSON list per mediator; filtering here keeps the query portable.
    return [s for s in shifts if language in (s.mediator.languages or [])]


def busy_windows(
    day_id: int, mediator_ids: Sequence[int], *, except_visit: int | None = None
) -> dict[int, list[Window]]:
    """From first start to last end of each active visit the mediators accompany that day.

    A family's visits are one: the mediator goes with the whole group, so its members'
    visits make one window from the group's first start to its last end. `except_visit`
    leaves out the whole group of that visit.
    """
    busy: dict[int, list[Window]] = defaultdict(list)
    if not mediator_ids:
        return busy
    group = sa.func.coalesce(Visit.group_lead_id, Visit.id)
    query = (
        sa.select(
            group,
            Visit.mediator_id,
            sa.func.min(Appointment.starts_dt),
            sa.func.max(Appointment.ends_dt),
        )
        .join(Appointment, Appointment.visit_id == Visit.id)
        .where(
            Visit.day_id == day_id,
            Visit.status == VisitStatus.BOOKED,
            Visit.mediator_id.in_(sorted(mediator_ids)),
            Appointment.status != AppointmentStatus.CANCELLED,
        )
        .group_by(group, Visit.mediator_id)
    )
    if except_visit is not None:
        own = sa.select(sa.func.coalesce(Visit.group_lead_id, Visit.id)).where(
            Visit.id == except_visit
        )
        query = query.where(group != sa.func.coalesce(own.scalar_subquery(), -1))
    for _group, mediator_id, start, end in db.session.execute(query):
        busy[mediator_id].append((_aware(start), _aware(end)))
    return busy


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the column type: SQLite hands back naive UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def free_windows_on(day: ConsultationDay, language: str) -> list[Window]:
    """Every free window of the day's mediators who speak `language` (they may overlap)."""
    shifts = _speaking(
        db.session.scalars(_shifts_query(day.id).options(selectinload(MediatorShift.mediator))),
        language,
    )
    busy = busy_windows(day.id, [s.mediator_id for s in shifts])
    gap = gap_of(day)
    return [
        window
        for shift in shifts
        for window in free_windows((shift.starts_dt, shift.ends_dt), busy[shift.mediator_id], gap)
    ]


def reserve_mediator(
    day: ConsultationDay,
    language: str,
    starts_dt: datetime,
    ends_dt: datetime,
    *,
    visit_id: int | None,
    only: int | None = None,
) -> StaffUser | None:
    """The first mediator (by sign-up) who speaks `language` and is free for the whole visit.

    Runs inside the booking's write transaction. The candidates' shift rows are locked
    in id order before their visits are read, so a concurrent booking of the same
    mediator waits here and then sees this visit; `visit_id`'s own earlier time is not
    counted as busy. With `only`, that mediator or none.
    """
    candidates = [
        s.mediator_id
        for s in _speaking(db.session.scalars(_shifts_query(day.id)), language)
        if only is None or s.mediator_id == only
    ]
    if not candidates:
        return None
    shifts = list(
        db.session.scalars(
            sa.select(MediatorShift)
            .where(MediatorShift.day_id == day.id, MediatorShift.mediator_id.in_(candidates))
            .order_by(MediatorShift.id)
            .with_for_update()
        )
    )
    db.session.flush()  # this booking's freed appointments must not count
    busy = busy_windows(day.id, [s.mediator_id for s in shifts], except_visit=visit_id)
    gap = gap_of(day)
    for shift in shifts:
        window = (shift.starts_dt, shift.ends_dt)
        if fits_shift(window, busy[shift.mediator_id], (starts_dt, ends_dt), gap):
            return shift.mediator
    return None


def accompany(visit: Visit, spans: Sequence[Window], *, wanted: bool, language_gap: bool) -> None:
    """Give the booked visit a free mediator who speaks the person's language, if it needs one.

    A wanted mediator is part of the booking: with none free, BookingError, and the
    booking writes nothing. A mediator only needed for the language is given when free.
    A family's members (booked with the lead's visit) get the same mediator, who goes
    with the whole group; their visits count as one in the mediator's time.
    """
    group = [visit, *visit.members]
    for each in group:
        each.mediator_wanted = wanted
    if not (wanted or language_gap):
        for each in group:
            each.mediator = None
        return
    starts_dt, ends_dt = min(s for s, _ in spans), max(e for _, e in spans)
    mediator = reserve_mediator(visit.day, visit.language, starts_dt, ends_dt, visit_id=visit.id)
    if mediator is None and wanted:
        raise BookingError(NO_MEDIATOR_FREE)
    for each in group:
        each.mediator = mediator


def keep_mediator(visit: Visit, spans: Sequence[Window]) -> None:
    """BookingError unless the visit's mediator (if any) is free for all of its new time.

    The mediator stays with the person: an appointment added or moved must keep the
    whole visit inside the mediator's free time.
    """
    if visit.mediator_id is None:
        return
    starts_dt, ends_dt = min(s for s, _ in spans), max(e for _, e in spans)
    found = reserve_mediator(
        visit.day, visit.language, starts_dt, ends_dt, visit_id=visit.id, only=visit.mediator_id
    )
    if found is None:
        raise BookingError(NO_MEDIATOR_FREE)


# --- sign-ups -------------------------------------------------------------------------


@dataclass(frozen=True)
class Opportunity:
    """A published day to come in one of the mediator's towns, and their sign-up if any."""

    day: ConsultationDay
    shift: MediatorShift | None


def opportunities(mediator: StaffUser, today: date) -> list[Opportunity]:
    """Published joint days and mobile stops from today on in the mediator's towns."""
    towns = list(mediator.towns or [])
    if not towns:
        return []
    days = db.session.scalars(
        sa.select(ConsultationDay)
        .join(Location)
        .where(
            ConsultationDay.status == DayStatus.PUBLISHED,
            ConsultationDay.date >= today,
            Location.town.in_(towns),
        )
        .options(selectinload(ConsultationDay.location))
        .order_by(ConsultationDay.date, ConsultationDay.id)
        .limit(60)
    )
    shifts = {
        s.day_id: s
        for s in db.session.scalars(
            sa.select(MediatorShift).where(MediatorShift.mediator_id == mediator.id)
        )
    }
    return [Opportunity(day, shifts.get(day.id)) for day in days]


def sign_up(mediator: StaffUser, day: ConsultationDay, starts: time, ends: time) -> MediatorShift:
    """Sign the mediator up for `day` from `starts` to `ends` (local times), or change the hours.

    Shorter hours must still cover every visit they accompany that day.
    """
    if mediator.role is not Role.MEDIATOR:
        raise MediatorError(N_("Only language mediators can sign up for days."))
    if day.status is not DayStatus.PUBLISHED or day.location.town not in (mediator.towns or []):
        raise MediatorError(N_("You cannot sign up for this day."))
    if day.date < utcnow().date():
        raise MediatorError(N_("This day is over."))
    if ends <= starts:
        raise MediatorError(N_("The end has to be after the start."))
    zone = day.location.timezone
    starts_dt, ends_dt = local_to_utc(day.date, starts, zone), local_to_utc(day.date, ends, zone)
    _within_opening_hours(day, starts_dt, ends_dt)
    touch_day(day.id)
    shift = db.session.scalar(
        sa.select(MediatorShift)
        .where(MediatorShift.mediator_id == mediator.id, MediatorShift.day_id == day.id)
        .with_for_update()
    )
    for start, end in busy_windows(day.id, [mediator.id])[mediator.id]:
        if start < starts_dt or end > ends_dt:
            raise MediatorError(
                N_("You accompany visits on this day: your hours must still cover them.")
            )
    elsewhere = sa.select(MediatorShift.id).where(
        MediatorShift.mediator_id == mediator.id,
        MediatorShift.day_id != day.id,
        MediatorShift.starts_dt < ends_dt,
        MediatorShift.ends_dt > starts_dt,
    )
    if db.session.scalar(elsewhere.limit(1)) is not None:
        # Shifts that never overlap keep a mediator out of two visits at once across days.
        raise MediatorError(N_("You are already signed up at another place at this time."))
    if shift is None:
        shift = MediatorShift(mediator_id=mediator.id, day_id=day.id)
        db.session.add(shift)
    shift.starts_dt, shift.ends_dt = starts_dt, ends_dt
    return shift


def _within_opening_hours(day: ConsultationDay, starts_dt: datetime, ends_dt: datetime) -> None:
    hours = opening_hours(day)
    if hours is None:
        return
    opens, closes = hours
    local = ZoneInfo(day.location.timezone)
    if starts_dt < opens:
        raise OutsideOpeningHours(
            "starts",
            N_("Enter a start time from %(time)s on: the day opens then."),
            time=opens.astimezone(local).strftime("%H:%M"),
        )
    if ends_dt > closes:
        raise OutsideOpeningHours(
            "ends",
            N_("Enter an end time up to %(time)s: the day closes then."),
            time=closes.astimezone(local).strftime("%H:%M"),
        )


def withdraw(mediator: StaffUser, day: ConsultationDay) -> None:
    """Take back a sign-up; refused while the mediator accompanies visits that day."""
    touch_day(day.id)
    shift = db.session.scalar(
        sa.select(MediatorShift)
        .where(MediatorShift.mediator_id == mediator.id, MediatorShift.day_id == day.id)
        .with_for_update()
    )
    if shift is None:
        return
    if busy_windows(day.id, [mediator.id])[mediator.id]:
        raise MediatorError(
            N_(
                "You accompany visits on this day, so you cannot withdraw. "
                "Please talk to the coordinator."
            )
        )
    db.session.delete(shift)


# --- what a mediator sees ---------------------------------------------------------------


@dataclass(frozen=True)
class AccompaniedVisit:
    """What a mediator may know of a visit: times, rooms, language, a first name, agencies."""

    visit_id: int
    on: date
    first_name: str
    language: str
    starts_dt: datetime
    ends_dt: datetime
    location: str
    zone: str
    steps: tuple[tuple[datetime, datetime, str, str, tuple[str, ...]], ...]


def first_name(name: str | None) -> str:
    """The first word of the name the person gave (a nickname will do), nothing else."""
    words = (name or "").split()
    return words[0] if words else "–"


def accompanied(
    mediator: StaffUser, start: date, end: date | None = None, *, locale: str | None = None
) -> list[AccompaniedVisit]:
    """The booked visits the mediator accompanies on days from `start` to `end`."""
    query = (
        sa.select(Visit)
        .join(ConsultationDay, ConsultationDay.id == Visit.day_id)
        .where(
            Visit.mediator_id == mediator.id,
            Visit.status == VisitStatus.BOOKED,
            ConsultationDay.date >= start,
            ConsultationDay.date <= (end or start),
        )
        .options(
            selectinload(Visit.appointments).selectinload(Appointment.agency),
            selectinload(Visit.appointments).selectinload(Appointment.topics),
            selectinload(Visit.day).selectinload(ConsultationDay.location),
        )
    )
    found = []
    for visit in db.session.scalars(query):
        active = visit.active_appointments
        if not active:
            continue
        language = visit.language
        steps = tuple(
            (
                a.starts_dt,
                a.ends_dt,
                a.room,
                a.agency.name,
                tuple(t.name_in(locale or mediator.language) for t in a.topics),
            )
            for a in active
        )
        found.append(
            AccompaniedVisit(
                visit_id=visit.id,
                on=visit.day.date,
                first_name=first_name(visit.name),
                language=language,
                starts_dt=min(a.starts_dt for a in active),
                ends_dt=max(a.ends_dt for a in active),
                location=f"{visit.day.location.name}, {visit.day.location.street}, "
                f"{visit.day.location.town}",
                zone=visit.day.location.timezone,
                steps=steps,
            )
        )
    return sorted(found, key=lambda v: v.starts_dt)
