"""Front desk operations: arrivals, search, check-in with tickets, walk-ins, the queue, calls.

Every operation that changes state runs in its own write transaction and
commits it, because ticket numbers and seats are consumed under a lock (see
`consult.database.begin_write`). Rows are always locked in the same order —
the day, then the visit, then its appointments, then slots, as bookings and
changes of hours lock them too (see `consult.revisions`) — so that two desks
never wait for each other in a circle.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from consult import models
from consult.database import begin_write
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.itineraries import (
    DayPlans,
    PlannedOpening,
    parse_plan_token,
    plans_for_day,
    slot_states,
)
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    DayStatus,
    Session,
    SessionStatus,
    Topic,
    Visit,
    VisitStatus,
    normalise_reference,
)
from consult.planner import Need, Opening, Plan, openings_for
from consult.visits import (
    BookingError,
    BookingRequest,
    Contact,
    UnfitPlanError,
    book_visit,
    needed_minutes,
    rebook_appointment,
)
from consult.waitlist import offer_freed_seats

T = TypeVar("T")

# A checked-in person whose appointment starts within this time counts as due.
CALL_AHEAD = timedelta(minutes=10)
# The waiting-room display shows a call for this long.
DISPLAY_CALLED_FOR = timedelta(minutes=15)
DISPLAY_CALLED_MAX = 8
DISPLAY_WAITING_MAX = 12
TICKET_ATTEMPTS = 5
MAX_SEARCH = 80
MAX_REASON = 500


class FrontDeskError(DomainError):
    """A front desk action cannot be done as asked; nothing was written."""


class DeskAction(enum.StrEnum):
    """What the front desk or an advisor does to one appointment."""

    CHECK_IN = "check-in"
    UNDO_CHECK_IN = "undo-check-in"
    NO_SHOW = "no-show"
    CANCEL = "cancel"
    CALL_IN = "call-in"
    FINISH = "finish"


FRONT_DESK_ACTIONS = frozenset({DeskAction.CHECK_IN, DeskAction.UNDO_CHECK_IN, DeskAction.NO_SHOW})
ADVISOR_ACTIONS = frozenset({DeskAction.CALL_IN, DeskAction.FINISH, DeskAction.NO_SHOW})


def current_time() -> datetime:
    """The current instant in UTC (read through `models` so that tests can set the clock)."""
    return models.utcnow()


def today_at(zone: str) -> date:
    """Today's date in a time zone, by the same clock."""
    return current_time().astimezone(ZoneInfo(zone)).date()


# ---------------------------------------------------------------- reading


def days_at(location_id: int, on: date) -> list[ConsultationDay]:
    """The consultation days at a location on a date that are not cancelled."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id == location_id,
                ConsultationDay.date == on,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .order_by(ConsultationDay.id)
        )
    )


def upcoming_days(
    location_ids: Sequence[int], since: date, limit: int = 12
) -> list[ConsultationDay]:
    """The next days that are not cancelled at these locations, soonest first."""
    return list(
        db.session.scalars(
            sa.select(ConsultationDay)
            .where(
                ConsultationDay.location_id.in_(location_ids),
                ConsultationDay.date >= since,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .options(selectinload(ConsultationDay.location))
            .order_by(ConsultationDay.date, ConsultationDay.location_id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Arrival:
    """One visit expected at the desk, with the person's whole path through the day."""

    visit: Visit
    appointments: tuple[Appointment, ...]

    @property
    def starts_dt(self) -> datetime:
        return self.appointments[0].starts_dt

    @property
    def status(self) -> AppointmentStatus:
        """Where the person is now: in a consultation, waiting, expected, or done."""
        states = {a.status for a in self.appointments}
        for state in (
            AppointmentStatus.IN_CONSULTATION,
            AppointmentStatus.CHECKED_IN,
            AppointmentStatus.BOOKED,
            AppointmentStatus.DONE,
        ):
            if state in states:
                return state
        return AppointmentStatus.NO_SHOW

    @property
    def can_check_in(self) -> bool:
        return any(a.status is AppointmentStatus.BOOKED for a in self.appointments)


