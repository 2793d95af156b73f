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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.database import begin_write
from consult.errors import N_
from consult.extensions import db
from consult.hours.editing import HoursChange, HoursError, check_changeable, check_hours, clock_text
from consult.models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    AppointmentStatus,
    Seat,
    Session,
    SessionStatus,
    Slot,
    Topic,
    Visit,
)
from consult.revisions import touch_days
from consult.slots import SlotSpec, local_to_utc

# Appointments that can still be moved or cancelled; the others have begun or are over.
HOLDING_STATES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN})


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


# --- previewing and applying a change -----------------------------------------------------


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
        specs, _ = check_hours(day, session.agency, change, current=session)
    fit = specs if change.bookable else []
    capacity = hours.desks if hours is not None else 0
    appointments = db.session.scalars(
        sa.select(Appointment)
        .where(
            Appointment.session_id == session.id,
            Appointment.status.in_(ACTIVE_APPOINTMENT_STATES),
            # A family member's companion holds no desk; it follows the shared appointment.
            Appointment.shared_with_id.is_(None),
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
                time=clock_text(appointment.starts_dt, zone),
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
    _refuse_if_conference(session)
    if change.hours is None:
        preview = preview_change(session, change)
        _refuse_if_affected(preview)
        session.status = SessionStatus.WITHDRAWN
        return session
    _, topics = check_hours(day, session.agency, change, current=session)
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
        for companion in appointment.companions:
            companion.desk, companion.room = appointment.desk, appointment.room
        for i in placement.slots:
            db.session.add(
                Seat(slot_id=new_slots[i].id, desk=placement.desk, appointment_id=appointment.id)
            )
    db.session.flush()
    return session


def _refuse_if_conference(session: Session) -> None:
    held = sa.select(Seat.slot_id).join(Slot, Slot.id == Seat.slot_id)
    held = held.where(Slot.session_id == session.id, Seat.conference_id.is_not(None))
    if db.session.scalar(held.limit(1)) is not None:
        raise HoursError(
            N_("A case conference holds desks in these hours. Please cancel it before the change.")
        )


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
