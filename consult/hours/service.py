"""An agency's consultation hours on a day: publish, change and withdraw without losing a booking.

A change is first *previewed*: the new slots are computed and every active
appointment of the session is either kept (its time lies inside the new slots
and the desks suffice; it gets a desk and seats in the new slots) or affected.
The advisor moves each affected booking to a free time (planned on the day as
it will be after the change) or cancels it with a reason. Only a change that
leaves no affected booking is applied, and it is previewed again inside the
transaction that applies it, so a booking made meanwhile is never dropped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.config import LANGUAGES
from consult.database import begin_write
from consult.days import Hours, add_session
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.itineraries import assign_topics, parse_plan_token, plan_token, slot_states
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Agency,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Role,
    Seat,
    Session,
    SessionStatus,
    Slot,
    StaffUser,
    Topic,
    Visit,
    today_in,
)
from consult.planner import Need, Plan, plan_day
from consult.revisions import touch_days
from consult.slots import Break, SlotSpec, generate_slots, local_to_utc
from consult.visits import BookingRequest, Contact, book_visit

# Appointments that can still be moved or cancelled; the others have begun or are over.
HOLDING_STATES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN})
MAX_ROOM = 60
MAX_REASON = 300
REPLAN_CHOICES = 5
# A chosen plan is accepted while it is still among this many best plans.
REPLAN_CHECK_LIMIT = 50
_BREAK = re.compile(r"^(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})$")


class HoursError(DomainError):
    """The hours cannot be published or changed as asked; nothing was written."""


@dataclass(frozen=True)
class HoursChange:
    """New hours for a session, or (hours None) its withdrawal."""

    hours: Hours | None
    topic_ids: tuple[int, ...] = ()
    publish: bool = True

    @property
    def withdraws(self) -> bool:
        return self.hours is None

    @property
    def bookable(self) -> bool:
        """True when the session takes bookings after the change."""
        return self.hours is not None and self.publish


@dataclass(frozen=True)
class Placement:
    """A kept appointment: the new slots it covers (indices into the preview) and its desk."""

    appointment: Appointment
    slots: tuple[int, ...]
    desk: int


@dataclass(frozen=True)
class ChangePreview:
    """What a change would do to the bookings of a session."""

    session: Session
    change: HoursChange
    specs: tuple[SlotSpec, ...]
    kept: tuple[Placement, ...]
    affected: tuple[Appointment, ...]
    taken: tuple[int, ...]  # kept appointments per new slot

    @property
    def capacity(self) -> int:
        return self.change.hours.desks if self.change.hours else 0

    def free_after(self, index: int) -> int:
        """Desks of a new slot that no kept appointment holds."""
        return self.capacity - self.taken[index]

    @property
    def affected_visits(self) -> list[Visit]:
        """The visits with an affected appointment, by time."""
        visits = {a.visit_id: a.visit for a in self.affected}
        return sorted(visits.values(), key=lambda v: (self._start_of(v), v.id))

    def affected_of(self, visit: Visit) -> list[Appointment]:
        return [a for a in self.affected if a.visit_id == visit.id]

    def _start_of(self, visit: Visit) -> datetime:
        return min(a.starts_dt for a in self.affected if a.visit_id == visit.id)


# --- reading what is there ----------------------------------------------------------------


@dataclass(frozen=True)
class AgencyHours:
    """One agency on one day: invited or not, its sessions, and how many are booked."""

    day: ConsultationDay
    agency: Agency
    invited: bool
    sessions: tuple[Session, ...]
    booked: int

    @property
    def state(self) -> str:
        """published, draft, withdrawn or missing."""
        statuses = {s.status for s in self.sessions}
        for status in (SessionStatus.PUBLISHED, SessionStatus.DRAFT, SessionStatus.WITHDRAWN):
            if status in statuses:
                return status.value
        return "missing"

    @property
    def published(self) -> bool:
        return self.state == SessionStatus.PUBLISHED.value


def booked_counts(session_ids: Iterable[int]) -> dict[int, int]:
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Appointment.session_id, sa.func.count(Appointment.id))
        .where(
            Appointment.session_id.in_(ids),
            Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
        )
        .group_by(Appointment.session_id)
    )
    return {session_id: count for session_id, count in rows}


def hours_on(day: ConsultationDay, counts: dict[int, int] | None = None) -> list[AgencyHours]:
    """Every invited agency and every agency with hours on a day, by name."""
    if counts is None:
        counts = booked_counts(s.id for s in day.sessions)
    agencies = {a.id: a for a in day.invited_agencies}
    agencies.update({s.agency_id: s.agency for s in day.sessions})
    invited = {a.id for a in day.invited_agencies}
    result = []
    for agency in sorted(agencies.values(), key=lambda a: (a.name, a.id)):
        sessions = tuple(s for s in day.sessions if s.agency_id == agency.id)
        result.append(
            AgencyHours(
                day=day,
                agency=agency,
                invited=agency.id in invited,
                sessions=sessions,
                booked=sum(counts.get(s.id, 0) for s in sessions),
            )
        )
    return result


def upcoming_hours(today: date, agency_id: int | None = None) -> list[AgencyHours]:
    """From today on: the days an agency (or, with None, any agency) is invited to or serves."""
    query = (
        sa.select(ConsultationDay)
        .where(ConsultationDay.date >= today)
        .options(
            selectinload(ConsultationDay.location),
            selectinload(ConsultationDay.invited_agencies),
            selectinload(ConsultationDay.sessions).selectinload(Session.agency),
        )
        .order_by(ConsultationDay.date, ConsultationDay.id)
    )
    if agency_id is not None:
        query = query.where(
            sa.or_(
                ConsultationDay.invited_agencies.any(Agency.id == agency_id),
                ConsultationDay.sessions.any(Session.agency_id == agency_id),
            )
        )
    days = list(db.session.scalars(query))
    counts = booked_counts(s.id for day in days for s in day.sessions)
    rows = [row for day in days for row in hours_on(day, counts)]
    if agency_id is not None:
        rows = [row for row in rows if row.agency.id == agency_id]
    return rows


# --- who may do what ----------------------------------------------------------------------


def may_act_for(user: StaffUser, agency_id: int) -> bool:
    """Advisors publish only their own agency's hours; coordinators and admins any agency's."""
    if user.has_role(Role.COORDINATOR):
        return True
    return user.role is Role.ADVISOR and user.agency_id == agency_id


def may_add_hours(user: StaffUser, day: ConsultationDay, agency: Agency) -> bool:
    """Advisors add hours on days their agency is invited to (or already serves)."""
    if not may_act_for(user, agency.id):
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return any(a.id == agency.id for a in day.invited_agencies) or any(
        s.agency_id == agency.id for s in day.sessions
    )


# --- parsing what advisors type -----------------------------------------------------------


def parse_breaks(text: str) -> list[Break]:
    """Breaks such as "12:00-12:30, 15:00-15:15"; HoursError when one cannot be read."""
    found = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _BREAK.match(part)
        try:
            if match is None:
                raise ValueError(part)
            start, end = (time.fromisoformat(t.zfill(5)) for t in match.groups())
        except ValueError:
            raise HoursError(
                N_("The break %(text)s could not be read. Please write breaks like 12:00-12:30."),
                text=part[:20],
            ) from None
        found.append(Break(start, end))
    return sorted(found, key=lambda b: b.start)


def parse_rooms(text: str) -> list[str]:
    """Room names, one per line (or separated by semicolons)."""
    return [room.strip() for room in re.split(r"[;\n]+", text or "") if room.strip()]


def local_clock(instant: datetime, zone: str) -> time:
    """The wall-clock time of an instant at the venue."""
    return instant.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)


def _clock(instant: datetime, zone: str) -> str:
    return local_clock(instant, zone).strftime("%H:%M")


# --- checks shared by publishing and changing ---------------------------------------------


def check_changeable(day: ConsultationDay) -> None:
    """HoursError when a day's hours can no longer be changed."""
    if day.status is DayStatus.CANCELLED:
        raise HoursError(N_("This consultation day is cancelled; its hours cannot be changed."))
    if day.date < today_in(day.location.timezone):
        raise HoursError(N_("This consultation day is over; its hours cannot be changed any more."))