@dataclass(frozen=True)
class QueuedWalkIn:
    """A walk-in with a queue ticket, waiting for a free desk for these topics."""

    visit: Visit
    waiting_topics: tuple[Topic, ...]

    @property
    def in_consultation(self) -> bool:
        return any(a.status is AppointmentStatus.IN_CONSULTATION for a in self.visit.appointments)


def _visits_of(days: Sequence[ConsultationDay]) -> sa.Select[tuple[Visit]]:
    return (
        sa.select(Visit)
        .where(Visit.day_id.in_([d.id for d in days]), Visit.status == VisitStatus.BOOKED)
        .options(
            selectinload(Visit.appointments).selectinload(Appointment.agency),
            selectinload(Visit.appointments).selectinload(Appointment.topics),
            selectinload(Visit.topics),
        )
    )


def _search_condition(text: str) -> sa.ColumnElement[bool]:
    """Match a reference (whole, or a piece such as the last four symbols), a name or a ticket."""
    text = " ".join(text.split())[:MAX_SEARCH]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    conditions = [
        Visit.reference == normalise_reference(text),
        Visit.name.ilike(f"%{escaped}%", escape="\\"),
    ]
    symbols = normalise_reference(text).replace("-", "")
    if len(symbols) >= 4 and symbols.isalnum():
        conditions.append(sa.func.replace(Visit.reference, "-", "").contains(symbols))
    if text.isascii() and text.isdigit() and len(text) <= 6:
        conditions.append(Visit.ticket == int(text))
    return sa.or_(*conditions)


def arrivals(days: Sequence[ConsultationDay], search: str = "") -> list[Arrival]:
    """Booked visits of the days in the order of their first appointment, optionally searched."""
    query = _visits_of(days)
    if search.strip():
        query = query.where(_search_condition(search))
    found = []
    for visit in db.session.scalars(query):
        active = sorted(visit.active_appointments, key=lambda a: (a.starts_dt, a.id))
        if active:
            found.append(Arrival(visit, tuple(active)))
    found.sort(key=lambda a: (a.starts_dt, a.visit.ticket or 0, a.visit.id))
    return found


def _waiting_topics(visit: Visit) -> tuple[Topic, ...]:
    covered = {t.id for a in visit.active_appointments for t in a.topics}
    return tuple(t for t in visit.topics if t.id not in covered)


def queue(days: Sequence[ConsultationDay], search: str = "") -> list[QueuedWalkIn]:
    """Walk-ins with a queue ticket who still wait for a desk, first come first."""
    query = _visits_of(days).where(Visit.walk_in, Visit.ticket.is_not(None))
    if search.strip():
        query = query.where(_search_condition(search))
    waiting = []
    for visit in db.session.scalars(query.order_by(Visit.ticket)):
        topics = _waiting_topics(visit)
        if topics:
            waiting.append(QueuedWalkIn(visit, topics))
    return waiting


def find_reference(text: str) -> Visit | None:
    """The visit with exactly this booking reference, on any day."""
    return db.session.scalar(sa.select(Visit).where(Visit.reference == normalise_reference(text)))


def ticket_label(visit: Visit) -> str:
    """What the hall display shows for a person: the ticket, or the end of the reference."""
    return str(visit.ticket) if visit.ticket is not None else visit.reference[-4:]


# ---------------------------------------------------------------- transactions


def _write(work: Callable[[], T], *, conflict: FrontDeskError | None = None) -> T:
    """Run `work` in a write transaction and commit it.

    A unique constraint that fires means another desk took the same ticket number
    (retry with the next one) or, when `conflict` is given, the same seat (give up).
    """
    for _attempt in range(TICKET_ATTEMPTS):
        begin_write()
        try:
            result = work()
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            if conflict is not None:
                raise conflict from None
            continue
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result
    raise FrontDeskError(N_("Many people are being checked in at once. Please try again."))


