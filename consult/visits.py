"""Booking a visit: one or more appointments on one day, all or nothing, never overbooked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from consult.config import LANGUAGES
from consult.database import begin_write
from consult.errors import N_, DomainError
from consult.extensions import db
from consult.models import (
    Appointment,
    AppointmentStatus,
    Consent,
    ConsultationDay,
    Seat,
    Session,
    SessionStatus,
    Slot,
    Topic,
    Visit,
    VisitStatus,
)

MAX_NAME = 80
MAX_PHONE = 40
MAX_EMAIL = 254


class BookingError(DomainError):
    """The visit cannot be booked as asked; nothing was written."""


class Bookable(Protocol):
    """What the booking needs of a planned appointment (a planner `Opening` fits)."""

    @property
    def session_id(self) -> int: ...

    @property
    def slot_ids(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class Contact:
    """What a booking needs of a person: a name (a nickname will do), optional reach."""

    name: str
    phone: str | None = None
    email: str | None = None
    language: str = "de"
    interpreter_wanted: bool = False

    def checked(self) -> Contact:
        """The contact with blanks trimmed, or BookingError naming what is wrong."""
        name = " ".join(self.name.split())
        phone = (self.phone or "").strip() or None
        email = (self.email or "").strip() or None
        if not name:
            raise BookingError(N_("Please give a name. A first name or a nickname is enough."))
        if len(name) > MAX_NAME:
            raise BookingError(
                N_("The name is too long (at most %(max)d characters)."), max=MAX_NAME
            )
        if phone and (len(phone) > MAX_PHONE or not any(ch.isdigit() for ch in phone)):
            raise BookingError(N_("This does not look like a phone number."))
        if email and (len(email) > MAX_EMAIL or "@" not in email.strip("@")):
            raise BookingError(N_("This does not look like an e-mail address."))
        if self.language not in LANGUAGES:
            raise BookingError(N_("Please choose one of the offered languages."))
        return Contact(name, phone, email, self.language, self.interpreter_wanted)


@dataclass(frozen=True)
class BookingRequest:
    """Everything one confirmation books: the day, the appointments, the person."""

    day_id: int
    appointments: Sequence[Bookable]
    contact: Contact
    topic_ids: Sequence[int] = ()
    consent_wording: str | None = None
    walk_in: bool = False
    # Move this existing visit: its appointments are freed in the same transaction,
    # so they are given up only if the new ones can be booked.
    visit_id: int | None = None
    # Add the appointments to this visit of the same day (a referral, a walk-in fitted
    # in later); its other appointments stay and the new ones must not clash with them.
    add_to_visit_id: int | None = None


def book_visit(request: BookingRequest) -> Visit:
    """Book every appointment of the request in one transaction, or raise BookingError.

    Capacity is enforced inside the inserting transaction: the slots are locked
    (row locks on PostgreSQL, the write lock on SQLite), each appointment takes
    the lowest desk free in all its slots, and the (slot, desk) primary key of
    `Seat` makes the database refuse any second booking of the same desk.
    """
    contact = request.contact.checked()
    if not request.appointments:
        raise BookingError(N_("Please choose at least one appointment."))
    begin_write()
    try:
        visit = _book_locked(request, contact)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise BookingError(N_("Sorry, this time was just taken by someone else.")) from None
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return visit


def _book_locked(request: BookingRequest, contact: Contact) -> Visit:
    day = db.session.get(ConsultationDay, request.day_id)
    if day is None or not day.is_bookable:
        raise BookingError(N_("This consultation day is not open for booking."))
    moving = _release_for_move(request.visit_id) if request.visit_id else None
    extending = _visit_to_extend(request.add_to_visit_id, day) if request.add_to_visit_id else None
    wanted_ids = sorted({sid for a in request.appointments for sid in a.slot_ids})
    # Lock in id order so two bookers never wait for each other in a circle.
    slots = {
        slot.id: slot
        for slot in db.session.scalars(
            sa.select(Slot).where(Slot.id.in_(wanted_ids)).order_by(Slot.id).with_for_update()
        )
    }
    taken: dict[int, set[int]] = {sid: set() for sid in wanted_ids}
    for seat in db.session.scalars(sa.select(Seat).where(Seat.slot_id.in_(wanted_ids))):
        taken[seat.slot_id].add(seat.desk)

    topics = list(db.session.scalars(sa.select(Topic).where(Topic.id.in_(request.topic_ids))))
    if extending is not None:
        return _add_appointments(extending, request, topics, slots, taken)
    visit = moving or Visit(walk_in=request.walk_in)
    visit.name = contact.name
    visit.phone = contact.phone
    visit.email = contact.email
    visit.language = contact.language
    visit.interpreter_wanted = contact.interpreter_wanted
    visit.topics = topics
    db.session.add(visit)
    visit.day = day
    _place(visit, day, request.appointments, topics, slots, taken)
    if request.consent_wording and not visit.consent_to_share:
        visit.consents.append(Consent(wording=request.consent_wording, language=contact.language))
    return visit


def _place(
    visit: Visit,
    day: ConsultationDay,
    wishes: Sequence[Bookable],
    topics: list[Topic],
    slots: dict[int, Slot],
    taken: dict[int, set[int]],
    keep: Sequence[Appointment] = (),
) -> None:
    """Give each wish a desk, check the whole visit for clashes, add the appointments."""
    planned = []
    for wish in wishes:
        session, chosen = _check_slots(day, wish, slots)
        desk = _free_desk(chosen, taken)
        for slot in chosen:
            taken[slot.id].add(desk)
        planned.append((session, chosen, desk))
    intervals = [(s.agency_id, chosen[0].starts_dt, chosen[-1].ends_dt) for s, chosen, _ in planned]
    intervals += [(a.agency_id, a.starts_dt, a.ends_dt) for a in keep]
    _check_no_clashes(intervals, timedelta(minutes=day.location.changeover_minutes))

    for session, chosen, desk in planned:
        appointment = Appointment(
            session_id=session.id,
            agency_id=session.agency_id,
            starts_dt=chosen[0].starts_dt,
            ends_dt=chosen[-1].ends_dt,
            desk=desk,
            room=session.room_for(desk),
            topics=[t for t in topics if t in session.topics],
        )
        appointment.seats = [Seat(slot_id=slot.id, desk=desk) for slot in chosen]
        visit.appointments.append(appointment)


def _visit_to_extend(visit_id: int, day: ConsultationDay) -> Visit:
    visit = db.session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.status is not VisitStatus.BOOKED or visit.day_id != day.id:
        raise BookingError(N_("Appointments can only be added to a booked visit of the same day."))
    return visit


def _add_appointments(
    visit: Visit,
    request: BookingRequest,
    topics: list[Topic],
    slots: dict[int, Slot],
    taken: dict[int, set[int]],
) -> Visit:
    visit.topics = list({t.id: t for t in [*visit.topics, *topics]}.values())
    _place(
        visit, visit.day, request.appointments, topics, slots, taken, keep=visit.active_appointments
    )
    return visit


def _release_for_move(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id, with_for_update=True)
    if visit is None or visit.status is not VisitStatus.BOOKED:
        raise BookingError(N_("This visit cannot be moved any more."))
    movable = [a for a in visit.appointments if a.status is AppointmentStatus.BOOKED]
    if len(movable) != len(visit.active_appointments):
        raise BookingError(N_("This visit has already started and cannot be moved."))
    for appointment in movable:
        appointment.cancel("moved")
    db.session.flush()  # the freed seats must be gone before free desks are counted
    return visit


def _check_slots(
    day: ConsultationDay, wish: Bookable, slots: dict[int, Slot]
) -> tuple[Session, list[Slot]]:
    chosen = [slots.get(sid) for sid in wish.slot_ids]
    if not chosen or any(slot is None for slot in chosen):
        raise BookingError(N_("This time is no longer offered. Please choose another one."))
    ordered = sorted((s for s in chosen if s is not None), key=lambda s: s.starts_dt)
    session = ordered[0].session
    if (
        session.id != wish.session_id
        or session.day_id != day.id
        or session.status is not SessionStatus.PUBLISHED
        or any(s.session_id != session.id for s in ordered)
        or any(a.ends_dt != b.starts_dt for a, b in zip(ordered, ordered[1:], strict=False))
    ):
        raise BookingError(N_("This time is no longer offered. Please choose another one."))
    return session, ordered


def _free_desk(chosen: list[Slot], taken: dict[int, set[int]]) -> int:
    capacity = min(slot.capacity for slot in chosen)
    for desk in range(1, capacity + 1):
        if all(desk not in taken[slot.id] for slot in chosen):
            return desk
    raise BookingError(N_("Sorry, this time was just taken by someone else."))


def _check_no_clashes(intervals: list[tuple[int, datetime, datetime]], gap: timedelta) -> None:
    agencies = [agency_id for agency_id, _, _ in intervals]
    if len(set(agencies)) != len(agencies):
        raise BookingError(N_("A visit has at most one appointment with each service."))
    ordered = sorted(intervals, key=lambda interval: interval[1:])
    for (_, _, end), (_, start, _) in zip(ordered, ordered[1:], strict=False):
        if start < end + gap:
            raise BookingError(
                N_("These appointments overlap or are less than %(minutes)d minutes apart."),
                minutes=int(gap.total_seconds() // 60),
            )