def _check_hours(
    day: ConsultationDay,
    agency: Agency,
    change: HoursChange,
    current: Session | None = None,
) -> tuple[list[SlotSpec], list[Topic]]:
    """The new slots and topics, or HoursError/SlotError naming what is wrong."""
    hours = change.hours
    assert hours is not None
    zone = day.location.timezone
    specs = generate_slots(
        day.date, hours.starts, hours.ends, hours.slot_minutes, hours.desks, hours.breaks, zone
    )
    if not specs:
        raise HoursError(N_("These hours are too short for a single slot."))
    if not hours.languages:
        raise HoursError(N_("Please choose at least one language."))
    if any(code not in LANGUAGES for code in hours.languages):
        raise HoursError(N_("Please choose one of the offered languages."))
    if hours.rooms and len(hours.rooms) != hours.desks:
        raise HoursError(
            N_("Please name one room per desk (%(desks)d desks, %(rooms)d rooms), or none."),
            desks=hours.desks,
            rooms=len(hours.rooms),
        )
    if any(len(room) > MAX_ROOM for room in hours.rooms):
        raise HoursError(N_("A room name may have at most %(max)d characters."), max=MAX_ROOM)
    topics = _topics_for(agency, change.topic_ids, current)
    starts = local_to_utc(day.date, hours.starts, zone)
    ends = local_to_utc(day.date, hours.ends, zone)
    for other in day.sessions:
        if (
            other is current
            or other.agency_id != agency.id
            or other.status is SessionStatus.WITHDRAWN
        ):
            continue
        if other.starts_dt < ends and starts < other.ends_dt:
            raise HoursError(
                N_("%(agency)s already has hours from %(start)s to %(end)s on this day."),
                agency=agency.name,
                start=_clock(other.starts_dt, zone),
                end=_clock(other.ends_dt, zone),
            )
    return specs, topics