def _locked_visit(visit_id: int) -> Visit:
    """Lock the visit's day, then the visit (always in this order)."""
    day_id = db.session.scalar(sa.select(Visit.day_id).where(Visit.id == visit_id))
    if day_id is not None:
        db.session.get(ConsultationDay, day_id, with_for_update=True)
    visit = db.session.get(Visit, visit_id, with_for_update=True, populate_existing=True)
    if visit is None:
        raise FrontDeskError(N_("This visit does not exist any more."))
    return visit


def _locked_appointment(appointment_id: int) -> tuple[Visit, Appointment]:
    """Lock the appointment's day and visit, then the appointment itself (in this order)."""
    visit_id = db.session.scalar(
        sa.select(Appointment.visit_id).where(Appointment.id == appointment_id)
    )
    if visit_id is None:
        raise FrontDeskError(N_("This appointment does not exist any more."))
    visit = _locked_visit(visit_id)
    appointment = db.session.get(
        Appointment, appointment_id, with_for_update=True, populate_existing=True
    )
    assert appointment is not None  # appointments are only deleted with their visit
    return visit, appointment


def _next_ticket(day_id: int) -> int:
    highest = db.session.scalar(sa.select(sa.func.max(Visit.ticket)).where(Visit.day_id == day_id))
    return (highest or 0) + 1


def _give_ticket(visit: Visit) -> None:
    """The next ticket number of the day, unless the visit already has one."""
    if visit.ticket is not None:
        return
    # Serialises numbering per day on PostgreSQL; SQLite already holds the write lock.
    db.session.get(ConsultationDay, visit.day_id, with_for_update=True)
    visit.ticket = _next_ticket(visit.day_id)


