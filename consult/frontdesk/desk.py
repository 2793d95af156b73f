"""What the desk and the advisors do: check-in, corrections, walk-ins and calls.

Each operation is one write transaction (see `consult.frontdesk.transactions`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from consult.errors import N_
from consult.extensions import db
from consult.frontdesk.arrivals import queue_for
from consult.frontdesk.transactions import (
    FrontDeskError,
    current_time,
    locked_appointment,
    locked_visit,
    write,
)
from consult.itineraries import DayPlans, parse_plan_token, plans_for_day, slot_states
from consult.messages.outbox import tell_cancelled
from consult.models import (
    Appointment,
    AppointmentStatus,
    ConsultationDay,
    Session,
    Topic,
    Visit,
    VisitOrigin,
    VisitStatus,
)
from consult.planner import Need, Opening, Plan, openings_for
from consult.visits import (
    BookingError,
    BookingRequest,
    Contact,
    UnfitPlanError,
    book_visit,
    needed_minutes,
)
from consult.waitlist import offer_freed_seats

# A checked-in person whose appointment starts within this time counts as due.
CALL_AHEAD = timedelta(minutes=10)
MAX_REASON = 500


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
        visit = locked_visit(visit_id)
        if visit.status is not VisitStatus.BOOKED:
            raise FrontDeskError(N_("This visit is cancelled."))
        expected = [a for a in visit.appointments if a.status is AppointmentStatus.BOOKED]
        if not expected:
            raise FrontDeskError(N_("Nothing to check in: this person is already checked in."))
        for appointment in expected:
            appointment.check_in()
        _give_ticket(visit)
        return visit

    return write(work)


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
        visit, appointment = locked_appointment(appointment_id)
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
            tell_cancelled(visit, [appointment], reason)
            offer_freed_seats(visit.day, current_time())
        return appointment

    return write(work)


def leave_queue(visit_id: int) -> Visit:
    """A queued walk-in went home: end the visit (it holds no seats)."""

    def work() -> Visit:
        visit = locked_visit(visit_id)
        if not visit.walk_in or visit.active_appointments:
            raise FrontDeskError(N_("Only a walk-in who is still waiting can leave the queue."))
        visit.cancel("left the queue")
        return visit

    return write(work)


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
            origin=VisitOrigin.WALK_IN,
            name=contact.name,
            language=contact.language,
            interpreter_wanted=contact.interpreter_wanted,
            topics=list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(topic_ids)))),
        )
        db.session.add(visit)
        _give_ticket(visit)
        return visit

    return write(work)


# ---------------------------------------------------------------- calls


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
        visit, appointment = locked_appointment(appointment_id)
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
                _visit, appointment = locked_appointment(appointment_id)
                appointment.check_in()
                appointment.call_in()
                return appointment

            return write(call)
    return None


def call_next(session: Session, now: datetime) -> Appointment | None:
    """Call the next person to this session's desk; None when nobody is waiting.

    First whoever is checked in and due, then a queued walk-in this desk can serve
    right now (booked into the current free slot), then anyone checked in early.
    """
    session_id = session.id
    called = write(lambda: _call_checked_in(session_id, now + CALL_AHEAD))
    if called is not None:
        return called
    session = db.session.get(Session, session_id)
    assert session is not None
    seated = _seat_queued_walk_in(session, now)
    if seated is not None:
        return seated
    return write(lambda: _call_checked_in(session_id, None))