def _topics_for(agency: Agency, topic_ids: Sequence[int], current: Session | None) -> list[Topic]:
    wanted = set(topic_ids)
    if not wanted:
        raise HoursError(N_("Please choose at least one topic that you serve."))
    found = list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.id.in_(wanted))
            .options(selectinload(Topic.agencies))
            .order_by(Topic.position, Topic.id)
        )
    )
    kept = {t.id for t in current.topics} if current is not None else set()
    if len(found) != len(wanted):
        raise HoursError(N_("One of the chosen topics does not exist."))
    for topic in found:
        served = any(a.id == agency.id for a in topic.agencies)
        if not served or not (topic.active or topic.id in kept):
            raise HoursError(
                N_("%(agency)s does not serve the topic %(topic)s."),
                agency=agency.name,
                topic=topic.slug,
            )
    return found


# --- publishing, previewing and applying --------------------------------------------------


def create_hours(
    day: ConsultationDay, agency: Agency, change: HoursChange, *, advisor: StaffUser | None
) -> Session:
    """Add an agency's session to a day (the caller commits)."""
    if change.hours is None:
        raise HoursError(N_("There are no hours to withdraw yet."))
    check_changeable(day)
    _, topics = _check_hours(day, agency, change)
    return add_session(day, agency, change.hours, topics, advisor=advisor, publish=change.publish)


def _covering(specs: Sequence[SlotSpec], start: datetime, end: datetime) -> tuple[int, ...] | None:
    """The new slots an appointment lies in, if they cover its whole time without a gap."""
    indices = [i for i, s in enumerate(specs) if s.starts_dt < end and start < s.ends_dt]
    if not indices or specs[indices[0]].starts_dt > start or specs[indices[-1]].ends_dt < end:
        return None
    if any(
        specs[i].ends_dt != specs[j].starts_dt for i, j in zip(indices, indices[1:], strict=False)
    ):
        return None
    return tuple(indices)


def _priority(appointment: Appointment) -> tuple[int, int]:
    # Appointments that have begun must stay; people already here come before those on the way.
    if appointment.status not in HOLDING_STATES:
        rank = 0
    elif appointment.status is AppointmentStatus.CHECKED_IN:
        rank = 1
    else:
        rank = 2
    return rank, appointment.id