def _busy(visit_id: int) -> bool:
    """True while the person sits in a consultation."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Appointment.id)).where(
                Appointment.visit_id == visit_id,
                Appointment.status == AppointmentStatus.IN_CONSULTATION,
            )
        )
    )


# ---------------------------------------------------------------- check-in and corrections


def check_in_visit(visit_id: int) -> Visit:
    """Check in every booked appointment of the visit and give it a ticket number."""

    def work() -> Visit:
        visit = _locked_visit(visit_id)
        if visit.status is not VisitStatus.BOOKED:
            raise FrontDeskError(N_("This visit is cancelled."))
        expected = [a for a in visit.appointments if a.status is AppointmentStatus.BOOKED]
        if not expected:
            raise FrontDeskError(N_("Nothing to check in: this person is already checked in."))
        for appointment in expected:
            appointment.check_in()
        _give_ticket(visit)
        return visit

    return _write(work)


def act(appointment_id: int, action: DeskAction, reason: str = "") -> Appointment:
    """Move one appointment through its states; a cancelled seat goes to the waiting list."""
    reason = " ".join(reason.split())
    if action is DeskAction.CANCEL and not reason:
        raise FrontDeskError(N_("Please give a reason for the cancellation."))
    if len(reason) > MAX_REASON:
        raise FrontDeskError(
            N_("The reason is too long (at most %(max)d characters)."), max=MAX_REASON
        )

    def work() -> Appointment:
        visit, appointment = _locked_appointment(appointment_id)
        if action is DeskAction.CHECK_IN:
            appointment.check_in()
            _give_ticket(visit)
        elif action is DeskAction.UNDO_CHECK_IN:
            appointment.undo_check_in()
        elif action is DeskAction.NO_SHOW:
            appointment.mark_no_show()
        elif action is DeskAction.CALL_IN:
            if _busy(visit.id):
                raise FrontDeskError(N_("This person is in another consultation right now."))
            appointment.call_in()
        elif action is DeskAction.FINISH:
            appointment.finish()
        elif action is DeskAction.CANCEL:
            visit.cancel_appointment(appointment, reason)
            offer_freed_seats(visit.day, current_time())
        return appointment

    return _write(work)


def leave_queue(visit_id: int) -> Visit:
    """A queued walk-in went home: end the visit (it holds no seats)."""

    def work() -> Visit:
        visit = _locked_visit(visit_id)
        if not visit.walk_in or visit.active_appointments:
            raise FrontDeskError(N_("Only a walk-in who is still waiting can leave the queue."))
        visit.cancel("left the queue")
        return visit

    return _write(work)


# ---------------------------------------------------------------- walk-ins


@dataclass(frozen=True)
class WalkInFit:
    """What the day can do for a walk-in: the best plan from now on, or only the queue."""

    day: ConsultationDay | None
    result: DayPlans | None
    plan: Plan | None

    @property
    def can_queue(self) -> bool:
        """Every topic is served here today, but no free time fits."""
        return self.plan is None and self.result is not None and self.result.serves_everything


def fit_walk_in(
    days: Sequence[ConsultationDay], topics: Sequence[Topic], language: str, now: datetime
) -> WalkInFit:
    """The best plan over the day(s) from `now` on; else a day that could queue the person."""
    results = [
        plans_for_day(day, topics, language=language, limit=1, now=now)
        for day in days
        if day.is_bookable
    ]
    planned = [r for r in results if r.plans]
    if planned:
        best = min(planned, key=lambda r: r.plans[0].key())
        return WalkInFit(best.day, best, best.plans[0])
    for result in results:
        if result.serves_everything:
            return WalkInFit(result.day, result, None)
    if results:
        return WalkInFit(results[0].day, results[0], None)
    return WalkInFit(None, None, None)


def book_walk_in(
    day: ConsultationDay, token: str, contact: Contact, topics: Sequence[Topic]
) -> Visit:
    """Book the chosen plan for a walk-in, then check the visit in with a ticket."""
    openings = parse_plan_token(token)
    try:
        visit = book_visit(
            BookingRequest(day.id, openings, contact, [t.id for t in topics], walk_in=True)
        )
    except UnfitPlanError:
        # The plan was offered on this screen; most often it was left open until its time
        # had passed. The page shows what fits now.
        raise FrontDeskError(
            N_("This plan is not valid any more. Please choose a plan again.")
        ) from None
    return check_in_visit(visit.id)


def queue_walk_in(day: ConsultationDay, contact: Contact, topics: Sequence[Topic]) -> Visit:
    """Give a walk-in a queue ticket: a visit with no appointment, seen at the next free desk."""
    contact = contact.checked()
    if not day.is_bookable:
        raise FrontDeskError(N_("This consultation day is not open."))
    offered = {t.id for s in day.published_sessions for t in s.topics}
    unserved = [t for t in topics if t.id not in offered]
    if unserved or not topics:
        raise FrontDeskError(
            N_("Nobody here today can help with this. Please use the waiting list.")
        )
    day_id, topic_ids = day.id, [t.id for t in topics]

    def work() -> Visit:
        # The day first, as every writer does: inserting the visit before would hold a key
        # share on the day that a second desk's lock waits for, and theirs on ours.
        db.session.get(ConsultationDay, day_id, with_for_update=True)
        visit = Visit(
            day_id=day_id,
            walk_in=True,
            name=contact.name,
            language=contact.language,
            interpreter_wanted=contact.interpreter_wanted,
            topics=list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids)))),
        )
        db.session.add(visit)
        _give_ticket(visit)
        return visit

    return _write(work)


# ---------------------------------------------------------------- moving one appointment


def move_options(appointment: Appointment, now: datetime) -> list[Opening]:
    """Free times of the same agency that day, as long as the appointment, that fit the visit."""
    visit = appointment.visit
    day = visit.day
    own = {seat.slot_id: seat.desk for seat in appointment.seats}
    # Sessions of the same agency that serve the appointment's topics, as the booking checks.
    serving = {
        s.id: s
        for s in day.published_sessions
        if s.agency_id == appointment.agency_id and all(t in s.topics for t in appointment.topics)
    }
    if not serving:
        return []
    states = [
        replace(s, free_desks=s.free_desks | {own[s.slot_id]}) if s.slot_id in own else s
        for s in slot_states(day)
        if s.session_id in serving
    ]
    # As long as the topics need, not as long as the appointment happens to be.
    minutes = needed_minutes(appointment.topics) or min(s.slot_minutes for s in serving.values())
    gap = timedelta(minutes=day.location.changeover_minutes)
    others = [a for a in visit.active_appointments if a.id != appointment.id]
    options = []
    for opening in openings_for(states, Need(appointment.agency_id, minutes), visit.language):
        if opening.starts_dt < now or (
            opening.session_id == appointment.session_id
            and opening.starts_dt == appointment.starts_dt
        ):
            continue
        if any(
            opening.starts_dt < a.ends_dt + gap and a.starts_dt < opening.ends_dt + gap
            for a in others
        ):
            continue
        options.append(opening)
    return options


def parse_opening(token: str) -> PlannedOpening:
    """One opening from a form value such as "12:301.302"."""
    openings = parse_plan_token(token)
    if len(openings) != 1:
        raise FrontDeskError(N_("Please choose a new time."))
    return openings[0]


def move_appointment(appointment_id: int, target: PlannedOpening) -> Appointment:
    """Book the new time and free the old one in one transaction: all or nothing."""

    def work() -> Appointment:
        visit, appointment = _locked_appointment(appointment_id)
        if visit.status is not VisitStatus.BOOKED or appointment.status not in (
            AppointmentStatus.BOOKED,
            AppointmentStatus.CHECKED_IN,
        ):
            raise FrontDeskError(N_("Only an appointment that has not started can be moved."))
        session = db.session.get(Session, target.session_id)
        if session is not None and session.agency_id != appointment.agency_id:
            raise FrontDeskError(N_("The new time must be with the same service."))
        moved = rebook_appointment(appointment, target)
        db.session.flush()
        offer_freed_seats(visit.day, current_time())
        return moved

    return _write(
        work, conflict=FrontDeskError(N_("Sorry, this time was just taken by someone else."))
    )


# ---------------------------------------------------------------- the advisor's day


def agency_sessions(agency_id: int, on: date) -> list[Session]:
    """An agency's published hours on a date, at every location."""
    return list(
        db.session.scalars(
            sa.select(Session)
            .join(ConsultationDay)
            .where(
                Session.agency_id == agency_id,
                Session.status == SessionStatus.PUBLISHED,
                ConsultationDay.date == on,
                ConsultationDay.status != DayStatus.CANCELLED,
            )
            .options(selectinload(Session.day).selectinload(ConsultationDay.location))
            .order_by(Session.starts_dt, Session.id)
        )
    )