def preview_change(session: Session, change: HoursChange) -> ChangePreview:
    """Which appointments the change keeps (with their new desks) and which it affects.

    Raises HoursError when an appointment that has begun or is over would not fit
    (it can be neither moved nor cancelled), and HoursError/SlotError for hours that
    could never be applied, so no booking is moved or cancelled for such a change.
    """
    day = session.day
    zone = day.location.timezone
    hours = change.hours
    specs: list[SlotSpec] = []
    if hours is not None:
        specs, _ = _check_hours(day, session.agency, change, current=session)
    fit = specs if change.bookable else []
    capacity = hours.desks if hours is not None else 0
    appointments = db.session.scalars(
        sa.select(Appointment)
        .where(
            Appointment.session_id == session.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
        )
        .options(selectinload(Appointment.visit))
    ).all()
    taken = [0] * len(fit)
    kept: list[tuple[Appointment, tuple[int, ...]]] = []
    affected: list[Appointment] = []
    for appointment in sorted(appointments, key=_priority):
        covering = _covering(fit, appointment.starts_dt, appointment.ends_dt)
        if covering is not None and all(taken[i] < capacity for i in covering):
            for i in covering:
                taken[i] += 1
            kept.append((appointment, covering))
        elif appointment.status in HOLDING_STATES:
            affected.append(appointment)
        else:
            raise HoursError(
                N_(
                    "The appointment at %(time)s has already begun or taken place, "
                    "so the hours must still include it."
                ),
                time=_clock(appointment.starts_dt, zone),
            )
    return ChangePreview(
        session=session,
        change=change,
        specs=tuple(specs),
        kept=tuple(_assign_desks(kept, capacity)),
        affected=tuple(sorted(affected, key=lambda a: (a.starts_dt, a.id))),
        taken=tuple(taken) if change.bookable else tuple(0 for _ in specs),
    )


def _assign_desks(
    kept: Sequence[tuple[Appointment, tuple[int, ...]]], capacity: int
) -> list[Placement]:
    """A desk for each kept appointment, its old one where it is still free.

    Taken in order of their first slot, the appointments that clash with the
    current one all hold its first slot, and at most capacity - 1 of them do, so
    a free desk always exists (interval graphs colour greedily).
    """
    used: dict[int, set[int]] = defaultdict(set)
    placements = []
    for appointment, slots in sorted(kept, key=lambda item: (item[1][0], item[0].id)):
        busy = set().union(*(used[i] for i in slots))
        if appointment.desk <= capacity and appointment.desk not in busy:
            desk = appointment.desk
        else:
            desk = next(d for d in range(1, capacity + 1) if d not in busy)
        for i in slots:
            used[i].add(desk)
        placements.append(Placement(appointment, slots, desk))
    return placements


def _lock_session(session_id: int) -> Session:
    session = db.session.scalar(
        sa.select(Session)
        .where(Session.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise HoursError(N_("These hours do not exist any more."))
    # Bookings lock the slots they take; holding them keeps new bookings out until we are done.
    db.session.scalars(
        sa.select(Slot.id).where(Slot.session_id == session_id).order_by(Slot.id).with_for_update()
    ).all()
    return session


def apply_change(session_id: int, change: HoursChange) -> Session:
    """Apply new hours or the withdrawal, only if no booking is affected (the caller commits).

    Kept appointments keep their times; their seats are made again in the new
    slots, on their old desk where possible.
    """
    begin_write()
    # The day row before the session and its slots, as every writer of the day locks them.
    touch_days([db.session.scalar(sa.select(Session.day_id).where(Session.id == session_id))])
    session = _lock_session(session_id)
    day = session.day
    check_changeable(day)
    if change.hours is None:
        preview = preview_change(session, change)
        _refuse_if_affected(preview)
        session.status = SessionStatus.WITHDRAWN
        return session
    _, topics = _check_hours(day, session.agency, change, current=session)
    preview = preview_change(session, change)
    _refuse_if_affected(preview)
    _replace_slots(session, preview)
    # The bulk statements above bypassed the ORM; load everything afresh before changing it.
    db.session.expire_all()
    session = db.session.get(Session, session_id)
    assert session is not None
    hours = change.hours
    zone = session.day.location.timezone
    session.starts_dt = local_to_utc(day.date, hours.starts, zone)
    session.ends_dt = local_to_utc(day.date, hours.ends, zone)
    session.slot_minutes = hours.slot_minutes
    session.desks = hours.desks
    session.rooms = list(hours.rooms)
    session.languages = list(hours.languages)
    session.interpreter_available = hours.interpreter
    session.breaks = [[b.start.strftime("%H:%M"), b.end.strftime("%H:%M")] for b in hours.breaks]
    session.topics = [db.session.get(Topic, t.id) for t in topics]
    session.status = SessionStatus.PUBLISHED if change.publish else SessionStatus.DRAFT
    existing = {(slot.starts_dt, slot.ends_dt): slot for slot in session.slots}
    new_slots = []
    for spec in preview.specs:
        slot = existing.get((spec.starts_dt, spec.ends_dt))
        if slot is None:
            slot = Slot(starts_dt=spec.starts_dt, ends_dt=spec.ends_dt, capacity=spec.capacity)
            session.slots.append(slot)
        new_slots.append(slot)
    db.session.flush()
    for placement in preview.kept:
        appointment = db.session.get(Appointment, placement.appointment.id)
        assert appointment is not None
        appointment.desk = placement.desk
        appointment.room = session.room_for(placement.desk)
        for i in placement.slots:
            db.session.add(
                Seat(slot_id=new_slots[i].id, desk=placement.desk, appointment_id=appointment.id)
            )
    db.session.flush()
    return session


def _refuse_if_affected(preview: ChangePreview) -> None:
    if preview.affected:
        raise HoursError(
            N_(
                "%(count)d bookings do not fit the new hours. "
                "Please move or cancel them before the change."
            ),
            count=len(preview.affected),
        )


def _replace_slots(session: Session, preview: ChangePreview) -> None:
    """Drop every seat of the session and the slots the new hours do not have."""
    wanted = {(spec.starts_dt, spec.ends_dt) for spec in preview.specs}
    old = db.session.execute(
        sa.select(Slot.id, Slot.starts_dt, Slot.ends_dt).where(Slot.session_id == session.id)
    ).all()
    old_ids = [row.id for row in old]
    dropped = [row.id for row in old if (row.starts_dt, row.ends_dt) not in wanted]
    matched = [row.id for row in old if (row.starts_dt, row.ends_dt) in wanted]
    options = {"synchronize_session": False}
    if old_ids:
        db.session.execute(
            sa.delete(Seat).where(Seat.slot_id.in_(old_ids)), execution_options=options
        )
    if dropped:
        db.session.execute(sa.delete(Slot).where(Slot.id.in_(dropped)), execution_options=options)
    if matched and preview.change.hours is not None:
        db.session.execute(
            sa.update(Slot).where(Slot.id.in_(matched)).values(capacity=preview.change.hours.desks),
            execution_options=options,
        )


# --- resolving affected bookings ----------------------------------------------------------


@dataclass(frozen=True)
class _SessionAfter:
    """A session as it will be after the change, for sharing topics among agencies."""

    id: int
    agency_id: int
    agency: Agency
    topics: list[Topic]
    languages: list[str]
    interpreter_available: bool

    @property
    def topic_ids(self) -> frozenset[int]:
        return frozenset(topic.id for topic in self.topics)

    def serves_language(self, language: str) -> bool:
        return language in self.languages or self.interpreter_available


def can_move(visit: Visit) -> bool:
    """A visit can be moved while none of its appointments has begun (nobody checked in)."""
    return all(a.status is AppointmentStatus.BOOKED for a in visit.active_appointments)


def replan_options(
    preview: ChangePreview, visit: Visit, *, now: datetime, limit: int = REPLAN_CHOICES
) -> list[Plan]:
    """The best free plans for an affected visit on the day as it will be after the change.

    Only slots that exist now and survive the change are offered (the booking is
    made before the change), the visit's own seats count as free, and in the
    changed session no more desks are offered than the kept bookings leave.
    """
    session, change = preview.session, preview.change
    day = session.day
    if not day.is_bookable or not can_move(visit):
        return []
    hours = change.hours
    sessions: list[Session | _SessionAfter] = []
    for other in day.published_sessions:
        if other.id != session.id:
            sessions.append(other)
        elif change.bookable and hours is not None:
            sessions.append(
                _SessionAfter(
                    id=other.id,
                    agency_id=other.agency_id,
                    agency=other.agency,
                    topics=_topics_by_id(change.topic_ids),
                    languages=list(hours.languages),
                    interpreter_available=hours.interpreter,
                )
            )
    assignments, unserved = assign_topics(sessions, visit.topics, visit.language)
    if unserved or not assignments:
        return []
    own: dict[int, set[int]] = defaultdict(set)
    for appointment in visit.active_appointments:
        for seat in appointment.seats:
            own[seat.slot_id].add(seat.desk)
    surviving = (
        {(spec.starts_dt, spec.ends_dt): i for i, spec in enumerate(preview.specs)}
        if change.bookable
        else {}
    )
    states = []
    for state in slot_states(day):
        free = state.free_desks | own.get(state.slot_id, set())
        if state.session_id == session.id:
            index = surviving.get((state.starts_dt, state.ends_dt))
            if index is None or hours is None:
                continue
            state = replace(
                state,
                free_desks=frozenset(sorted(free)[: max(preview.free_after(index), 0)]),
                languages=frozenset(hours.languages),
                interpreter=hours.interpreter,
            )
        else:
            state = replace(state, free_desks=frozenset(free))
        states.append(state)
    return plan_day(
        states,
        [Need(a.agency.id, a.minutes) for a in assignments],
        language=visit.language,
        gap=timedelta(minutes=day.location.changeover_minutes),
        earliest=now,
        limit=limit,
    )


def _topics_by_id(topic_ids: Iterable[int]) -> list[Topic]:
    wanted = set(topic_ids)
    return list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))) if wanted else []