def session_appointments(session: Session) -> list[Appointment]:
    """The appointments of a session that still count, in time order."""
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .where(
                Appointment.session_id == session.id,
                Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
            )
            .options(selectinload(Appointment.visit), selectinload(Appointment.topics))
            .order_by(Appointment.starts_dt, Appointment.id)
        )
    )


def queue_for(session: Session) -> list[QueuedWalkIn]:
    """Queued walk-ins of the session's day that this session can serve."""
    offered = {t.id for t in session.topics}
    return [
        QueuedWalkIn(entry.visit, tuple(t for t in entry.waiting_topics if t.id in offered))
        for entry in queue([session.day])
        if any(t.id in offered for t in entry.waiting_topics)
    ]


def _call_checked_in(session_id: int, due: datetime | None) -> Appointment | None:
    """Call in the earliest checked-in person of the session who is not in another consultation."""
    other = aliased(Appointment)
    busy = (
        sa.select(other.id)
        .where(
            other.visit_id == Appointment.visit_id,
            other.status == AppointmentStatus.IN_CONSULTATION,
        )
        .exists()
    )
    query = (
        sa.select(Appointment.id)
        .where(
            Appointment.session_id == session_id,
            Appointment.status == AppointmentStatus.CHECKED_IN,
            ~busy,
        )
        .order_by(Appointment.starts_dt, Appointment.checked_in_dt, Appointment.id)
    )
    if due is not None:
        query = query.where(Appointment.starts_dt <= due)
    passed: set[int] = set()
    while True:
        row = db.session.execute(query.where(Appointment.id.not_in(passed)).limit(1)).first()
        if row is None:
            return None
        appointment_id = row[0]
        # Lock, then look again: another advisor may have called this person meanwhile.
        visit, appointment = _locked_appointment(appointment_id)
        if appointment.status is AppointmentStatus.CHECKED_IN and not _busy(visit.id):
            appointment.call_in()
            return appointment
        passed.add(appointment_id)