def _affected_visit(preview: ChangePreview, visit_id: int) -> Visit:
    visit = next((v for v in preview.affected_visits if v.id == visit_id), None)
    if visit is None:
        raise HoursError(N_("This booking is not affected by the change (any more)."))
    return visit


def replan_visit(
    session: Session, change: HoursChange, visit_id: int, token: str, *, now: datetime
) -> Visit:
    """Move an affected visit to a chosen plan; its old appointments are freed only on success.

    Books with `book_visit`, which commits.
    """
    check_changeable(session.day)
    preview = preview_change(session, change)
    visit = _affected_visit(preview, visit_id)
    if not can_move(visit):
        raise HoursError(N_("This person has already checked in; the booking cannot be moved."))
    options = replan_options(preview, visit, now=now, limit=REPLAN_CHECK_LIMIT)
    if token not in {plan_token(plan) for plan in options}:
        raise HoursError(N_("This time is not free any more. Please choose another one."))
    request = BookingRequest(
        day_id=session.day_id,
        appointments=parse_plan_token(token),
        contact=Contact(
            name=visit.name or visit.reference,
            phone=visit.phone,
            email=visit.email,
            language=visit.language,
            interpreter_wanted=visit.interpreter_wanted,
        ),
        topic_ids=[t.id for t in visit.topics],
        visit_id=visit.id,
    )
    return book_visit(request)


def cancel_affected(session: Session, change: HoursChange, visit_id: int, reason: str) -> Visit:
    """Cancel an affected visit's appointments with this session (the caller commits).

    The visit ends when it has no other appointment left.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise HoursError(N_("Please give a reason; the person will be told."))
    if len(reason) > MAX_REASON:
        raise HoursError(N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON)
    check_changeable(session.day)
    preview = preview_change(session, change)
    visit = _affected_visit(preview, visit_id)
    for appointment in preview.affected_of(visit):
        visit.cancel_appointment(appointment, reason)
    return visit