def _current_openings(session: Session, need: Need, language: str, now: datetime) -> list[Opening]:
    """Free openings of the session whose first slot is running now or starts very soon."""
    states = [s for s in slot_states(session.day) if s.session_id == session.id]
    ends = {s.slot_id: s.ends_dt for s in states}
    return [
        opening
        for opening in openings_for(states, need, language)
        if ends[opening.slot_ids[0]] > now and opening.starts_dt <= now + CALL_AHEAD
    ]


def _seat_queued_walk_in(session: Session, now: datetime) -> Appointment | None:
    """Book the first queued walk-in this session serves into its current free slot, call them."""
    for entry in queue_for(session):
        if entry.in_consultation:
            continue
        visit = entry.visit
        need = Need(session.agency_id, needed_minutes(entry.waiting_topics))
        for opening in _current_openings(session, need, visit.language, now):
            contact = Contact(name=visit.name or visit.reference, language=visit.language)
            request = BookingRequest(
                session.day_id,
                [opening],
                contact,
                [t.id for t in entry.waiting_topics],
                walk_in=True,
                add_to_visit_id=visit.id,
                seen_now=True,
            )
            try:
                book_visit(request)
            except BookingError:
                continue  # taken meanwhile, or it clashes with the person's other appointment
            appointment_id = db.session.scalar(
                sa.select(Appointment.id)
                .where(
                    Appointment.visit_id == visit.id,
                    Appointment.session_id == session.id,
                    Appointment.status == AppointmentStatus.BOOKED,
                )
                .order_by(Appointment.id.desc())
                .limit(1)
            )
            assert appointment_id is not None

            def call(appointment_id: int = appointment_id) -> Appointment:
                _visit, appointment = _locked_appointment(appointment_id)
                appointment.check_in()
                appointment.call_in()
                return appointment

            return _write(call)
    return None


def call_next(session: Session, now: datetime) -> Appointment | None:
    """Call the next person to this session's desk; None when nobody is waiting.

    First whoever is checked in and due, then a queued walk-in this desk can serve
    right now (booked into the current free slot), then anyone checked in early.
    """
    session_id = session.id
    called = _write(lambda: _call_checked_in(session_id, now + CALL_AHEAD))
    if called is not None:
        return called
    session = db.session.get(Session, session_id)
    assert session is not None
    seated = _seat_queued_walk_in(session, now)
    if seated is not None:
        return seated
    return _write(lambda: _call_checked_in(session_id, None))


# ---------------------------------------------------------------- the waiting-room display


@dataclass(frozen=True)
class Call:
    """A ticket called to a room, as the hall display shows it."""

    label: str
    room: str
    called_dt: datetime


@dataclass(frozen=True)
class Board:
    """What the hall display shows: recent calls, newest first, and who waits next."""

    called: tuple[Call, ...]
    waiting: tuple[str, ...]


def display_board(days: Sequence[ConsultationDay], now: datetime) -> Board:
    """Tickets only: no names, no topics, no agencies."""
    day_ids = [d.id for d in days]
    calls = db.session.scalars(
        sa.select(Appointment)
        .join(Visit)
        .where(
            Visit.day_id.in_(day_ids),
            Appointment.status == AppointmentStatus.IN_CONSULTATION,
            Appointment.called_dt >= now - DISPLAY_CALLED_FOR,
        )
        .options(selectinload(Appointment.visit))
        .order_by(Appointment.called_dt.desc(), Appointment.id.desc())
        .limit(DISPLAY_CALLED_MAX)
    )
    called = tuple(Call(ticket_label(a.visit), a.room, a.called_dt) for a in calls)
    waiting: list[str] = []
    for arrival in arrivals(days):
        states = {a.status for a in arrival.appointments}
        if (
            AppointmentStatus.CHECKED_IN in states
            and AppointmentStatus.IN_CONSULTATION not in states
        ):
            waiting.append(ticket_label(arrival.visit))
    waiting += [ticket_label(e.visit) for e in queue(days) if not e.in_consultation]
    return Board(called, tuple(dict.fromkeys(waiting))[:DISPLAY_WAITING_MAX])
